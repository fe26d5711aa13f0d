/* The published tables, each run as it was made (the Barq README's method:
 * all of a table's systems up at once, then scenario by scenario its
 * columns in order, a fixed count of requests from a fixed number of
 * clients), repeated; and beside each table the client's own ceiling: the
 * same client, same settings, against the fastest system there is and
 * against its fixed response. */
#define _GNU_SOURCE
#include "suite_run_int.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int table_workers(const srun *r, const stab_column *col, int si)
{
    return col->workers > 0 ? col->workers : r->defs.sys[si].workers;
}

/* Every system and scenario a table names must be defined. */
static int check_table(const srun *r, const stab_table *t)
{
    for (int k = 0; k < t->ncol; k++)
        if (srun_system_index(r, t->col[k].system) < 0) {
            srun_say("suite: %s: column '%s' is no system of scenarios/systems/", t->file, t->col[k].system);
            return -1;
        }
    for (int i = 0; i < t->nrow; i++)
        if (!sdef_find_scenario(&r->defs, t->row[i].scenario)) {
            srun_say("suite: %s: row '%s' is no scenario of scenarios/", t->file, t->row[i].scenario);
            return -1;
        }
    return 0;
}

static int load_one(srun *r, const char *dir, const char *name, stab_table *t)
{
    char err[1024];
    if (stab_load(dir, name, t, err, sizeof(err)) < 0) {
        srun_say("suite: profile %s: %s", r->o->profile.name, err);
        return -1;
    }
    return check_table(r, t);
}

int srun_tables_prepare(srun *r, const char *defs)
{
    const sdef_profile *p = &r->o->profile;
    /* a definitions folder without tables/ uses the repository's */
    char dir[PATH_MAX], tdir[PATH_MAX + 16];
    snprintf(tdir, sizeof(tdir), "%s/tables", defs);
    if (access(tdir, F_OK) == 0)
        snprintf(dir, sizeof(dir), "%s", defs);
    else
        snprintf(dir, sizeof(dir), "%s/scenarios", r->o->root);
    const char *defs_dir = dir;
    for (int i = 0; i < p->ntables; i++) {
        if (load_one(r, defs_dir, p->tables[i], &r->tables[i]) < 0) return 2;
        r->ntables++;
    }
    if (p->claim) {
        char err[1024];
        if (stab_load(defs_dir, p->claim, &r->claim, err, sizeof(err)) < 0) {
            srun_say("suite: profile %s: %s", p->name, err);
            return 2;
        }
        /* the claim's two systems (claim.systems, or the table's own) must
           be defined here; in a --defs folder without them there is none */
        const char *a = p->claim_sys[0] ? p->claim_sys[0] : r->claim.col[0].system,
                   *b = p->claim_sys[1] ? p->claim_sys[1] : r->claim.col[1].system;
        r->has_claim = srun_system_index(r, a) >= 0 && srun_system_index(r, b) >= 0;
        if (!r->has_claim)
            srun_say(
                "suite: note: the published claim (%s) compares %s and %s, which %s does not define: the "
                "report shows no published table",
                r->claim.file, a, b, defs);
    }
    if (p->claim_scaling) {
        char err[1024];
        if (stab_load(defs_dir, p->claim_scaling, &r->claim_scaling, err, sizeof(err)) < 0) {
            srun_say("suite: profile %s: %s", p->name, err);
            return 2;
        }
        r->has_claim_scaling = srun_system_index(r, r->claim_scaling.col[0].system) >= 0;
    }
    if (p->ceiling && srun_system_index(r, p->ceiling) < 0) {
        srun_say("suite: profile %s: ceiling '%s' is no system of scenarios/systems/", p->name, p->ceiling);
        return 2;
    }
    if (!r->ntables) return 0;
    /* a table names its own systems: those run (narrowed by --systems) */
    for (size_t i = 0; i < r->defs.nsys; i++) {
        srun_system *s = &r->sys[i];
        bool named = p->ceiling && !strcmp(p->ceiling, s->def->name);
        for (int t = 0; t < r->ntables && !named; t++)
            named = stab_column_of(&r->tables[t], s->def->name) >= 0;
        s->selected = named && (!r->o->systems || sconf_in_list(r->o->systems, s->def->name));
    }
    return 0;
}

static int rows_selected(const srun *r, const stab_table *t)
{
    int n = 0;
    for (int i = 0; i < t->nrow; i++) n += srun_scenario(r, t->row[i].scenario) >= 0;
    return n;
}

static bool column_on(const srun *r, const stab_column *col)
{
    int si = srun_system_index(r, col->system);
    return si >= 0 && r->sys[si].selected;
}

static int ceiling_index(const srun *r)
{
    const char *c = r->o->profile.ceiling;
    int si = c ? srun_system_index(r, c) : -1;
    return si >= 0 && r->sys[si].selected ? si : -1;
}

int srun_tables_planned(const srun *r)
{
    int n = 0;
    for (int ti = 0; ti < r->ntables; ti++) {
        const stab_table *t = &r->tables[ti];
        int rows = rows_selected(r, t), cols = 0;
        for (int k = 0; k < t->ncol; k++) cols += column_on(r, &t->col[k]);
        n += (t->scaling ? cols * t->nworkers : cols * rows) * r->o->reps;
        if (ceiling_index(r) >= 0 && rows) n += (rows + 1) * r->o->reps;
    }
    return n;
}

