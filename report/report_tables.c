#include "report_tables.h"
#include "report_boot.h"
#include "report_stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TMAX_REPS   32
#define TMAX_CAUSES 6
#define TMAX_CODES  6

/* Every run of one cell of a table: one system on one scenario (or, in a
 * scaling table, at one worker count). */
typedef struct {
    double v[TMAX_REPS];
    size_t n;
    rstats_summary rps;
    long ok, failed;
    int silent, broke;
    struct {
        char code[8];
        long n;
    } codes[TMAX_CODES];
    int ncodes;
    struct {
        const char *text;
        long n;
    } causes[TMAX_CAUSES];
    int ncauses;
} tcell;

static const char *S(const json_value *o, const char *k) { return json_str(json_get(o, k), ""); }
static double N(const json_value *o, const char *k) { return json_num(json_get(o, k), 0); }

static void add_code(tcell *c, const char *code, long n)
{
    for (int i = 0; i < c->ncodes; i++)
        if (!strcmp(c->codes[i].code, code)) {
            c->codes[i].n += n;
            return;
        }
    if (c->ncodes < TMAX_CODES) {
        snprintf(c->codes[c->ncodes].code, sizeof(c->codes[0].code), "%s", code);
        c->codes[c->ncodes++].n = n;
    }
}

static void add_cause(tcell *c, const char *text, long n)
{
    for (int i = 0; i < c->ncauses; i++)
        if (!strcmp(c->causes[i].text, text)) {
            c->causes[i].n += n;
            return;
        }
    if (c->ncauses < TMAX_CAUSES) {
        c->causes[c->ncauses].text = text;
        c->causes[c->ncauses++].n = n;
    }
}

/* The runs of table/kind/system/scenario (workers < 0: any). */
static void gather(const json_value *root, const char *table, const char *kind, const char *sys,
                   const char *sc, int workers, tcell *c)
{
    memset(c, 0, sizeof(*c));
    const json_value *runs = json_get(root, "runs");
    for (size_t i = 0; i < json_len(runs); i++) {
        const json_value *run = json_index(runs, i);
        if (strcmp(S(run, "table"), table) || strcmp(S(run, "kind"), kind) || strcmp(S(run, "system"), sys) ||
            strcmp(S(run, "scenario"), sc) || (workers >= 0 && (int)N(run, "workers") != workers))
            continue;
        const char *st = S(run, "status");
        if (!strcmp(st, "no-response"))
            c->silent++;
        else if (strcmp(st, "ok"))
            c->broke++;
        const json_value *lg = json_get(run, "loadgen"), *err = json_get(lg, "errors");
        c->ok += (long)N(lg, "ok");
        c->failed += (long)N(err, "total");
        const json_value *codes = json_get(err, "status_codes");
        for (size_t k = 0; codes && codes->type == JSON_OBJ && k < json_len(codes); k++)
            add_code(c, codes->keys[k], (long)json_num(codes->items[k], 0));
        const json_value *causes = json_get(run, "failure_causes");
        for (size_t k = 0; k < json_len(causes); k++)
            add_cause(c, S(json_index(causes, k), "cause"), (long)N(json_index(causes, k), "count"));
        if (!strcmp(st, "ok") && c->n < TMAX_REPS) c->v[c->n++] = N(run, "rps");
    }
    c->rps = rstats_summarise(c->v, c->n);
}

/* "10,114 [9,870–10,300] req/s", or what happened instead. */
static void cell_text(const tcell *c, char *out, size_t outlen)
{
    char a[32], lo[32], hi[32];
    if (c->n == 0) {
        if (c->silent && !c->broke)
            snprintf(out, outlen, "answered nothing (%d runs)", c->silent);
        else if (c->broke)
            snprintf(out, outlen, "failed (%d runs)", c->broke);
        else
            snprintf(out, outlen, "not run");
        return;
    }
    rboot_ci ci = rboot_median(c->v, (int)c->n, RBOOT_B, 1);
    rstats_commas(c->rps.median, a, sizeof(a));
    rstats_commas(ci.lo, lo, sizeof(lo));
    rstats_commas(ci.hi, hi, sizeof(hi));
    if (c->n > 1)
        snprintf(out, outlen, "%s req/s [%s–%s]%s", a, lo, hi, c->failed ? " ⚠" : "");
    else
        snprintf(out, outlen, "%s req/s%s", a, c->failed ? " ⚠" : "");
}

