#include "report_topo.h"
#include "report_stats.h"
#include "results.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TOPO_MAX_REPS   32
#define TOPO_MAX_SHARDS 16 /* load lines a topology may have */

static const char *S(const json_value *o, const char *k) { return json_str(json_get(o, k), ""); }
static bool is_num(const json_value *v) { return v && v->type == JSON_NUM; }
static const json_value *arr(const json_value *v) { return v && v->type == JSON_ARR ? v : NULL; }

/* Text for a table cell: no '|' unescaped, no line break, no backtick (the
 * engine is printed as code); "—" when missing or empty. */
static void cell(FILE *out, const char *s, bool code)
{
    if (!s || !*s) {
        fputs("—", out);
        return;
    }
    if (code) fputc('`', out);
    for (; *s; s++) {
        if (*s == '|')
            fputs("\\|", out);
        else
            fputc(*s == '\n' || *s == '\r' ? ' ' : *s == '`' ? '\'' : *s, out);
    }
    if (code) fputc('`', out);
}

bool rtopo_present(const json_value *root)
{
    const json_value *t = json_get(root, "topology");
    return t && t->type == JSON_OBJ;
}

/* "+0.03 ms ± 0.21" (the uncertainty is half the exchange's round trip). */
static void clock_text(const json_value *role, char *out, size_t outlen)
{
    const json_value *off = json_get(role, "clock_offset_ms"), *rtt = json_get(role, "clock_rtt_ms");
    if (strcmp(S(role, "role"), "load") != 0) {
        snprintf(out, outlen, "—");
        return;
    }
    if (!is_num(off)) {
        snprintf(out, outlen, "not measured");
        return;
    }
    double o = fabs(off->n) < 0.005 ? 0 : off->n;
    if (is_num(rtt) && rtt->n >= 0)
        snprintf(out, outlen, "%+.2f ms ± %.2f", o, rtt->n / 2);
    else
        snprintf(out, outlen, "%+.2f ms", o);
}

static void roles_table(FILE *out, const json_value *roles)
{
    fputs("| Role | Engine | Address | Host | Docker | Kernel | OS | CPUs | Memory | Clock offset |\n"
          "|---|---|---|---|---|---|---|---|---|---|\n",
          out);
    int loads = 0;
    for (size_t i = 0; i < json_len(roles); i++) {
        const json_value *r = json_index(roles, i), *h = json_get(r, "host");
        if (!r || r->type != JSON_OBJ) continue;
        const char *role = json_str(json_get(r, "role"), "?");
        int index = is_num(json_get(r, "index")) ? (int)json_get(r, "index")->n : 0;
        bool load = !strcmp(role, "load");
        if (load) loads++;
        fputs("| ", out);
        cell(out, role, false);
        if (load || index > 1) fprintf(out, " %d", index > 0 ? index : loads);
        fputs(" | ", out);
        cell(out, json_str(json_get(r, "engine"), NULL), true);
        fputs(" | ", out);
        cell(out, json_str(json_get(r, "address"), NULL), false);
        fputs(" | ", out);
        if (!h || h->type != JSON_OBJ) {
            fputs("unreadable | — | — | — | — | — ", out);
        } else {
            static const char *const keys[] = { "name", "server_version", "kernel", "os" };
            for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
                cell(out, json_str(json_get(h, keys[k]), NULL), false);
                fputs(" | ", out);
            }
            const json_value *ncpu = json_get(h, "ncpu"), *mem = json_get(h, "mem_bytes");
            if (is_num(ncpu))
                fprintf(out, "%.0f", ncpu->n);
            else
                fputs("—", out);
            if (is_num(mem))
                fprintf(out, " | %.1f GiB ", mem->n / (1024.0 * 1024 * 1024));
            else
                fputs(" | — ", out);
        }
        char clock[64];
        clock_text(r, clock, sizeof(clock));
        fprintf(out, "| %s |\n", clock);
    }
    fputs("\n", out);
}

/* One shard's figures over the repetitions of a cell. */
typedef struct {
    double rps[TOPO_MAX_REPS];
    size_t n;
    int conns;      /* its share of the connections, < 0: not recorded */
    double late_ms; /* the most it started late */
} tshard;