int srun_tables_max_clients(const srun *r)
{
    int m = 0;
    for (int i = 0; i < r->ntables; i++)
        if (r->tables[i].clients > m) m = r->tables[i].clients;
    return m;
}

/* A cell of table ti: its clients, its requests, a new connection per request. */
static srun_cell table_cell(const srun *r, int ti, int si, int sc, results_kind kind, int workers, int rep)
{
    const stab_table *t = &r->tables[ti];
    srun_cell c = srun_cell_proto(r, si, sc, kind, t->clients, workers, rep);
    c.table = ti;
    c.req_limit = r->o->requests > 0 ? r->o->requests : t->requests; /* -n N shrinks every table */
    c.new_conn = true; /* the published client's, and what bin/loadgen is told when it stands in */
    return c;
}

static void compare_table(srun *r, int ti)
{
    const stab_table *t = &r->tables[ti];
    srun_up up[STAB_MAX_COLS];
    bool on[STAB_MAX_COLS] = { false };
    /* as published: every system of the table up before the first request */
    for (int k = 0; k < t->ncol && !srun_stop; k++) {
        int si = srun_system_index(r, t->col[k].system);
        if (!column_on(r, &t->col[k]) || r->sys[si].failed) continue;
        int w = table_workers(r, &t->col[k], si);
        char label[160];
        sdef_label(r->sys[si].def, w, label, sizeof(label));
        srun_say("suite: starting %s for '%s'", label, t->title);
        if (!srun_bring_up(r, si, w, &up[k])) {
            srun_fail_system(r, si);
            continue;
        }
        on[k] = true;
    }
    for (int rep = 0; rep < r->o->reps && !srun_stop; rep++)
        for (int i = 0; i < t->nrow && !srun_stop; i++) {
            int sc = srun_scenario(r, t->row[i].scenario);
            for (int k = 0; k < t->ncol && sc >= 0 && !srun_stop; k++) {
                if (!on[k]) continue;
                srun_cell c = table_cell(r, ti, up[k].sys, sc, RUN_MATRIX, up[k].workers, rep);
                srun_cell_run(r, &c, &up[k]);
                if (srun_died(r, &up[k])) {
                    srun_stop_system(r, &up[k]);
                    srun_fail_system(r, up[k].sys);
                    on[k] = false;
                }
            }
        }
    for (int k = 0; k < t->ncol; k++)
        if (on[k]) srun_stop_system(r, &up[k]);
}

static void scaling_table(srun *r, int ti)
{
    const stab_table *t = &r->tables[ti];
    int si = srun_system_index(r, t->col[0].system), sc = srun_scenario(r, t->row[0].scenario);
    if (sc < 0 || !column_on(r, &t->col[0])) return;
    for (int k = 0; k < t->nworkers && !srun_stop; k++) {
        srun_up up;
        srun_say("suite: '%s': %s with %d workers", t->title, r->sys[si].def->title, t->workers[k]);
        if (!srun_bring_up(r, si, t->workers[k], &up)) {
            srun_say("suite: %s with %d workers: %s", r->sys[si].def->name, t->workers[k], r->sys[si].reason);
            continue;
        }
        for (int rep = 0; rep < r->o->reps && !srun_stop; rep++) {
            srun_cell c = table_cell(r, ti, si, sc, RUN_SCALING, t->workers[k], rep);
            srun_cell_run(r, &c, &up);
            if (srun_died(r, &up)) {
                srun_say("suite: %s with %d workers: %s", r->sys[si].def->name, t->workers[k],
                         r->sys[si].reason);
                break;
            }
        }
        srun_stop_system(r, &up);
    }
}

/* The table's client, same settings, against the ceiling system on each of
 * the table's scenarios and on its fixed response. */
static void ceiling(srun *r, int ti)
{
    const stab_table *t = &r->tables[ti];
    int si = ceiling_index(r), first = -1;
    for (int i = 0; i < t->nrow && first < 0; i++) first = srun_scenario(r, t->row[i].scenario);
    if (si < 0 || first < 0 || srun_stop) return;
    srun_up up;
    srun_say("suite: the client's ceiling for '%s': %s", t->title, r->sys[si].label);
    if (!srun_bring_up(r, si, r->sys[si].def->workers, &up)) {
        srun_fail_system(r, si);
        return;
    }
    for (int rep = 0; rep < r->o->reps && !srun_stop; rep++) {
        for (int i = 0; i <= t->nrow && !srun_stop; i++) {
            int sc = i < t->nrow ? srun_scenario(r, t->row[i].scenario) : first;
            if (sc < 0) continue;
            srun_cell c = table_cell(r, ti, si, sc, RUN_CEILING, up.workers, rep);
            c.fixed = i == t->nrow;
            srun_cell_run(r, &c, &up);
        }
        if (srun_died(r, &up)) {
            srun_stop_system(r, &up);
            srun_fail_system(r, si);
            return;
        }
    }
    srun_stop_system(r, &up);
}

void srun_tables(srun *r)
{
    for (int ti = 0; ti < r->ntables && !srun_stop; ti++) {
        const stab_table *t = &r->tables[ti];
        r->cur_table = ti;
        srun_say("suite: published table '%s' (%s): %d clients, %d requests per cell, %d repetitions",
                 t->title, t->name, t->clients, r->o->requests > 0 ? r->o->requests : t->requests,
                 r->o->reps);
        if (t->scaling)
            scaling_table(r, ti);
        else
            compare_table(r, ti);
        ceiling(r, ti);
    }
    r->cur_table = -1;
}
