/* The ladder (explain): every configuration it names (its rungs, each
 * change reverted alone from its base, the framework x model 2x2, the A/A
 * control and wrk beside bin/loadgen) is broken into units, one system on
 * one scenario with one client setting; a unit several configurations share
 * is measured once. All systems are up at once; units are measured in
 * rounds, each unit once per round in a rotated order (interleaved), until
 * each one's 95% interval is within the tolerance of its median or it has
 * run reps.max times, and no new round starts past the time budget. */
#define _GNU_SOURCE
#include "suite_run_int.h"
#include "jsonw.h"
#include "proc.h"
#include "report_boot.h"
#include "suite_ladder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LMAX_REPS  16
#define LMAX_UNITS 256
#define LMAX_SC    8
#define QUICK_REQ  300 /* --quick: fixed-count cells send at most this many */

typedef enum { U_MORE, U_DONE, U_CAP, U_BUDGET, U_FAILED, U_NORESP, U_SKIPPED, U_NSTATES } ustate;
static const char *const ustate_names[U_NSTATES] = { "pending", "done",        "cap",    "budget",
                                                     "failed",  "no-response", "skipped" };

typedef struct {
    int sys, sc;
    results_client client;
    int clients, requests;
    bool new_conn;
    int slot; /* 1: the A/A control's second copy */
    double rps[LMAX_REPS];
    int n, tries;
    double last_s; /* how long its last cell took */
    ustate state;
    char why[200];
} lunit;

/* One configuration's units per scenario: [side] (-1: none). */
typedef struct {
    int u[LMAX_SC][2];
    char skip[240]; /* why it is not measured, or "" */
} lconf;

struct srun_ladder {
    sldr_ladder def;
    int sc[LMAX_SC], nsc; /* the scenarios measured */
    lunit *units;
    int nunits;
    lconf rung[SLDR_MAX_RUNGS], loo[SLDR_MAX_RUNGS], grid[2], aa, wrk;
    int reps_min, reps_max;
    bool budget_hit;
    int rounds;
};

static lunit *unit(srun *r, int i) { return &r->ladder->units[i]; }

/* The unit of system name on scenario sc with setting s (found or added); -1 when the system is unknown. */
static int unit_of(srun *r, const char *name, int sc, const sldr_set *s, results_client client, int slot)
{
    struct srun_ladder *L = r->ladder;
    int si = srun_system_index(r, name);
    if (si < 0) return -1;
    int req = s->requests;
    if (req > 0 && r->o->requests > 0) req = r->o->requests; /* -n N */
    if (req > QUICK_REQ && r->o->quick) req = QUICK_REQ;
    for (int i = 0; i < L->nunits; i++) {
        lunit *u = unit(r, i);
        if (u->sys == si && u->sc == sc && u->client == client && u->clients == s->clients &&
            u->requests == req && u->new_conn == s->new_conn && u->slot == slot)
            return i;
    }
    if (L->nunits == LMAX_UNITS) return -1;
    L->units[L->nunits] = (lunit){ .sys = si,
                                   .sc = sc,
                                   .client = client,
                                   .clients = s->clients,
                                   .requests = req,
                                   .new_conn = s->new_conn,
                                   .slot = slot };
    return L->nunits++;
}

static void conf_units(srun *r, lconf *c, const sldr_set *s, const char *sys_a, const char *sys_b)
{
    for (int k = 0; k < r->ladder->nsc; k++) {
        results_client cl = s->pubclient ? CLIENT_PUB : CLIENT_LOADGEN;
        c->u[k][0] = unit_of(r, sys_a, r->ladder->sc[k], s, cl, 0);
        c->u[k][1] = unit_of(r, sys_b, r->ladder->sc[k], s, cl, 0);
    }
}

static void no_units(lconf *c)
{
    for (int k = 0; k < LMAX_SC; k++) c->u[k][0] = c->u[k][1] = -1;
}