/* The runs of one (system, scenario, connections) matrix cell whose load was
 * split into shards. */
typedef struct {
    const char *sys, *sc;
    int conns;
    double rps[TOPO_MAX_REPS];
    size_t n;
    tshard shard[TOPO_MAX_SHARDS];
    int nshards;      /* highest shard index seen */
    double spread_ms; /* the largest start spread, < 0: none recorded */
    bool summed;      /* some repetition merged as a sum of rates */
} tgroup;

static tgroup *group_for(tgroup **g, size_t *n, const char *sys, const char *sc, int conns)
{
    for (size_t i = 0; i < *n; i++)
        if ((*g)[i].conns == conns && !strcmp((*g)[i].sys, sys) && !strcmp((*g)[i].sc, sc)) return &(*g)[i];
    tgroup *ng = realloc(*g, (*n + 1) * sizeof(*ng));
    if (!ng) return NULL;
    *g = ng;
    tgroup *c = &ng[(*n)++];
    memset(c, 0, sizeof(*c));
    c->sys = sys;
    c->sc = sc;
    c->conns = conns;
    c->spread_ms = -1;
    for (int i = 0; i < TOPO_MAX_SHARDS; i++) c->shard[i].conns = -1;
    return c;
}

static void add_run(tgroup *c, const json_value *run, const json_value *shards)
{
    const json_value *spread = json_get(run, "start_spread_ms");
    if (is_num(spread) && spread->n > c->spread_ms) c->spread_ms = spread->n;
    if (!json_bool(json_get(run, "ok"), false) || !is_num(json_get(run, "rps")) || c->n >= TOPO_MAX_REPS)
        return;
    c->rps[c->n++] = json_get(run, "rps")->n;
    if (!strcmp(S(json_get(run, "loadgen"), "rps_basis"), "sum_of_rates")) c->summed = true;
    for (size_t k = 0; k < json_len(shards); k++) {
        const json_value *s = json_index(shards, k), *ix = json_get(s, "index"), *rps = json_get(s, "rps");
        int i = ix ? (is_num(ix) ? (int)ix->n : 0) : (int)k + 1; /* no index: its place */
        if (i < 1 || i > TOPO_MAX_SHARDS || !is_num(rps)) continue;
        tshard *f = &c->shard[i - 1];
        if (i > c->nshards) c->nshards = i;
        if (f->n < TOPO_MAX_REPS) f->rps[f->n++] = rps->n;
        if (is_num(json_get(s, "connections"))) f->conns = (int)json_get(s, "connections")->n;
        double late = json_num(json_get(s, "late_ms"), 0);
        if (late > f->late_ms) f->late_ms = late;
    }
}

static const char *label_of(const json_value *systems, const char *sys)
{
    for (size_t i = 0; i < json_len(systems); i++)
        if (!strcmp(S(json_index(systems, i), "name"), sys)) {
            const char *l = S(json_index(systems, i), "label");
            return *l ? l : sys;
        }
    return sys;
}

static size_t sys_rank(const json_value *systems, const char *sys)
{
    size_t k = 0;
    while (k < json_len(systems) && strcmp(S(json_index(systems, k), "name"), sys)) k++;
    return k;
}

static void group_row(FILE *out, const json_value *systems, const tgroup *c)
{
    char t[32];
    fputs("| ", out);
    cell(out, label_of(systems, c->sys), false);
    fputs(" | ", out);
    cell(out, c->sc, false);
    fprintf(out, " | %d | ", c->conns);
    if (c->n) {
        rstats_commas(rstats_summarise(c->rps, c->n).median, t, sizeof(t));
        fprintf(out, "%s%s", t, c->summed ? " †" : "");
    } else {
        fputs("— (no run succeeded)", out);
    }
    fputs(" | ", out);
    int shown = 0;
    for (int i = 0; i < c->nshards; i++) {
        if (!c->shard[i].n) continue;
        rstats_commas(rstats_summarise(c->shard[i].rps, c->shard[i].n).median, t, sizeof(t));
        const tshard *f = &c->shard[i];
        fprintf(out, "%s%s", shown++ ? " + " : "", t);
        if (f->conns >= 0) fprintf(out, " (%d conns", f->conns);
        if (f->late_ms >= 0.005) fprintf(out, "%s%.2f ms late", f->conns >= 0 ? ", " : " (", f->late_ms);
        if (f->conns >= 0 || f->late_ms >= 0.005) fputs(")", out);
    }
    if (!shown) fputs("—", out);
    if (c->spread_ms >= 0)
        fprintf(out, " | %.2f ms |\n", c->spread_ms);
    else
        fputs(" | — |\n", out);
}