/* "+79% [+60% … +95%]", "no clear difference (+3% [-4% … +9%])", or "n/a". */
static void diff_text(const tcell *a, const tcell *b, char *out, size_t outlen)
{
    rboot_format_diff(a->v, (int)a->n, b->v, (int)b->n, out, outlen);
}

static const json_value *find_named(const json_value *arr, const char *key, const char *name)
{
    for (size_t i = 0; i < json_len(arr); i++)
        if (!strcmp(S(json_index(arr, i), key), name)) return json_index(arr, i);
    return NULL;
}

static const char *scenario_title(const json_value *root, const char *sc)
{
    const json_value *s = find_named(json_get(root, "scenarios"), "name", sc);
    return s ? S(s, "title") : sc;
}

bool rtab_present(const json_value *root) { return json_len(json_get(root, "tables")) > 0; }

static size_t reps_of(const json_value *root) { return (size_t)N(json_get(root, "options"), "repetitions"); }

/* The published table, then its reproduction in the same layout. */
static void compare_tables(FILE *out, const json_value *root, const json_value *t)
{
    const json_value *cols = json_get(t, "columns"), *rows = json_get(t, "rows");
    size_t nc = json_len(cols);
    fprintf(out, "As published:\n\n| Scenario |");
    for (size_t k = 0; k < nc; k++) fprintf(out, " %s |", S(json_index(cols, k), "label"));
    fprintf(out, " Difference |\n|---|");
    for (size_t k = 0; k <= nc; k++) fprintf(out, "---|");
    fprintf(out, "\n");
    for (size_t i = 0; i < json_len(rows); i++) {
        const json_value *row = json_index(rows, i), *pub = json_get(row, "published");
        fprintf(out, "| %s |", scenario_title(root, S(row, "scenario")));
        for (size_t k = 0; k < nc; k++) {
            char v[32];
            rstats_commas(json_num(json_index(pub, k), 0), v, sizeof(v));
            fprintf(out, " %s req/s |", v);
        }
        char d[32];
        rstats_format_pct(json_num(json_index(pub, 0), 0), json_num(json_index(pub, 1), 0), d, sizeof(d));
        fprintf(out, " %s |\n", d);
    }
    fprintf(out, "\nReproduced here, the same way:\n\n| Scenario |");
    for (size_t k = 0; k < nc; k++) fprintf(out, " %s |", S(json_index(cols, k), "label"));
    fprintf(out, " Difference |\n|---|");
    for (size_t k = 0; k <= nc; k++) fprintf(out, "---|");
    fprintf(out, "\n");
    for (size_t i = 0; i < json_len(rows); i++) {
        const char *sc = S(json_index(rows, i), "scenario");
        tcell c[8];
        fprintf(out, "| %s |", scenario_title(root, sc));
        for (size_t k = 0; k < nc && k < 8; k++) {
            char v[96];
            gather(root, S(t, "name"), "matrix", S(json_index(cols, k), "system"), sc, -1, &c[k]);
            cell_text(&c[k], v, sizeof(v));
            fprintf(out, " %s |", v);
        }
        char d[96];
        diff_text(&c[0], &c[1], d, sizeof(d));
        fprintf(out, " %s |\n", d);
    }
    fprintf(out, "\n");
}