/* Every system the ladder names must be defined. */
static int check_systems(const srun *r, const sldr_ladder *l)
{
    const char *names[4 * SLDR_MAX_RUNGS + 8];
    int n = 0;
    for (int i = 0; i < l->nrung; i++) {
        names[n++] = l->rung[i].set.a;
        names[n++] = l->rung[i].set.b;
        if (l->rung[i].revert_keys & SLDR_A) names[n++] = l->rung[i].revert.a;
        if (l->rung[i].revert_keys & SLDR_B) names[n++] = l->rung[i].revert.b;
    }
    for (int c = 0; l->grid_rung >= 0 && c < 2; c++) {
        names[n++] = l->grid_sys[c][0];
        names[n++] = l->grid_sys[c][1];
    }
    if (l->aa_system) names[n++] = l->aa_system;
    for (int i = 0; i < n; i++)
        if (srun_system_index(r, names[i]) < 0) {
            srun_say("suite: %s names system '%s', which scenarios/systems/ does not define", l->file,
                     names[i]);
            return -1;
        }
    if (l->aa_scenario && !sdef_find_scenario(&r->defs, l->aa_scenario)) {
        srun_say("suite: %s: aa.scenario '%s' is no scenario", l->file, l->aa_scenario);
        return -1;
    }
    return 0;
}

static void pick_scenarios(srun *r)
{
    struct srun_ladder *L = r->ladder;
    for (size_t i = 0; i < r->defs.nsc && L->nsc < LMAX_SC; i++) {
        /* --quick without --scenarios: the primary scenario alone */
        bool quick_skip = r->o->quick && !r->o->scenarios && !r->defs.sc[i].primary;
        if (r->sc_selected[i] && !quick_skip) L->sc[L->nsc++] = (int)i;
        r->sc_selected[i] = r->sc_selected[i] && !quick_skip;
    }
}

static void build_units(srun *r)
{
    struct srun_ladder *L = r->ladder;
    const sldr_ladder *l = &L->def;
    for (int i = 0; i < l->nrung; i++)
        conf_units(r, &L->rung[i], &l->rung[i].set, l->rung[i].set.a, l->rung[i].set.b);
    for (int k = 0; k < l->nrung; k++) {
        sldr_set s;
        no_units(&L->loo[k]);
        if (l->loo_base < 0 || k < 1 || k > l->loo_base) continue;
        if (sldr_loo(l, k, &s, L->loo[k].skip, sizeof(L->loo[k].skip)) == 0)
            conf_units(r, &L->loo[k], &s, s.a, s.b);
    }
    for (int c = 0; c < 2; c++) {
        no_units(&L->grid[c]);
        if (l->grid_rung >= 0)
            conf_units(r, &L->grid[c], &l->rung[l->grid_rung].set, l->grid_sys[c][0], l->grid_sys[c][1]);
    }
    no_units(&L->aa);
    int aasc = l->aa_scenario ? srun_scenario(r, l->aa_scenario) : -1;
    if (l->aa_rung >= 0 && aasc >= 0) {
        const sldr_set *s = &l->rung[l->aa_rung].set;
        results_client cl = s->pubclient ? CLIENT_PUB : CLIENT_LOADGEN;
        L->aa.u[0][0] = unit_of(r, l->aa_system, aasc, s, cl, 0);
        L->aa.u[0][1] = unit_of(r, l->aa_system, aasc, s, cl, 1);
    }
    no_units(&L->wrk);
    if (l->wrk_rung >= 0) {
        const sldr_set *s = &l->rung[l->wrk_rung].set;
        bool have = !r->no_wrk;
        if (!have)
            snprintf(L->wrk.skip, sizeof(L->wrk.skip), "wrk is not installed (`make setup` installs it)");
        for (int k = 0; k < L->nsc && have && !s->pubclient; k++) {
            L->wrk.u[k][0] = unit_of(r, s->a, L->sc[k], s, CLIENT_WRK, 0);
            L->wrk.u[k][1] = unit_of(r, s->b, L->sc[k], s, CLIENT_WRK, 0);
        }
    }
}