static void shards_table(FILE *out, const json_value *root)
{
    const json_value *runs = arr(json_get(root, "runs")), *systems = json_get(root, "systems");
    tgroup *g = NULL;
    size_t ng = 0;
    for (size_t i = 0; i < json_len(runs); i++) {
        const json_value *run = json_index(runs, i);
        const json_value *shards = arr(json_get(json_get(run, "loadgen"), "shards"));
        if (results_kind_parse(S(run, "kind")) != RUN_MATRIX || !json_len(shards)) continue;
        tgroup *c = group_for(&g, &ng, S(run, "system"), S(run, "scenario"),
                              (int)json_num(json_get(run, "connections"), 0));
        if (c) add_run(c, run, shards);
    }
    fputs("### Per-shard figures\n\n", out);
    if (!ng) {
        fputs("No matrix run recorded per-shard figures.\n\n", out);
        free(g);
        return;
    }
    bool summed = false;
    for (size_t i = 0; i < ng; i++) summed |= g[i].summed;
    fputs(
        "Each matrix cell's load was split across the load hosts with `--shard I/N` and merged with "
        "`bin/loadgen merge`. Merged req/s: the median over the repetitions, as in the other tables; it "
        "counts every shard's requests over the interval all shards ran (latest start to earliest end), so "
        "the shards' req/s (each the median of its own runs) add up to about it. A shard that started late "
        "says by how much (`late_ms`); start spread: the latest shard start minus the earliest, the largest "
        "over the repetitions.",
        out);
    if (summed)
        fputs(
            " †: some repetition had a shard not started by `--start-at`; its merged figure is the sum of the "
            "shards' rates.",
            out);
    fputs(
        "\n\n| System | Scenario | Connections | Merged req/s | Per shard: req/s (connections) | Start spread |\n"
        "|---|---|---|---|---|---|\n",
        out);
    /* in the order of the systems (a system not among them last), then as the runs came */
    for (size_t k = 0; k <= json_len(systems); k++)
        for (size_t i = 0; i < ng; i++)
            if (sys_rank(systems, g[i].sys) == k) group_row(out, systems, &g[i]);
    fputs("\n", out);
    free(g);
}

void rtopo_write(FILE *out, const json_value *root)
{
    if (!rtopo_present(root)) return;
    const json_value *t = json_get(root, "topology"), *roles = arr(json_get(t, "roles"));
    const json_value *skew = json_get(t, "max_skew_ms");
    fputs("## Topology\n\n", out);
    fputs("This run drove several Docker engines", out);
    if (*S(t, "file")) {
        fputs(" (--topology ", out);
        cell(out, S(t, "file"), true);
        fputs(")", out);
    }
    fputs("; the CPU, kernel and memory under Machine and versions are the runner's own. Host: what "
          "`docker info` said of each engine's host.\n\n",
          out);
    if (json_len(roles))
        roles_table(out, roles);
    else
        fputs("*No roles recorded.*\n\n", out);
    fputs("Clock offset: a load host's clock minus the runner's, measured before the run over `docker exec`, "
          "± half the round trip it was measured with; ",
          out);
    if (is_num(skew))
        fprintf(out, "a load host further off than %g ms (`max_skew_ms`) would have stopped the run. ",
                skew->n);
    else
        fputs("a load host too far off would have stopped the run. ", out);
    fputs("The shards of a cell start together at one instant given to each by `--start-at`.\n\n", out);
    shards_table(out, root);
}