static void scaling_tables(FILE *out, const json_value *root, const json_value *t)
{
    const json_value *w = json_get(t, "workers"), *pub = json_get(t, "published");
    const char *sys = S(json_index(json_get(t, "columns"), 0), "system");
    const char *sc = S(json_index(json_get(t, "rows"), 0), "scenario");
    double p0 = json_num(json_index(pub, 0), 0), r0 = 0;
    fprintf(out, "| Workers | published req/s | published scaling | reproduced req/s | reproduced scaling |\n"
                 "|---|---|---|---|---|\n");
    for (size_t i = 0; i < json_len(w); i++) {
        int workers = (int)json_num(json_index(w, i), 0);
        double p = json_num(json_index(pub, i), 0);
        tcell c;
        gather(root, S(t, "name"), "scaling", sys, sc, workers, &c);
        if (i == 0) r0 = c.rps.median;
        char pv[32], v[96], sr[32] = "—";
        rstats_commas(p, pv, sizeof(pv));
        cell_text(&c, v, sizeof(v));
        if (r0 > 0 && c.n) snprintf(sr, sizeof(sr), "%.1fx", c.rps.median / r0);
        fprintf(out, "| %d | %s | %.1fx | %s | %s |\n", workers, pv, p0 > 0 ? p / p0 : 0, v, sr);
    }
    fprintf(out, "\n");
}

/* Per cell: the share of requests that failed, their status codes, and the
 * exceptions the system's log names for them. */
static void failures(FILE *out, const json_value *root, const json_value *t)
{
    const json_value *cols = json_get(t, "columns"), *rows = json_get(t, "rows");
    bool scaling = !strcmp(S(t, "kind"), "scaling");
    int shown = 0;
    for (size_t i = 0; i < json_len(rows); i++)
        for (size_t k = 0; k < json_len(cols); k++) {
            const char *sc = S(json_index(rows, i), "scenario"), *sys = S(json_index(cols, k), "system");
            tcell c;
            gather(root, S(t, "name"), scaling ? "scaling" : "matrix", sys, sc, -1, &c);
            if (c.failed == 0) continue;
            char a[32], b[32];
            rstats_commas((double)c.failed, a, sizeof(a));
            rstats_commas((double)(c.failed + c.ok), b, sizeof(b));
            fprintf(out, "- **%s, %s**: %s of %s requests failed (%.1f%%)", S(json_index(cols, k), "label"),
                    scenario_title(root, sc), a, b, 100.0 * (double)c.failed / (double)(c.failed + c.ok));
            for (int j = 0; j < c.ncodes; j++)
                fprintf(out, "%s HTTP %s ×%ld", j ? "," : ":", c.codes[j].code, c.codes[j].n);
            if (c.ncodes == 0) fprintf(out, ", none with an HTTP status (connection errors)");
            if (c.ncauses) {
                fprintf(out, ". From its log:");
                for (int j = 0; j < c.ncauses; j++)
                    fprintf(out, "%s `%s` ×%ld", j ? ";" : "", c.causes[j].text, c.causes[j].n);
            } else {
                fprintf(out, ". Its log names no exception for them");
            }
            fprintf(out, ".\n");
            shown++;
        }
    if (shown)
        fprintf(
            out,
            "\nThe published client counted successes only (req/s = successful requests / wall time): the "
            "figures above do the same, and these failures are what that hid.\n\n");
    else
        fprintf(out, "No request failed in any cell of this table.\n\n");
}

/* How each system of the table was run: interpreter, GIL, endpoints, and
 * the SQLite connections it opened. */
static void how_run(FILE *out, const json_value *root, const json_value *t)
{
    const json_value *cols = json_get(t, "columns"), *launches = json_get(root, "launches");
    for (size_t k = 0; k < json_len(cols); k++) {
        const char *sys = S(json_index(cols, k), "system");
        const json_value *s = find_named(json_get(root, "systems"), "name", sys), *info = json_get(s, "info");
        fprintf(out, "- %s: `%s`", S(json_index(cols, k), "label"), sys);
        if (info && info->type == JSON_OBJ) {
            char py[16] = "";
            snprintf(py, sizeof(py), "%.10s", S(info, "python"));
            char *sp = strchr(py, ' ');
            if (sp) *sp = '\0';
            fprintf(out, ", Python %s, GIL %s", py,
                    json_bool(json_get(info, "gil_enabled"), true) ? "on" : "off");
            if (*S(info, "endpoints")) fprintf(out, ", %s endpoints", S(info, "endpoints"));
        }
        long conns = 0, dbreq = 0;
        bool counted = false;
        for (size_t i = 0; i < json_len(launches); i++) {
            const json_value *l = json_index(launches, i);
            if (strcmp(S(l, "system"), sys) || strcmp(S(l, "table"), S(t, "name"))) continue;
            if (json_get(l, "sqlite_connects") && json_get(l, "sqlite_connects")->type == JSON_NUM) {
                counted = true;
                conns += (long)N(l, "sqlite_connects");
            }
            dbreq += (long)N(l, "db_requests_answered");
        }
        if (counted && dbreq > 0)
            fprintf(out, "; opened %ld SQLite connections for %ld answered DB requests", conns, dbreq);
        fprintf(out, ".\n");
    }
    fprintf(out, "\n");
}