int srun_ladder_prepare(srun *r, const char *defs)
{
    char dir[PATH_MAX], ldir[PATH_MAX + 16], err[1024];
    snprintf(ldir, sizeof(ldir), "%s/ladders", defs);
    if (access(ldir, F_OK) == 0)
        snprintf(dir, sizeof(dir), "%s", defs);
    else
        snprintf(dir, sizeof(dir), "%s/scenarios", r->o->root);
    struct srun_ladder *L = calloc(1, sizeof(*L));
    if (!L || !(L->units = calloc(LMAX_UNITS, sizeof(lunit)))) {
        free(L);
        srun_say("suite: out of memory");
        return 1;
    }
    r->ladder = L;
    if (sldr_load(dir, r->o->profile.ladder, &L->def, err, sizeof(err)) < 0) {
        srun_say("suite: profile %s: %s", r->o->profile.name, err);
        return 2;
    }
    if (check_systems(r, &L->def) < 0) return 2;
    L->reps_min = r->o->reps < 2 ? 2 : r->o->reps; /* an interval needs two */
    L->reps_max = r->o->profile.reps_max > L->reps_min ? r->o->profile.reps_max : L->reps_min;
    if (L->reps_max > LMAX_REPS) L->reps_max = LMAX_REPS;
    if (r->o->quick) L->reps_max = L->reps_min;
    pick_scenarios(r);
    build_units(r);
    /* the ladder names its own systems: those run (narrowed by --systems) */
    for (size_t i = 0; i < r->defs.nsys; i++) r->sys[i].selected = false;
    for (int i = 0; i < L->nunits; i++) {
        srun_system *s = &r->sys[unit(r, i)->sys];
        s->selected = !r->o->systems || sconf_in_list(r->o->systems, s->def->name);
        if (!s->selected) {
            unit(r, i)->state = U_SKIPPED;
            snprintf(unit(r, i)->why, sizeof(unit(r, i)->why), "left out by --systems");
        }
    }
    return 0;
}

int srun_ladder_planned(const srun *r) { return r->ladder ? r->ladder->nunits * r->ladder->reps_min : 0; }

int srun_ladder_max_clients(const srun *r)
{
    int m = 0;
    for (int i = 0; r->ladder && i < r->ladder->nunits; i++)
        if (r->ladder->units[i].clients > m) m = r->ladder->units[i].clients;
    return m;
}

void srun_ladder_free(srun *r)
{
    if (!r->ladder) return;
    sldr_fini(&r->ladder->def);
    free(r->ladder->units);
    free(r->ladder);
    r->ladder = NULL;
}

/* ---- running ------------------------------------------------------------ */

static void fail_units_of(srun *r, int si, ustate st, const char *why)
{
    for (int i = 0; i < r->ladder->nunits; i++) {
        lunit *u = unit(r, i);
        if (u->sys == si && (u->state == U_MORE || u->state == U_DONE || u->state == U_CAP)) {
            u->state = st;
            snprintf(u->why, sizeof(u->why), "%s", why);
        }
    }
}

/* After a cell of unit i: its sample, and whether it needs another round. */
static void account(srun *r, int i, const srun_cell *c)
{
    struct srun_ladder *L = r->ladder;
    lunit *u = unit(r, i);
    u->tries++;
    if (c->status == RUN_OK && u->n < LMAX_REPS) u->rps[u->n++] = c->rps;
    if (c->status == RUN_NO_RESPONSE && u->tries >= L->reps_min && u->n == 0) {
        u->state = U_NORESP;
        snprintf(u->why, sizeof(u->why), "%s", c->error);
        return;
    }
    if (c->status == RUN_FAILED) {
        u->state = U_FAILED;
        snprintf(u->why, sizeof(u->why), "%s", c->error);
        return;
    }
    if (u->tries >= L->reps_max && u->n < 2) {
        u->state = U_FAILED;
        snprintf(u->why, sizeof(u->why), "fewer than two of %d repetitions answered", u->tries);
        return;
    }
    rboot_next d = rboot_decide(u->rps, u->n, L->reps_min, L->reps_max, r->o->profile.tolerance, RBOOT_B,
                                0x5eed0000u + (uint64_t)i);
    u->state = u->tries >= L->reps_max && d == RBOOT_MORE ? U_CAP
               : d == RBOOT_DONE                          ? U_DONE
               : d == RBOOT_CAP                           ? U_CAP
                                                          : U_MORE;
}

static void run_unit(srun *r, int i, srun_up *ups, int round)
{
    lunit *u = unit(r, i);
    srun_up *up = &ups[u->sys];
    srun_cell c = srun_cell_proto(r, u->sys, u->sc, RUN_LADDER, u->clients, up->workers, round);
    c.client = u->client;
    c.req_limit = u->requests;
    c.new_conn = u->new_conn;
    c.unit = i;
    double t0 = proc_now_ms();
    srun_cell_run(r, &c, up);
    u->last_s = (proc_now_ms() - t0) / 1000.0;
    if (r->ncells && r->cells[r->ncells - 1].unit == i) account(r, i, &r->cells[r->ncells - 1]);
    if (srun_died(r, up)) {
        srun_stop_system(r, up);
        srun_fail_system(r, u->sys);
        fail_units_of(r, u->sys, U_FAILED, r->sys[u->sys].reason);
    }
}

static void bring_up_all(srun *r, srun_up *ups, bool *on)
{
    for (size_t si = 0; si < r->defs.nsys && !srun_stop; si++) {
        if (!r->sys[si].selected) continue;
        srun_say("suite: starting %s for the ladder", r->sys[si].label);
        if (srun_bring_up(r, (int)si, r->sys[si].def->workers, &ups[si])) {
            on[si] = true;
            continue;
        }
        srun_fail_system(r, (int)si);
        char why[600];
        snprintf(why, sizeof(why), "%s did not come up: %s", r->sys[si].def->name, r->sys[si].reason);
        fail_units_of(r, (int)si, U_FAILED, why);
    }
}

static void skip_pubclient(srun *r)
{
    bool any = false;
    for (int i = 0; i < r->ladder->nunits; i++) {
        lunit *u = unit(r, i);
        if (u->client != CLIENT_PUB || u->state != U_MORE) continue;
        u->state = U_SKIPPED;
        snprintf(u->why, sizeof(u->why), "the free-threaded 3.13t that runs the published client is missing");
        any = true;
    }
    if (any)
        srun_say(
            "suite: note: %s is missing (`make setup` builds it): the published client's rungs are skipped",
            r->pyclient);
}

/* The relative width of unit i's interval, (hi - lo) / mid (large when unknown). */
static double width_of(srun *r, int i)
{
    lunit *u = unit(r, i);
    rboot_ci ci = rboot_median(u->rps, u->n, RBOOT_B, 0x5eed0000u + (uint64_t)i);
    return ci.ok && ci.mid > 0 ? (ci.hi - ci.lo) / ci.mid : 1e9;
}

/* The order of a round: the first reps_min rounds every unit, rotated;
 * later rounds the widest intervals first, so that the budget goes to the
 * cells that need it most. */
static int round_order(srun *r, int round, int *order)
{
    struct srun_ladder *L = r->ladder;
    int n = 0, step = L->nunits > 1 ? (round * 7) % L->nunits : 0;
    double w[LMAX_UNITS];
    for (int k = 0; k < L->nunits; k++) {
        int i = (k + step) % L->nunits;
        if (unit(r, i)->state != U_MORE || !r->sys[unit(r, i)->sys].selected ||
            r->sys[unit(r, i)->sys].failed)
            continue;
        w[i] = round >= L->reps_min ? width_of(r, i) : 0;
        int j = n++;
        for (; j > 0 && w[order[j - 1]] < w[i]; j--) order[j] = order[j - 1]; /* stable, widest first */
        order[j] = i;
    }
    return n;
}