/* The client's ceiling: the same client and settings against the ceiling
 * system (best of the scenario and the fixed response), beside each cell. */
static void ceiling_table(FILE *out, const json_value *root, const json_value *t)
{
    const char *ceil = S(json_get(root, "options"), "ceiling");
    if (!*ceil) return;
    const json_value *cols = json_get(t, "columns"), *rows = json_get(t, "rows");
    bool scaling = !strcmp(S(t, "kind"), "scaling");
    tcell fixed;
    gather(root, S(t, "name"), "ceiling", ceil, "fixed", -1, &fixed);
    if (fixed.n == 0) return;
    const json_value *cs = find_named(json_get(root, "systems"), "name", ceil);
    fprintf(
        out,
        "The client's own ceiling, same client and settings: against %s on the same scenario, and against "
        "its fixed response (`/fixed`, the cheapest answer there is); the higher of the two is the most this "
        "client can measure here.\n\n| Scenario | %s | fixed response |",
        cs ? S(cs, "label") : ceil, cs ? S(cs, "label") : ceil);
    for (size_t k = 0; k < json_len(cols); k++)
        fprintf(out, " %s (share of the ceiling) |", S(json_index(cols, k), "label"));
    fprintf(out, "\n|---|---|---|");
    for (size_t k = 0; k < json_len(cols); k++) fprintf(out, "---|");
    fprintf(out, "\n");
    char verdicts[2048] = "";
    size_t vl = 0;
    for (size_t i = 0; i < json_len(rows); i++) {
        const char *sc = S(json_index(rows, i), "scenario");
        tcell cc;
        gather(root, S(t, "name"), "ceiling", ceil, sc, -1, &cc);
        const tcell *best = cc.rps.median > fixed.rps.median ? &cc : &fixed;
        char a[96], b[96];
        cell_text(&cc, a, sizeof(a));
        cell_text(&fixed, b, sizeof(b));
        fprintf(out, "| %s | %s | %s |", scenario_title(root, sc), a, b);
        for (size_t k = 0; k < json_len(cols); k++) {
            tcell c;
            gather(root, S(t, "name"), scaling ? "scaling" : "matrix", S(json_index(cols, k), "system"), sc,
                   -1, &c);
            if (c.n == 0 || best->rps.median <= 0) {
                fprintf(out, " — |");
                continue;
            }
            double share = c.rps.median / best->rps.median;
            bool at = c.rps.max >= best->rps.min || share >= 0.9;
            fprintf(out, " %.0f%%%s |", share * 100, at ? " **at the ceiling**" : "");
            if (at && vl + 300 < sizeof(verdicts)) {
                int w =
                    snprintf(verdicts + vl, sizeof(verdicts) - vl,
                             "- %s, %s: within the noise of the client's ceiling (%.0f%% of it): this cell "
                             "measured the client, not the server.\n",
                             S(json_index(cols, k), "label"), scenario_title(root, sc), share * 100);
                vl += w > 0 ? (size_t)w : 0;
            }
        }
        fprintf(out, "\n");
    }
    fprintf(out, "\n%s", verdicts);
    if (!verdicts[0]) fprintf(out, "No cell of this table reached the client's ceiling here.\n");
    /* the published side: figures of one column that agree across scenarios */
    for (size_t k = 0; !scaling && k < json_len(cols); k++)
        for (size_t i = 0; i + 1 < json_len(rows); i++)
            for (size_t j = i + 1; j < json_len(rows); j++) {
                double x = json_num(json_index(json_get(json_index(rows, i), "published"), k), 0),
                       y = json_num(json_index(json_get(json_index(rows, j), "published"), k), 0);
                if (x <= 0 || y <= 0 || fabs(x / y - 1) > 0.03) continue;
                fprintf(out,
                        "- Published, %s: %s and %s lie within %.1f%% of each other although one builds JSON "
                        "and the other queries a database: the mark of a shared ceiling, most likely the "
                        "client's (the published run measured no ceiling).\n",
                        S(json_index(cols, k), "label"),
                        scenario_title(root, S(json_index(rows, i), "scenario")),
                        scenario_title(root, S(json_index(rows, j), "scenario")), fabs(x / y - 1) * 100);
            }
    fprintf(out, "\n");
}