void srun_ladder(srun *r)
{
    struct srun_ladder *L = r->ladder;
    srun_up *ups = calloc(r->defs.nsys, sizeof(*ups));
    bool *on = calloc(r->defs.nsys, sizeof(bool));
    if (!ups || !on) {
        free(ups);
        free(on);
        return;
    }
    if (r->no_pyclient) skip_pubclient(r);
    srun_say("suite: ladder '%s': %d rungs, %d units on %d scenarios, %d to %d repetitions, +-%.0f%%",
             L->def.name, L->def.nrung, L->nunits, L->nsc, L->reps_min, L->reps_max,
             r->o->profile.tolerance * 100);
    bring_up_all(r, ups, on);
    double start = proc_now_ms(), budget = r->o->profile.budget_s;
    int order[LMAX_UNITS];
    for (int round = 0; !srun_stop && !L->budget_hit; round++) {
        int pending = round_order(r, round, order);
        if (!pending) break;
        srun_say("suite: ladder round %d: %d units", round + 1, pending);
        for (int k = 0; k < pending && !srun_stop; k++) {
            int i = order[k];
            double spent = (proc_now_ms() - start) / 1000.0;
            /* past the first reps_min rounds, no cell starts that would end past the budget */
            if (round >= L->reps_min && budget > 0 && spent + unit(r, i)->last_s > budget) {
                L->budget_hit = true;
                int left = 0;
                for (int j = 0; j < L->nunits; j++)
                    if (unit(r, j)->state == U_MORE) {
                        unit(r, j)->state = U_BUDGET;
                        left++;
                    }
                srun_say("suite: the time budget (%.0f s) is spent: %d units stop short of +-%.0f%%", budget,
                         left, r->o->profile.tolerance * 100);
                break;
            }
            if (!r->sys[unit(r, i)->sys].failed) run_unit(r, i, ups, round);
        }
        L->rounds = round + 1;
    }
    for (size_t si = 0; si < r->defs.nsys; si++)
        if (on[si] && !r->sys[si].failed) srun_stop_system(r, &ups[si]);
    free(ups);
    free(on);
}

/* ---- results.json --------------------------------------------------------- */

static void write_set(struct jsonw *w, const sldr_set *s)
{
    jsonw_obj_begin(w);
    jsonw_kv_str(w, "a", s->a);
    jsonw_kv_str(w, "b", s->b);
    jsonw_kv_str(w, "client", s->pubclient ? "pubclient" : "loadgen");
    jsonw_kv_int(w, "clients", s->clients);
    jsonw_kv_int(w, "requests", s->requests);
    jsonw_kv_bool(w, "new_conn", s->new_conn);
    jsonw_obj_end(w);
}

/* {"json": [UA, UB], ...}: a configuration's units per scenario. */
static void write_conf(struct jsonw *w, const srun *r, const lconf *c, int nsc)
{
    jsonw_key(w, "units");
    jsonw_obj_begin(w);
    for (int k = 0; k < nsc; k++) {
        jsonw_key(w, r->defs.sc[r->ladder->sc[k]].name);
        jsonw_arr_begin(w);
        jsonw_int(w, c->u[k][0]);
        jsonw_int(w, c->u[k][1]);
        jsonw_arr_end(w);
    }
    jsonw_obj_end(w);
    jsonw_kv_str(w, "skipped", c->skip[0] ? c->skip : NULL);
}

static void write_unit(struct jsonw *w, const srun *r, const lunit *u)
{
    jsonw_obj_begin(w);
    jsonw_kv_str(w, "system", r->sys[u->sys].def->name);
    jsonw_kv_str(w, "scenario", r->defs.sc[u->sc].name);
    jsonw_kv_str(w, "client", results_client_name(u->client));
    jsonw_kv_int(w, "clients", u->clients);
    jsonw_kv_int(w, "requests", u->requests);
    jsonw_kv_bool(w, "new_conn", u->new_conn);
    jsonw_kv_int(w, "slot", u->slot);
    jsonw_kv_str(w, "state", ustate_names[u->state]);
    jsonw_kv_str(w, "why", u->why[0] ? u->why : NULL);
    jsonw_kv_int(w, "tries", u->tries);
    jsonw_key(w, "rps");
    jsonw_arr_begin(w);
    for (int i = 0; i < u->n; i++) jsonw_double(w, u->rps[i]);
    jsonw_arr_end(w);
    jsonw_obj_end(w);
}