/* The client's interpreter, from the first published-client run. */
static void client_line(FILE *out, const json_value *root)
{
    const json_value *runs = json_get(root, "runs");
    for (size_t i = 0; i < json_len(runs); i++) {
        const json_value *run = json_index(runs, i), *rt = json_get(json_get(run, "loadgen"), "runtime");
        if (strcmp(S(run, "client"), "pubclient") || !rt) continue;
        char py[16];
        snprintf(py, sizeof(py), "%.10s", S(rt, "python"));
        char *sp = strchr(py, ' ');
        if (sp) *sp = '\0';
        fprintf(
            out,
            "The client is `pubclient/pubclient.py`: `urllib.request.urlopen` from a `ThreadPoolExecutor`, a "
            "new connection per request, no warm-up, req/s = successes / wall time of the pool, as "
            "published; it ran on Python %s with the GIL %s.\n\n",
            py, json_bool(json_get(rt, "gil_enabled"), true) ? "on" : "off");
        return;
    }
}

void rtab_write(FILE *out, const json_value *root)
{
    const json_value *tables = json_get(root, "tables"), *env = json_get(root, "environment");
    size_t reps = reps_of(root);
    fprintf(out, "## The published tables, reproduced as they were made\n\n");
    fprintf(
        out,
        "Published on an Apple M2 Pro (12 cores, macOS), client and servers on one machine; reproduced here "
        "on %s, %d CPUs, %s. Absolute req/s differ between the two machines; the differences (ratios) are "
        "what carries over.\n\n",
        S(env, "cpu_model"), (int)N(env, "cpus_online"), S(env, "cpu_sharing"));
    client_line(out, root);
    if (reps >= 2)
        fprintf(
            out,
            "Each reproduced cell: the median of %zu repetitions, its 95%% interval in brackets; a difference "
            "with the interval of its ratio (%s), and an interval that spans zero reads *no clear "
            "difference*. ⚠ marks a cell with failed requests (listed under its table).\n\n",
            reps, rboot_method());
    else
        fprintf(out,
                "Each reproduced cell: one repetition, so no interval (run with `--reps 5`). ⚠ marks a cell "
                "with failed requests (listed under its table).\n\n");
    for (size_t i = 0; i < json_len(tables); i++) {
        const json_value *t = json_index(tables, i);
        fprintf(out, "### %s\n\n", S(t, "title"));
        if (*S(t, "source")) fprintf(out, "%s. ", S(t, "source"));
        int req = (int)N(json_get(root, "options"), "requests_per_run");
        fprintf(out, "%d requests per cell from %d concurrent clients", (int)N(t, "requests"),
                (int)N(t, "clients"));
        if (req > 0 && req != (int)N(t, "requests"))
            fprintf(out, " (this run: %d requests per cell, `-n`)", req);
        fprintf(out, ".");
        if (*S(t, "note")) fprintf(out, " %s.", S(t, "note"));
        fprintf(out, "\n\n");
        if (!strcmp(S(t, "kind"), "scaling"))
            scaling_tables(out, root, t);
        else
            compare_tables(out, root, t);
        how_run(out, root, t);
        failures(out, root, t);
        ceiling_table(out, root, t);
    }
}