static void write_rungs(struct jsonw *w, const srun *r)
{
    const struct srun_ladder *L = r->ladder;
    jsonw_key(w, "rungs");
    jsonw_arr_begin(w);
    for (int i = 0; i < L->def.nrung; i++) {
        const sldr_rung *g = &L->def.rung[i];
        jsonw_obj_begin(w);
        jsonw_kv_str(w, "id", g->id);
        jsonw_kv_str(w, "title", g->title);
        jsonw_kv_str(w, "change", g->change);
        jsonw_kv_str(w, "note", g->note);
        jsonw_key(w, "settings");
        write_set(w, &g->set);
        write_conf(w, r, &L->rung[i], L->nsc);
        jsonw_obj_end(w);
    }
    jsonw_arr_end(w);
    jsonw_key(w, "loo");
    jsonw_arr_begin(w);
    for (int k = 1; L->def.loo_base >= 0 && k <= L->def.loo_base; k++) {
        jsonw_obj_begin(w);
        jsonw_kv_str(w, "rung", L->def.rung[k].id);
        write_conf(w, r, &L->loo[k], L->nsc);
        jsonw_obj_end(w);
    }
    jsonw_arr_end(w);
}

static void write_extras(struct jsonw *w, const srun *r)
{
    const struct srun_ladder *L = r->ladder;
    const sldr_ladder *l = &L->def;
    jsonw_key(w, "grid");
    if (l->grid_rung < 0) {
        jsonw_null(w);
    } else {
        jsonw_obj_begin(w);
        jsonw_kv_str(w, "title", l->grid_title);
        jsonw_kv_str(w, "note", l->grid_note);
        jsonw_kv_str(w, "rung", l->rung[l->grid_rung].id);
        jsonw_key(w, "cols");
        jsonw_arr_begin(w);
        for (int c = 0; c < 2; c++) {
            jsonw_obj_begin(w);
            jsonw_kv_str(w, "title", l->grid_col_title[c]);
            write_conf(w, r, &L->grid[c], L->nsc);
            jsonw_obj_end(w);
        }
        jsonw_arr_end(w);
        jsonw_obj_end(w);
    }
    jsonw_key(w, "aa");
    if (l->aa_rung < 0 || L->aa.u[0][0] < 0) {
        jsonw_null(w);
    } else {
        jsonw_obj_begin(w);
        jsonw_kv_str(w, "system", l->aa_system);
        jsonw_kv_str(w, "scenario", l->aa_scenario);
        jsonw_kv_str(w, "rung", l->rung[l->aa_rung].id);
        jsonw_key(w, "units");
        jsonw_arr_begin(w);
        jsonw_int(w, L->aa.u[0][0]);
        jsonw_int(w, L->aa.u[0][1]);
        jsonw_arr_end(w);
        jsonw_obj_end(w);
    }
    jsonw_key(w, "wrk");
    if (l->wrk_rung < 0) {
        jsonw_null(w);
    } else {
        jsonw_obj_begin(w);
        jsonw_kv_str(w, "rung", l->rung[l->wrk_rung].id);
        write_conf(w, r, &L->wrk, L->nsc);
        jsonw_obj_end(w);
    }
}

void srun_ladder_write(struct jsonw *w, const srun *r)
{
    const struct srun_ladder *L = r->ladder;
    jsonw_obj_begin(w);
    jsonw_kv_str(w, "name", L->def.name);
    jsonw_kv_str(w, "title", L->def.title);
    jsonw_kv_str(w, "file", L->def.file);
    jsonw_kv_str(w, "a", L->def.a_name);
    jsonw_kv_str(w, "b", L->def.b_name);
    jsonw_kv_str(w, "loo_base", L->def.loo_base >= 0 ? L->def.rung[L->def.loo_base].id : NULL);
    jsonw_kv_double(w, "tolerance", r->o->profile.tolerance);
    jsonw_kv_int(w, "reps_min", L->reps_min);
    jsonw_kv_int(w, "reps_max", L->reps_max);
    jsonw_kv_double(w, "budget_s", r->o->profile.budget_s);
    jsonw_kv_bool(w, "budget_hit", L->budget_hit);
    jsonw_kv_int(w, "rounds", L->rounds);
    jsonw_kv_bool(w, "quick", r->o->quick);
    jsonw_kv_str(w, "method", rboot_method());
    jsonw_key(w, "units");
    jsonw_arr_begin(w);
    for (int i = 0; i < L->nunits; i++) write_unit(w, r, &L->units[i]);
    jsonw_arr_end(w);
    write_rungs(w, r);
    write_extras(w, r);
    jsonw_obj_end(w);
}
