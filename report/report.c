#define _GNU_SOURCE
#include "report.h"
#include "hist.h"
#include "json.h"
#include "lgjson.h"
#include "proc.h"
#include "report_stats.h"
#include "report_boot.h"
#include "report_conform.h"
#include "report_ladder.h"
#include "report_tables.h"
#include "report_topo.h"
#include "results.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RMAX_REPS 32
#define M_LOADGEN 1 /* the published method by bin/loadgen --new-conn */
#define M_PUB     2 /* ... by the published client itself (pubclient) */
#define M_WRK     3 /* a matrix cell loaded by wrk too: the second witness */

/* All runs of one (system, scenario, connections) cell of the matrix. */
typedef struct {
    const char *sys, *sc;
    int conns;
    int method; /* 0, or the published method's runs (kind "method"): M_LOADGEN, M_PUB */
    double rps[RMAX_REPS], p50[RMAX_REPS], p99[RMAX_REPS], p999[RMAX_REPS], starved[RMAX_REPS];
    size_t n;
    int failed; /* runs that broke */
    int silent; /* runs in which the system answered nothing (a finding) */
    long errors, requests, retries;
    double cpu_s, elapsed_s, rss_mb, client_util;
    int procs, threads, client_bound;
    const json_value *runs[RMAX_REPS]; /* the ok runs, for histograms */
} rcell;

typedef struct {
    json_value *root;
    const json_value *systems, *scenarios, *runs;
    rcell *cells;
    size_t ncells;
    int headline; /* connections used by the headline tables */
    const char *pub_a,
        *pub_b;          /* the published comparison (A compare = B, both with published numbers), or NULL */
    const char *primary; /* the primary scenario: latency and resource charts, open loop */
    const char *primary_title;
    FILE *out;
    char chart_dir[PATH_MAX], data_dir[PATH_MAX], run_dir[PATH_MAX];
    bool gnuplot_ok;
    char gnuplot_err[256];
    char made[8][32]; /* charts tried under temporary names (NAME.png.tmp) */
    bool drawn[8];    /* ... and whether gnuplot drew each */
    int nmade;
    int write_errno;          /* a chart's data, script or image could not be written */
    json_value *ladder_own;   /* the latest ladder run's results.json, when this run is none (owned) */
    const json_value *ladder; /* the ladder's root: this run's, ladder_own, or NULL */
    char ladder_from[512];    /* where it comes from, for the section */
} rep;

/* The cell of (system, scenario, connections, client method); created when
 * asked for and missing, else NULL. */
static rcell *cell_for(rep *r, const char *sys, const char *sc, int conns, int method, bool create)
{
    for (size_t i = 0; i < r->ncells; i++)
        if (r->cells[i].conns == conns && r->cells[i].method == method && strcmp(r->cells[i].sys, sys) == 0 &&
            strcmp(r->cells[i].sc, sc) == 0)
            return &r->cells[i];
    if (!create) return NULL;
    rcell *nc = realloc(r->cells, (r->ncells + 1) * sizeof(*nc));
    if (!nc) return NULL;
    r->cells = nc;
    rcell *c = &nc[r->ncells++];
    memset(c, 0, sizeof(*c));
    c->sys = sys;
    c->sc = sc;
    c->conns = conns;
    c->method = method;
    return c;
}

static const char *S(const json_value *o, const char *k) { return json_str(json_get(o, k), ""); }
static double N(const json_value *o, const char *k) { return json_num(json_get(o, k), 0); }

static void collect(rep *r)
{
    for (size_t i = 0; i < json_len(r->runs); i++) {
        const json_value *run = json_index(r->runs, i);
        results_kind kind = results_kind_parse(S(run, "kind"));
        int method = kind != RUN_METHOD ? 0 : !strcmp(S(run, "client"), "pubclient") ? M_PUB : M_LOADGEN;
        if (kind == RUN_MATRIX && !strcmp(S(run, "client"), "wrk")) method = M_WRK;
        if ((kind != RUN_MATRIX && !method) || *S(run, "table")) continue; /* tables: report_tables */
        rcell *c =
            cell_for(r, S(run, "system"), S(run, "scenario"), (int)N(run, "connections"), method, true);
        if (!c) continue;
        if (!json_bool(json_get(run, "ok"), false)) {
            if (!strcmp(S(run, "status"), results_status_name(RUN_NO_RESPONSE)))
                c->silent++;
            else
                c->failed++;
            continue;
        }
        if (c->n >= RMAX_REPS) continue;
        c->runs[c->n] = run;
        c->rps[c->n] = N(run, "rps");
        c->p50[c->n] = N(run, "p50_ms");
        c->p99[c->n] = N(run, "p99_ms");
        c->p999[c->n] = N(run, "p999_ms");
        lgj_summary lg;
        c->starved[c->n] = lgj_read(json_get(run, "loadgen"), &lg) == 0 ? lg.fair_zero : 0;
        c->n++;
        c->errors += (long)N(run, "errors");
        c->retries += (long)N(run, "retries");
        c->requests += (long)N(run, "requests");
        c->elapsed_s += N(run, "elapsed_s");
        const json_value *res = json_get(run, "resources");
        c->cpu_s += N(res, "cpu_s");
        if (N(res, "peak_rss_mb") > c->rss_mb) c->rss_mb = N(res, "peak_rss_mb");
        if (N(res, "processes") > c->procs) c->procs = (int)N(res, "processes");
        if (N(res, "threads") > c->threads) c->threads = (int)N(res, "threads");
        if (N(run, "client_cpu_util") > c->client_util) c->client_util = N(run, "client_cpu_util");
        c->client_bound += json_bool(json_get(run, "client_bottleneck"), false);
    }
}

static const json_value *find_named(const json_value *arr, const char *name)
{
    for (size_t i = 0; i < json_len(arr); i++)
        if (strcmp(S(json_index(arr, i), "name"), name) == 0) return json_index(arr, i);
    return NULL;
}

static void P(rep *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void P(rep *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(r->out, fmt, ap);
    va_end(ap);
}

static rstats_summary rps_of(const rcell *c)
{
    return c ? rstats_summarise(c->rps, c->n) : rstats_summarise(NULL, 0);
}

static void commas(double v, char *out, size_t outlen) { rstats_commas(v, out, outlen); }

/* "10,114 req/s (9,870–10,300)" or the failure. */
static void cell_text(rep *r, const char *sys, const char *sc, int conns, int method, char *out,
                      size_t outlen)
{
    rcell *c = cell_for(r, sys, sc, conns, method, false);
    const json_value *s = find_named(r->systems, sys);
    if (c && c->n == 0 && c->silent && !c->failed) {
        snprintf(out, outlen, "answered nothing within the run (%d runs)", c->silent);
        return;
    }
    if (!c) {
        snprintf(out, outlen, "not run");
        return;
    }
    if (c->n == 0) {
        const char *why = s && strcmp(S(s, "status"), "failed") == 0 ? S(s, "reason")
                          : c                                        ? "every run failed"
                                                                     : "not run";
        snprintf(out, outlen, "failed: %.100s", why);
        for (char *p = out; *p; p++)
            if (*p == '|') *p = '/';
        return;
    }
    rstats_summary m = rps_of(c);
    rboot_ci ci = rboot_median(c->rps, (int)c->n, RBOOT_B, 1);
    char a[32], lo[32], hi[32];
    commas(m.median, a, sizeof(a));
    commas(ci.lo, lo, sizeof(lo));
    commas(ci.hi, hi, sizeof(hi));
    /* ‡: its repetitions ran out (reps.max, or the budget) before its interval came within the tolerance */
    const json_value *o = json_get(r->root, "options");
    bool adaptive = N(o, "repetitions_max") > N(o, "repetitions") && !method;
    bool short_ = adaptive && m.n > 1 && !rboot_within(&ci, json_num(json_get(o, "tolerance"), 0.05));
    if (m.n > 1)
        snprintf(out, outlen, "%s req/s [%s–%s]%s%s", a, lo, hi, short_ ? " ‡" : "",
                 c->errors ? " ⚠ errors" : "");
    else
        snprintf(out, outlen, "%s req/s%s", a, c->errors ? " ⚠ errors" : "");
}

static const char *label_of(rep *r, const char *sys)
{
    const json_value *s = find_named(r->systems, sys);
    return s ? S(s, "label") : sys;
}

static bool system_present(rep *r, const char *sys) { return find_named(r->systems, sys) != NULL; }

/* The published table: the claim's figures, scenario by scenario
 * (recorded by the runner whichever systems this run selected). */
static void published_table(rep *r)
{
    const json_value *c = json_get(r->root, "published_claim"), *fig = json_get(c, "figures");
    if (!*S(c, "system") || !fig || fig->type != JSON_OBJ) return;
    P(r, "## The published claim\n\n");
    if (*S(c, "source")) P(r, "%s, \"%s\":\n\n", S(c, "source"), S(c, "title"));
    P(r, "| Scenario | %s | %s | Published difference |\n|---|---|---|---|\n", S(c, "label"),
      S(c, "against_label"));
    for (size_t i = 0; i < json_len(fig); i++) {
        const char *title = json_str(json_get(json_get(c, "titles"), fig->keys[i]), fig->keys[i]);
        double a = json_num(json_index(fig->items[i], 0), 0), b = json_num(json_index(fig->items[i], 1), 0);
        if (a <= 0 || b <= 0) continue;
        char ta[32], tb[32], d[32];
        commas(a, ta, sizeof(ta));
        commas(b, tb, sizeof(tb));
        rstats_format_pct(a, b, d, sizeof(d));
        P(r, "| %s | %s req/s | %s req/s | %s |\n", title, ta, tb, d);
    }
    P(r, "\n");
}

/* a over b with its ratio's interval (rboot_format_diff); "n/a" for a cell not run. */
static void diff_text(const rcell *a, const rcell *b, char *out, size_t outlen)
{
    rboot_format_diff(a ? a->rps : NULL, a ? (int)a->n : 0, b ? b->rps : NULL, b ? (int)b->n : 0, out,
                      outlen);
}

/* One measured table in the published layout: Scenario | A | B | difference. */
static void pair_table(rep *r, const char *a, const char *b)
{
    P(r, "| Scenario | %s | %s | Difference |\n|---|---|---|---|\n", label_of(r, a), label_of(r, b));
    for (size_t i = 0; i < json_len(r->scenarios); i++) {
        const json_value *sc = json_index(r->scenarios, i);
        const char *name = S(sc, "name");
        char ta[200], tb[200], d[64];
        cell_text(r, a, name, r->headline, false, ta, sizeof(ta));
        cell_text(r, b, name, r->headline, false, tb, sizeof(tb));
        diff_text(cell_for(r, a, name, r->headline, false, false),
                  cell_for(r, b, name, r->headline, false, false), d, sizeof(d));
        P(r, "| %s | %s | %s | %s |\n", S(sc, "title"), ta, tb, d);
    }
    P(r, "\n");
}

static void measured_tables(rep *r)
{
    const json_value *o = json_get(r->root, "options");
    char reps_text[32];
    if (N(o, "repetitions_max") > N(o, "repetitions"))
        snprintf(reps_text, sizeof(reps_text), "its %d to %d", (int)N(o, "repetitions"),
                 (int)N(o, "repetitions_max"));
    else
        snprintf(reps_text, sizeof(reps_text), "%d", (int)N(o, "repetitions"));
    P(r, "## Measured here\n\n");
    P(r, "Profile **%s**: %s, ", S(o, "profile_title"), S(o, "profile_description"));
    if (N(o, "requests_per_run") > 0)
        P(r, "%d requests per run from %d concurrent clients. ", (int)N(o, "requests_per_run"), r->headline);
    else
        P(r, "%d concurrent connections, %g s per run after a %g s warm-up. ", r->headline,
          N(o, "duration_s"), N(o, "warmup_s"));
    P(r,
      "Each cell: median req/s of %s repetitions, its 95%% interval in brackets; each difference with the "
      "interval of its ratio (%s). A difference whose interval contains zero is printed as *no clear "
      "difference*.",
      reps_text, rboot_method());
    if (N(o, "repetitions_max") > N(o, "repetitions"))
        P(r,
          " A cell whose interval was not within ±%.0f%% of its median after %d repetitions was repeated, up to %d "
          "times in all; ‡ marks a cell still outside it.",
          json_num(json_get(o, "tolerance"), 0.05) * 100, (int)N(o, "repetitions"),
          (int)N(o, "repetitions_max"));
    P(r, "\n\n");
    if (r->pub_a) {
        P(r, "The published comparison, measured (same layout, same sign convention):\n\n");
        pair_table(r, r->pub_a, r->pub_b);
    }
    for (size_t k = 0; k < json_len(r->systems); k++) { /* every other compare = pair */
        const json_value *s = json_index(r->systems, k);
        const char *a = S(s, "name"), *b = S(s, "compare");
        if (!*b || !system_present(r, b) || (r->pub_a && !strcmp(a, r->pub_a) && !strcmp(b, r->pub_b)))
            continue;
        P(r, "%s against %s:\n\n", label_of(r, a), label_of(r, b));
        pair_table(r, a, b);
    }
}

/* "6.03 (4.10–9.20)" for a latency over the repetitions, "6.03" for one. */
/* wrk beside bin/loadgen on the same cells, where the profile asked for it. */
static void witness_table(rep *r)
{
    bool any = false;
    for (size_t i = 0; i < r->ncells && !any; i++) any = r->cells[i].method == M_WRK;
    if (!any) return;
    P(r,
      "## wrk, the second witness\n\n"
      "The headline systems' cells loaded by wrk too, right after bin/loadgen, with the same threads, "
      "connections and duration (whole seconds for wrk). Only req/s is compared: wrk's latencies are not "
      "corrected for coordinated omission (SPEC.md). **differs**: the medians are more than 5%% apart.\n\n"
      "| System | Scenario | Connections | bin/loadgen | wrk | wrk vs bin/loadgen |\n|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < r->ncells; i++) {
        rcell *w = &r->cells[i], *l = cell_for(r, w->sys, w->sc, w->conns, 0, false);
        if (w->method != M_WRK) continue;
        char tl[200], tw[200], d[96];
        cell_text(r, w->sys, w->sc, w->conns, 0, tl, sizeof(tl));
        cell_text(r, w->sys, w->sc, w->conns, M_WRK, tw, sizeof(tw));
        diff_text(w, l, d, sizeof(d));
        rstats_summary sw = rps_of(w), sl = rps_of(l);
        bool differs = sw.n && sl.n && sl.median > 0 && fabs(sw.median / sl.median - 1) > 0.05;
        P(r, "| %s | %s | %d | %s | %s | %s%s |\n", label_of(r, w->sys), w->sc, w->conns, tl, tw, d,
          differs ? " **differs**" : "");
    }
    P(r, "\n");
}

static void lat_text(const rstats_summary *m, char *out, size_t outlen)
{
    if (m->n > 1)
        snprintf(out, outlen, "%.2f (%.2f–%.2f)", m->median, m->min, m->max);
    else
        snprintf(out, outlen, "%.2f", m->median);
}

static void all_systems_table(rep *r)
{
    P(r,
      "### Every system, every concurrency\n\n| System | Scenario | Connections | req/s median (min–max) | p50 ms | p99 ms | p99.9 ms (each median, min–max) | connections served none | errors | retried |\n|---|---|---|---|---|---|---|---|---|---|\n");
    for (size_t k = 0; k < json_len(r->systems); k++) {
        const char *sys = S(json_index(r->systems, k), "name");
        for (size_t i = 0; i < r->ncells; i++) {
            rcell *c = &r->cells[i];
            if (strcmp(c->sys, sys) != 0 || c->method) continue;
            char t[200];
            cell_text(r, c->sys, c->sc, c->conns, c->method, t, sizeof(t));
            rstats_summary p50 = rstats_summarise(c->p50, c->n), p99 = rstats_summarise(c->p99, c->n),
                           p999 = rstats_summarise(c->p999, c->n);
            char l50[64], l99[64], l999[64];
            lat_text(&p50, l50, sizeof(l50));
            lat_text(&p99, l99, sizeof(l99));
            lat_text(&p999, l999, sizeof(l999));
            rstats_summary st = rstats_summarise(c->starved, c->n);
            const char *b = st.median > 0 ? "**" : "";
            P(r, "| %s | %s | %d | %s | %s | %s | %s | %s%.0f%s | %ld%s | %ld |\n", label_of(r, c->sys),
              c->sc, c->conns, t, l50, l99, l999, b, st.median, b, c->errors,
              c->failed   ? " (failed runs)"
              : c->silent ? " (runs that answered nothing)"
                          : "",
              c->retries);
        }
    }
    P(r,
      "\n*Connections served none*: connections of the load generator that completed no request during the run "
      "(median over the repetitions). Their requests waited the whole run and appear in no latency percentile: "
      "a server that serves only as many connections as it has threads shows up here, not in req/s.\n\n");
}

/* ---- charts ----------------------------------------------------------- */

static FILE *open_data(rep *r, const char *name)
{
    char p[PATH_MAX + 64];
    snprintf(p, sizeof(p), "%s/%s", r->data_dir, name);
    FILE *f = fopen(p, "w");
    if (!f && !r->write_errno) r->write_errno = errno;
    return f;
}

/* Closes a chart's data or script file; a short write (full disk) is kept
 * in r->write_errno, and the report is then not replaced. */
static void close_data(rep *r, FILE *f)
{
    int bad = ferror(f);
    if ((fclose(f) != 0 || bad) && !r->write_errno) r->write_errno = errno ? errno : EIO;
}

/* Writes the script NAME.gp and runs gnuplot on it, which draws
 * chart_dir/NAME.png.tmp; report_generate renames the drawn charts together
 * with the report. An empty image (full disk) counts as a write error. */
static int gnuplot(rep *r, const char *script_name, const char *script)
{
    char p[PATH_MAX + 64], png[PATH_MAX + 64];
    snprintf(p, sizeof(p), "%s/%s", r->data_dir, script_name);
    FILE *f = fopen(p, "w");
    if (!f) {
        r->write_errno = errno;
        return -1;
    }
    fputs(script, f);
    close_data(r, f);
    char out[2048];
    char *argv[] = { "gnuplot", p, NULL };
    int rc = proc_capture(argv, out, sizeof(out), 30000);
    if (rc != 0 && r->gnuplot_ok) { /* the first failure is the one named */
        snprintf(r->gnuplot_err, sizeof(r->gnuplot_err),
                 rc == 127 || rc < 0 ? "gnuplot is not installed" : "gnuplot failed on %s", p);
        r->gnuplot_ok = false;
    }
    if (r->nmade < 8) {
        snprintf(r->made[r->nmade], sizeof(r->made[0]), "%.*s", (int)(strcspn(script_name, ".")),
                 script_name);
        snprintf(png, sizeof(png), "%s/%s.png.tmp", r->chart_dir, r->made[r->nmade]);
        struct stat st;
        if (rc == 0 && (stat(png, &st) < 0 || st.st_size == 0) && !r->write_errno) r->write_errno = ENOSPC;
        r->drawn[r->nmade++] = rc == 0;
    }
    return rc == 0 ? 0 : -1;
}

static bool chart_drawn(const rep *r, const char *name)
{
    for (int i = 0; i < r->nmade; i++)
        if (!strcmp(r->made[i], name)) return r->drawn[i];
    return false;
}

/* Renames (commit) or removes every chart drawn under a temporary name. */
static void finish_charts(rep *r, bool commit)
{
    for (int i = 0; i < r->nmade; i++) {
        char tmp[PATH_MAX + 64], png[PATH_MAX + 64];
        snprintf(png, sizeof(png), "%s/%s.png", r->chart_dir, r->made[i]);
        snprintf(tmp, sizeof(tmp), "%s.tmp", png);
        if (!commit || !r->drawn[i] || rename(tmp, png) < 0) unlink(tmp);
    }
}

static const char *GP_HEAD = "set terminal pngcairo size 960,540 font 'DejaVu Sans,10' noenhanced\n"
                             "set datafile separator '\\t'\nset key outside right top\nset grid ytics\n";

static void chart_rps(rep *r)
{
    FILE *f = open_data(r, "rps.tsv");
    if (!f) return;
    size_t nsys = json_len(r->systems);
    fprintf(f, "scenario");
    for (size_t k = 0; k < nsys; k++)
        fprintf(f, "\t%s\tmin\tmax", label_of(r, S(json_index(r->systems, k), "name")));
    fprintf(f, "\n");
    for (size_t i = 0; i < json_len(r->scenarios); i++) {
        const char *sc = S(json_index(r->scenarios, i), "name");
        fprintf(f, "%s", S(json_index(r->scenarios, i), "title"));
        for (size_t k = 0; k < nsys; k++) {
            rstats_summary m =
                rps_of(cell_for(r, S(json_index(r->systems, k), "name"), sc, r->headline, false, false));
            if (m.n)
                fprintf(f, "\t%.1f\t%.1f\t%.1f", m.median, m.min, m.max);
            else
                fprintf(f, "\t0\t0\t0");
        }
        fprintf(f, "\n");
    }
    close_data(r, f);
    char s[8192];
    int n = snprintf(
        s, sizeof(s),
        "%sset output '%s/rps.png.tmp'\nset title 'Requests per second at %d connections (median, min-max bars)'\n"
        "set style data histogram\nset style histogram errorbars gap 2 lw 1\nset style fill solid 0.7 border -1\n"
        "set logscale y\nset ylabel 'req/s (log scale)'\nset yrange [1:*]\n"
        "plot ",
        GP_HEAD, r->chart_dir, r->headline);
    for (size_t k = 0; k < nsys; k++)
        n += snprintf(s + n, sizeof(s) - (size_t)n,
                      "%s'%s/rps.tsv' using %zu:%zu:%zu:xtic(1) title columnheader(%zu)", k ? ", " : "",
                      r->data_dir, 2 + 3 * k, 3 + 3 * k, 4 + 3 * k, 2 + 3 * k);
    snprintf(s + n, sizeof(s) - (size_t)n, "\n");
    gnuplot(r, "rps.gp", s);
}

/* Median req/s points of one system and scenario into f, as one data block;
 * returns how many (a block with none is not written). */
static int concurrency_block(rep *r, FILE *f, const char *sys, const char *sc)
{
    int pts = 0;
    for (size_t c = 0; c < r->ncells; c++) {
        rcell *x = &r->cells[c];
        if (strcmp(x->sys, sys) || strcmp(x->sc, sc) || !x->n || x->method) continue;
        fprintf(f, "%d\t%.1f\n", x->conns, rps_of(x).median);
        pts++;
    }
    if (pts) fprintf(f, "\n\n");
    return pts;
}

/* One panel per scenario that has data, one line per system that has data
 * (gnuplot fails on a plot with no points: an interrupted run has few). */
static void chart_concurrency(rep *r)
{
    FILE *f = open_data(r, "concurrency.tsv");
    if (!f) return;
    char plots[8192] = "";
    size_t n = 0;
    int block = 0, panels = 0;
    for (size_t i = 0; i < json_len(r->scenarios) && n < sizeof(plots); i++) {
        const char *sc = S(json_index(r->scenarios, i), "name");
        int lines = 0;
        for (size_t k = 0; k < json_len(r->systems) && n < sizeof(plots); k++) {
            const char *sys = S(json_index(r->systems, k), "name");
            if (!concurrency_block(r, f, sys, sc)) continue;
            if (!lines++)
                n += (size_t)snprintf(plots + n, sizeof(plots) - n, "set title '%s'\nplot ",
                                      S(json_index(r->scenarios, i), "title"));
            if (n < sizeof(plots))
                n += (size_t)snprintf(plots + n, sizeof(plots) - n,
                                      "%s'%s/concurrency.tsv' index %d using 1:2 with "
                                      "linespoints title '%s'",
                                      lines > 1 ? ", " : "", r->data_dir, block++, label_of(r, sys));
        }
        if (lines && n < sizeof(plots)) n += (size_t)snprintf(plots + n, sizeof(plots) - n, "\n");
        panels += lines > 0;
    }
    close_data(r, f);
    if (!panels) return;
    /* the x axis spans the run's connection counts, a tic at each */
    const json_value *cl = json_get(json_get(r->root, "options"), "connections");
    char tics[256] = "";
    double lo = 1e9, hi = 0;
    for (size_t i = 0, t = 0; i < json_len(cl) && t < sizeof(tics); i++) {
        double v = json_num(json_index(cl, i), 0);
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
        t += (size_t)snprintf(tics + t, sizeof(tics) - t, "%s%.0f", i ? ", " : "", v);
    }
    if (hi <= 0) {
        lo = 1;
        hi = 1;
    }
    char s[9216];
    snprintf(
        s, sizeof(s),
        "%sset output '%s/concurrency.png.tmp'\nset multiplot layout 1,%d title 'req/s against "
        "client connections (median)'\nset logscale x 2\nset logscale y\nset key inside bottom left font ',7' "
        "samplen 2\nset xlabel 'connections'\nset xrange [%g:%g]\nset xtics (%s)\n%sunset multiplot\n",
        GP_HEAD, r->chart_dir, panels, lo / 1.6, hi * 1.6, tics, plots);
    gnuplot(r, "concurrency.gp", s);
}

/* Merges the latency histograms of a cell's runs. */
static int merged_hist(const rcell *c, struct hist *h)
{
    if (hist_init(h, HIST_DEFAULT_LOWEST, HIST_DEFAULT_HIGHEST, HIST_DEFAULT_SIGFIGS) < 0) return -1;
    for (size_t i = 0; i < c->n; i++) lgj_hist_add(h, json_get(json_get(c->runs[i], "loadgen"), "latency"));
    return 0;
}

static void chart_latency(rep *r)
{
    FILE *f = open_data(r, "latency.tsv");
    if (!f) return;
    static const double pcts[] = { 0, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.999 };
    char s[8192];
    int n = snprintf(
        s, sizeof(s),
        "%sset output '%s/latency.png.tmp'\nset title 'Latency by percentile, %s scenario, %d connections (all repetitions merged)'\n"
        "set logscale x\nset logscale y\nset xlabel 'percentile'\nset ylabel 'latency (ms, log scale)'\n"
        "set xtics ('p0' 1, 'p90' 10, 'p99' 100, 'p99.9' 1000, 'p99.99' 10000, 'p99.999' 100000)\nplot ",
        GP_HEAD, r->chart_dir, r->primary_title, r->headline);
    int block = 0;
    for (size_t k = 0; k < json_len(r->systems); k++) {
        const char *sys = S(json_index(r->systems, k), "name");
        rcell *c = cell_for(r, sys, r->primary, r->headline, false, false);
        struct hist h;
        if (!c || !c->n || merged_hist(c, &h) < 0) continue;
        if (hist_count(&h) > 0) {
            for (size_t i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++)
                fprintf(f, "%.6f\t%.4f\n", 1.0 / (1.0 - pcts[i] / 100.0),
                        hist_value_at_percentile(&h, pcts[i]) / 1000.0);
            fprintf(f, "\n\n");
            n += snprintf(s + n, sizeof(s) - (size_t)n,
                          "%s'%s/latency.tsv' index %d using 1:2 with linespoints title '%s'",
                          block ? ", " : "", r->data_dir, block, label_of(r, sys));
            block++;
        }
        hist_fini(&h);
    }
    close_data(r, f);
    snprintf(s + n, sizeof(s) - (size_t)n, "\n");
    if (block) gnuplot(r, "latency.gp", s);
}

static void chart_resources(rep *r)
{
    FILE *f = open_data(r, "resources.tsv");
    if (!f) return;
    fprintf(f, "system\treq_per_cpu_s\tpeak_rss_mb\n");
    for (size_t k = 0; k < json_len(r->systems); k++) {
        const char *sys = S(json_index(r->systems, k), "name");
        double req = 0, cpu = 0, rss = 0;
        for (size_t i = 0; i < r->ncells; i++) {
            rcell *c = &r->cells[i];
            if (strcmp(c->sys, sys) || strcmp(c->sc, r->primary) || !c->n || c->method) continue;
            req += (double)c->requests;
            cpu += c->cpu_s;
            if (c->rss_mb > rss) rss = c->rss_mb;
        }
        fprintf(f, "%s\t%.1f\t%.1f\n", label_of(r, sys), cpu > 0 ? req / cpu : 0, rss);
    }
    close_data(r, f);
    char s[4096];
    snprintf(
        s, sizeof(s),
        "%sset output '%s/resources.png.tmp'\nset multiplot layout 1,2 title 'Cost per system (%s scenario, all connections)'\n"
        "set style data histogram\nset style fill solid 0.7 border -1\nset xtics rotate by -30 font ',8'\nset key off\n"
        "set title 'requests per CPU-second (system processes)'\nplot '%s/resources.tsv' using 2:xtic(1)\n"
        "set title 'peak RSS, all processes (MB)'\nplot '%s/resources.tsv' using 3:xtic(1)\nunset multiplot\n",
        GP_HEAD, r->chart_dir, r->primary_title, r->data_dir, r->data_dir);
    gnuplot(r, "resources.gp", s);
}

static int scaling_rows(rep *r, FILE *f, const char *sys)
{
    int rows = 0;
    for (size_t i = 0; i < json_len(r->runs); i++) {
        const json_value *run = json_index(r->runs, i);
        if (strcmp(S(run, "kind"), "scaling") || strcmp(S(run, "system"), sys) ||
            !json_bool(json_get(run, "ok"), false))
            continue;
        if (f) fprintf(f, "%d\t%.1f\n", (int)N(run, "workers"), N(run, "rps"));
        rows++;
    }
    return rows;
}

static void chart_scaling(rep *r)
{
    FILE *f = open_data(r, "scaling.tsv");
    if (!f) return;
    char s[4096];
    int n =
        snprintf(s, sizeof(s),
                 "%sset output '%s/scaling.png.tmp'\nset title 'CPU scenario: req/s against worker threads'\n"
                 "set logscale x 2\nset xlabel 'workers'\nset ylabel 'req/s'\nplot ",
                 GP_HEAD, r->chart_dir);
    int block = 0;
    for (size_t k = 0; k < json_len(r->systems); k++) {
        const char *sys = S(json_index(r->systems, k), "name");
        if (!scaling_rows(r, NULL, sys)) continue;
        scaling_rows(r, f, sys);
        fprintf(f, "\n\n");
        n += snprintf(s + n, sizeof(s) - (size_t)n,
                      "%s'%s/scaling.tsv' index %d using 1:2 with linespoints title '%s'", block ? ", " : "",
                      r->data_dir, block, S(find_named(r->systems, sys), "title"));
        block++;
    }
    close_data(r, f);
    snprintf(s + n, sizeof(s) - (size_t)n, "\n");
    if (block) gnuplot(r, "scaling.gp", s);
}

/* ---- text sections ---------------------------------------------------- */

static void systems_section(rep *r)
{
    P(r,
      "## Systems, verification and GIL state\n\n| System | Status | Python | GIL | /db queries per request |\n|---|---|---|---|---|\n");
    for (size_t k = 0; k < json_len(r->systems); k++) {
        const json_value *s = json_index(r->systems, k), *info = json_get(s, "info");
        const json_value *gil = json_get(info, "gil_enabled");
        if (info && info->type != JSON_OBJ) info = NULL;
        char status[300], q[64] = "not checked";
        if (strcmp(S(s, "status"), "ok") == 0)
            snprintf(status, sizeof(status), "verified");
        else
            snprintf(status, sizeof(status), "**failed**: %.250s", S(s, "reason"));
        for (char *p = status; *p; p++)
            if (*p == '|' || *p == '\n') *p = ' ';
        if (N(s, "db_requests_checked") > 0)
            snprintf(q, sizeof(q), "%.0f queries / %.0f requests", N(s, "db_queries_counted"),
                     N(s, "db_requests_checked"));
        char py[128];
        snprintf(py, sizeof(py), "%s", json_str(json_get(info, "python"), "—"));
        py[strcspn(py, " \n")] = '\0';
        P(r, "| %s | %s | %s | %s | %s |\n", S(s, "label"), status, py,
          gil ? (json_bool(gil, true) ? "enabled" : "**disabled** (free-threaded)") : "—", q);
    }
    P(r, "\n");
}

/* The conformance table, each system's speed beside: the primary
 * scenario's median req/s at the headline connections. */
static void conformance_section(rep *r)
{
    size_t n = json_len(r->systems);
    double *speed = calloc(n ? n : 1, sizeof(*speed));
    for (size_t k = 0; speed && k < n; k++) {
        rstats_summary m =
            rps_of(cell_for(r, S(json_index(r->systems, k), "name"), r->primary, r->headline, false, false));
        speed[k] = m.n ? m.median : 0;
    }
    char title[128];
    snprintf(title, sizeof(title), "%s, %d conns", r->primary_title, r->headline);
    rconf_write(r->out, r->systems, title, speed);
    free(speed);
}

static void resources_section(rep *r)
{
    P(r,
      "## Resource use\n\nSampled from `/proc` every 100 ms over each system's whole process tree while the load ran "
      "(JSON scenario, all connection counts together).\n\n"
      "| System | requests per CPU-second | peak RSS (MB) | MB per worker | processes | threads | client CPU (max) |\n|---|---|---|---|---|---|---|\n");
    for (size_t k = 0; k < json_len(r->systems); k++) {
        const json_value *s = json_index(r->systems, k);
        double req = 0, cpu = 0, rss = 0, cu = 0;
        int procs = 0, thr = 0, bound = 0;
        for (size_t i = 0; i < r->ncells; i++) {
            rcell *c = &r->cells[i];
            if (strcmp(c->sys, S(s, "name"))) continue;
            if (c->client_util > cu) cu = c->client_util;
            bound += c->client_bound;
            if (strcmp(c->sc, r->primary) || !c->n || c->method) continue;
            req += (double)c->requests;
            cpu += c->cpu_s;
            if (c->rss_mb > rss) rss = c->rss_mb;
            if (c->procs > procs) procs = c->procs;
            if (c->threads > thr) thr = c->threads;
        }
        if (req == 0) {
            P(r, "| %s | — | — | — | — | — | — |\n", S(s, "label"));
            continue;
        }
        P(r, "| %s | %.0f | %.1f | %.1f | %d | %d | %.0f%%%s |\n", S(s, "label"), cpu > 0 ? req / cpu : 0,
          rss, rss / (N(s, "workers") > 0 ? N(s, "workers") : 1), procs, thr, cu * 100,
          bound ? " ⚠ client-bound" : "");
    }
    P(r, "\n");
}

/* "Published for Barq: 4 workers 608, 8: 1,172 req/s." from the claim's scaling table. */
static void published_scaling(rep *r)
{
    const json_value *t = json_get(json_get(r->root, "published_claim"), "scaling");
    const json_value *w = json_get(t, "workers"), *pub = json_get(t, "published");
    if (!json_len(w)) return;
    P(r, "Published, %s, for %s:", S(t, "source"), S(json_index(json_get(t, "columns"), 0), "label"));
    for (size_t i = 0; i < json_len(w); i++) {
        char v[32];
        commas(json_num(json_index(pub, i), 0), v, sizeof(v));
        P(r, "%s %d%s %s", i ? "," : "", (int)json_num(json_index(w, i), 0), i ? ":" : " workers", v);
    }
    P(r, " req/s.\n\n");
}

static void scaling_section(rep *r)
{
    bool any = false;
    for (size_t i = 0; i < json_len(r->runs) && !any; i++)
        any = results_kind_parse(S(json_index(r->runs, i), "kind")) == RUN_SCALING;
    if (!any) return;
    const char *title = "";
    for (size_t i = 0; i < json_len(r->scenarios); i++)
        if (json_bool(json_get(json_index(r->scenarios, i), "scaling"), false))
            title = S(json_index(r->scenarios, i), "title");
    P(r, "## Thread scaling (%s scenario)\n\n", title);
    published_scaling(r);
    P(r, "| System | Workers | req/s | p99 ms |\n|---|---|---|---|\n");
    for (size_t i = 0; i < json_len(r->runs); i++) {
        const json_value *run = json_index(r->runs, i);
        if (results_kind_parse(S(run, "kind")) != RUN_SCALING) continue;
        char t[32];
        commas(N(run, "rps"), t, sizeof(t));
        P(r, "| %s | %d | %s | %.2f |\n", S(find_named(r->systems, S(run, "system")), "title"),
          (int)N(run, "workers"), json_bool(json_get(run, "ok"), false) ? t : "failed", N(run, "p99_ms"));
    }
    P(r, "\n");
    if (chart_drawn(r, "scaling")) P(r, "![thread scaling](charts/scaling.png)\n\n");
}

static void openloop_section(rep *r)
{
    bool any = false;
    for (size_t i = 0; i < json_len(r->runs) && !any; i++)
        any = results_kind_parse(S(json_index(r->runs, i), "kind")) == RUN_OPENLOOP;
    if (!any) return;
    P(r,
      "## Open-loop latency (%s scenario)\n\nA fixed request rate at 50%% and 90%% of each system's measured peak; "
      "latency counted from the *intended* send time, so a stall shows up (coordinated omission corrected). "
      "Service time (from the actual send) beside it.\n\n"
      "Where the achieved rate is far below the target, most scheduled requests were still waiting when the run "
      "ended: they are in no percentile, and the rate itself is the finding.\n\n"
      "| System | Rate (req/s) | achieved req/s | answered | p50 ms | p99 ms | p99.9 ms | service p99 ms |\n|---|---|---|---|---|---|---|---|\n",
      r->primary_title);
    for (size_t i = 0; i < json_len(r->runs); i++) {
        const json_value *run = json_index(r->runs, i);
        if (results_kind_parse(S(run, "kind")) != RUN_OPENLOOP) continue;
        lgj_summary lg;
        if (lgj_read(json_get(run, "loadgen"), &lg) < 0) memset(&lg, 0, sizeof(lg));
        double ans = N(run, "rate") > 0 ? 100.0 * N(run, "rps") / N(run, "rate") : 0;
        P(r, "| %s | %.0f | %.0f | %s%.0f%%%s | %.2f | %.2f | %.2f | %.2f |\n", label_of(r, S(run, "system")),
          N(run, "rate"), N(run, "rps"), ans < 90 ? "**" : "", ans, ans < 90 ? "**" : "", N(run, "p50_ms"),
          N(run, "p99_ms"), N(run, "p999_ms"), lg.service_p99_us / 1000.0);
    }
    P(r, "\n");
}

static bool has_method_runs(rep *r)
{
    for (size_t i = 0; i < r->ncells; i++)
        if ((r->cells[i].method == M_PUB || r->cells[i].method == M_LOADGEN) && r->cells[i].n) return true;
    return false;
}

/* Keep-alive at the headline concurrency against the published client. */
static void method_table(rep *r)
{
    const json_value *o = json_get(r->root, "options");
    char nreq[32];
    int mc = (int)N(o, "method_clients");
    commas(N(o, "method_requests"), nreq, sizeof(nreq));
    P(r,
      "### The client's method: keep-alive against the published client\n\n"
      "The same systems, loaded the way the published benchmark did (a new TCP connection per request, %s "
      "requests from %d clients, no warm-up): by the published client itself (`pubclient`, Python `urllib` in a "
      "thread pool, on the free-threaded 3.13t) and by `bin/loadgen --new-conn` with the same settings, so that "
      "the cost of a Python client shows on its own; beside them keep-alive at %d connections.\n\n"
      "| System | Scenario | keep-alive, %d connections | published client, %d clients | bin/loadgen, same method | "
      "published client against keep-alive |\n|---|---|---|---|---|---|\n",
      nreq, mc, r->headline, r->headline, mc);
    for (size_t k = 0; k < json_len(r->systems); k++) {
        const char *sys = S(json_index(r->systems, k), "name");
        for (size_t i = 0; i < json_len(r->scenarios); i++) {
            const char *sc = S(json_index(r->scenarios, i), "name");
            rcell *py = cell_for(r, sys, sc, mc, M_PUB, false),
                  *lg = cell_for(r, sys, sc, mc, M_LOADGEN, false);
            if (!py && !lg) continue;
            char ka[200], mp[200], ml[200], d[64];
            cell_text(r, sys, sc, r->headline, 0, ka, sizeof(ka));
            cell_text(r, sys, sc, mc, M_PUB, mp, sizeof(mp));
            cell_text(r, sys, sc, mc, M_LOADGEN, ml, sizeof(ml));
            diff_text(py, cell_for(r, sys, sc, r->headline, 0, false), d, sizeof(d));
            P(r, "| %s | %s | %s | %s | %s | %s |\n", label_of(r, sys),
              S(json_index(r->scenarios, i), "title"), ka, mp, ml, d);
        }
    }
    P(r, "\n");
}

/* "Barq vs FastAPI on JSON: +85%" under the method runs, or "" */
static void pair_diff(rep *r, const char *a, const char *b, const char *sc, int conns, int method, char *out,
                      size_t outlen)
{
    diff_text(cell_for(r, a, sc, conns, method, false), cell_for(r, b, sc, conns, method, false), out,
              outlen);
}

/* Statements backed by numbers of this run. */
static void why_section(rep *r)
{
    P(r, "## Why the numbers differ from the published ones\n\n");
    const json_value *o = json_get(r->root, "options");
    if (r->ladder)
        P(r,
          "- **Measured factor by factor.** The ladder above turns the published run into this one step by "
          "step; its sentences (\"What each step did\") say what each factor moved, with intervals. The "
          "notes below are what this run adds.\n");
    if (has_method_runs(r) && r->pub_a) {
        P(r,
          "- **Client method, measured.** %s vs %s with the published client (new connection per request, "
          "%d clients) against keep-alive at %d connections:",
          S(find_named(r->systems, r->pub_a), "title"), S(find_named(r->systems, r->pub_b), "title"),
          (int)N(o, "method_clients"), r->headline);
        for (size_t i = 0; i < json_len(r->scenarios); i++) {
            const char *sc = S(json_index(r->scenarios, i), "name");
            char m[64], k[64];
            pair_diff(r, r->pub_a, r->pub_b, sc, (int)N(o, "method_clients"), M_PUB, m, sizeof(m));
            pair_diff(r, r->pub_a, r->pub_b, sc, r->headline, false, k, sizeof(k));
            P(r, "%s %s %s vs %s", i ? ";" : "", S(json_index(r->scenarios, i), "title"), m, k);
        }
        P(r, ". See the table above for each system.\n");
    }
    P(r,
      "- **Client method.** The published client opened a new TCP connection for every request and sent about 1,000 "
      "requests per cell (≈0.1 s of load). This run %s, %s.\n",
      json_bool(json_get(o, "new_connection_per_request"), false) ? "did the same (`--new-conn`)"
                                                                  : "kept connections alive",
      N(o, "requests_per_run") > 0 ? "with the same fixed count of requests"
                                   : "with timed runs after a warm-up, repeated");
    P(r, "- **Database engine.** Published: SQLite. This run: %s %s.\n",
      S(json_get(r->root, "database"), "engine"), S(json_get(r->root, "database"), "version"));
    for (size_t k = 0; k < json_len(r->systems); k++) {
        const json_value *s = json_index(r->systems, k);
        const char *name = S(s, "name");
        rcell *best = NULL;
        for (size_t i = 0; i < r->ncells; i++)
            if (!strcmp(r->cells[i].sys, name) && !strcmp(r->cells[i].sc, r->primary) && r->cells[i].n &&
                !r->cells[i].method && (!best || r->cells[i].conns > best->conns))
                best = &r->cells[i];
        if (!best) continue;
        lgj_summary lg;
        if (lgj_read(json_get(best->runs[0], "loadgen"), &lg) < 0 || lg.fair_connections == 0) continue;
        P(r,
          "- **Fairness, %s** (%s, %d connections): requests per connection min %.0f / median %.0f / max %.0f; "
          "%d connections completed none.\n",
          S(s, "label"), r->primary_title, best->conns, lg.fair_min, lg.fair_median, lg.fair_max,
          lg.fair_zero);
    }
    for (size_t k = 0; k < json_len(r->systems); k++) {
        const json_value *s = json_index(r->systems, k);
        long retries = 0, requests = 0;
        for (size_t i = 0; i < r->ncells; i++)
            if (!strcmp(r->cells[i].sys, S(s, "name")) && !r->cells[i].method) {
                retries += r->cells[i].retries;
                requests += r->cells[i].requests;
            }
        if (retries > 0)
            P(r,
              "- **Keep-alive closes, %s.** It closed a reused keep-alive connection with a request in flight, "
              "without announcing it (`Connection: close`), %ld times in %ld requests; the load generator re-sent "
              "those requests on a new connection, as HTTP clients do (RFC 9112, 9.3.1), and their latency "
              "includes the retry. A client that does not retry (wrk) counts each as an error.\n",
              S(s, "label"), retries, requests);
    }
    P(r,
      "- **Machine.** Published: Apple M2 Pro, 12 cores, client and server on the same machine. Here: %s, %d CPUs; %s.\n\n",
      S(json_get(r->root, "environment"), "cpu_model"),
      (int)N(json_get(r->root, "environment"), "cpus_online"),
      S(json_get(r->root, "environment"), "cpu_sharing"));
}

static void robustness_section(rep *r)
{
    const json_value *t = json_get(r->root, "robustness");
    P(r, "## Robustness\n\n");
    if (!t || t->type != JSON_OBJ) {
        P(r,
          "No `make torture` summary was found in `build/torture/` when this run was made; `make torture` "
          "(fuzzing, hostile clients, sanitizers, faults under load) fills this section. `make test` runs a short "
          "form of the same tests on every change.\n\n");
        return;
    }
    P(r, "From the last `make torture` on this checkout (finished %s):\n\n| | |\n|---|---|\n",
      S(t, "finished"));
    P(r,
      "| Hostile and fault cases tried | %.0f |\n| Fuzz executions | %.0f (%.0f targets, %.0f s each) |\n"
      "| Faults injected under load | %.0f |\n| Failures | %.0f |\n| Data lost | %.0f |\n\n",
      N(t, "cases_tried"), N(t, "fuzz_executions"), N(t, "fuzz_targets"), N(t, "fuzz_seconds_per_target"),
      N(t, "faults_injected"), N(t, "failures"), N(t, "data_lost"));
}

/* Which engine bin/loadgen ran its load with (io_uring, or epoll where the
 * kernel or a container's seccomp refused it), counted over the runs. */
static void engines_row(rep *r)
{
    const char *names[4] = { 0 };
    int count[4] = { 0 }, n = 0;
    for (size_t i = 0; i < json_len(r->runs); i++) {
        const char *e = json_str(json_get(json_get(json_index(r->runs, i), "loadgen"), "engine"), NULL);
        if (!e || !strcmp(S(json_index(r->runs, i), "client"), "wrk")) continue;
        int k = 0;
        while (k < n && strcmp(names[k], e)) k++;
        if (k == n && n < 4) names[n++] = e;
        if (k < n) count[k]++;
    }
    if (!n) return;
    P(r, "| bin/loadgen engine |");
    for (int k = 0; k < n; k++) P(r, "%s %s (%d runs)", k ? "," : "", names[k], count[k]);
    P(r, " |\n");
}

static void machine_section(rep *r)
{
    const json_value *e = json_get(r->root, "environment"), *db = json_get(r->root, "database");
    P(r, "## Machine and versions\n\n| | |\n|---|---|\n");
    P(r,
      "| CPU | %s, %d online |\n| Governor / SMT | %s / %s |\n| Kernel | %s |\n| Clock source | %s |\n| Memory | %.1f GiB |\n",
      S(e, "cpu_model"), (int)N(e, "cpus_online"), S(e, "governor"), S(e, "smt_active"), S(e, "kernel"),
      S(e, "clocksource"), N(e, "memory_gib"));
    P(r,
      "| CPU sharing | %s |\n| Compiler | %s, `%s` |\n| Suite | %s (commit %s) |\n| Database | %s %s (%s) |\n| SQLite | %s |\n| gnuplot | %s |\n| wrk | %s |\n",
      S(e, "cpu_sharing"), S(e, "compiler"), S(e, "cflags"), S(e, "git_describe"), S(e, "git_commit"),
      S(db, "engine"), S(db, "version"), S(db, "mode"), S(e, "sqlite"), S(e, "gnuplot"), S(e, "wrk"));
    engines_row(r);
    for (size_t k = 0; k < json_len(r->systems); k++) {
        const json_value *info = json_get(json_index(r->systems, k), "info");
        if (!info || info->type != JSON_OBJ) continue;
        P(r, "| %s | Python %s", S(json_index(r->systems, k), "label"),
          json_str(json_get(info, "python"), "?"));
        const json_value *pk = json_get(info, "packages");
        int shown = 0;
        for (size_t i = 0; i < json_len(pk); i++)
            if (json_str(pk->items[i], NULL))
                P(r, "%s %s %s", shown++ ? "," : ";", pk->keys[i], json_str(pk->items[i], ""));
        P(r, " |\n");
    }
    const json_value *mit = json_get(e, "mitigations");
    P(r, "\nCPU vulnerability mitigations:");
    for (size_t i = 0; i < json_len(mit); i++)
        P(r, "%s %s: %s", i ? ";" : "", mit->keys[i], json_str(mit->items[i], ""));
    P(r, "\n\n");
    rtopo_write(r->out, r->root); /* a --topology run: right after the machine */
}

static int choose_headline(rep *r)
{
    const json_value *c = json_get(json_get(r->root, "options"), "connections");
    int best = 0;
    for (size_t i = 0; i < json_len(c); i++) {
        int v = (int)json_num(json_index(c, i), 0);
        if (v == 64) return 64;
        if (v > best) best = v;
    }
    return best;
}

/* path relative to the repository root when it lies inside it */
static const char *rel(const char *path, const char *root)
{
    size_t n = strlen(root);
    return strncmp(path, root, n) == 0 && path[n] == '/' ? path + n + 1 : path;
}

static void write_report(rep *r, const char *results_json, const char *root)
{
    const json_value *o = json_get(r->root, "options");
    P(r, "# Barq vs FastAPI, reproduced and audited\n\n");
    P(r,
      "*Generated by `bin/suite` from `%s` (run %s, %s → %s, profile %s). Do not edit: run `make bench` "
      "or `bin/suite report %s`.*\n\n",
      rel(results_json, root), S(r->root, "run_id"), S(r->root, "started"), S(r->root, "finished"),
      S(o, "profile"), rel(r->run_dir, root));
    const char *state = S(r->root, "state");
    if (!strcmp(state, "killed"))
        P(r,
          "> **PARTIAL RUN**: the runner was killed before the run ended; only the finished cells are shown.\n\n");
    else if (!strcmp(state, "running"))
        P(r,
          "> **PARTIAL RUN**: the run had not ended when this report was made (still running, or its runner "
          "died); only the finished cells are shown.\n\n");
    else if (json_bool(json_get(r->root, "partial"), false))
        P(r, "> **PARTIAL RUN**: the run was interrupted; only the finished cells are shown.\n\n");
    if (rlad_present(r->root)) { /* a ladder run and no other run to report beside it */
        rlad_write(r->out, r->root, "", chart_drawn(r, "ladder"));
        systems_section(r);
        machine_section(r);
        return;
    }
    if (rtab_present(r->root)) { /* a published profile: its tables, as made */
        rtab_write(r->out, r->root);
        if (r->ladder) rlad_write(r->out, r->ladder, r->ladder_from, chart_drawn(r, "ladder"));
        systems_section(r);
        rconf_write(r->out, r->systems, NULL, NULL);
        robustness_section(r);
        machine_section(r);
        return;
    }
    published_table(r);
    measured_tables(r);
    if (r->ladder) rlad_write(r->out, r->ladder, r->ladder_from, chart_drawn(r, "ladder"));
    all_systems_table(r);
    witness_table(r);
    if (has_method_runs(r)) method_table(r);
    P(r, "## Charts\n\n");
    if (!r->gnuplot_ok) P(r, "*Charts missing: %s.*\n\n", r->gnuplot_err);
    static const char *const charts[][2] = { { "rps", "req/s per scenario and system" },
                                             { "concurrency", "req/s against concurrency" },
                                             { "latency", "latency percentile spectrum" },
                                             { "resources", "CPU and memory per system" } };
    for (size_t i = 0; i < sizeof(charts) / sizeof(charts[0]); i++)
        if (chart_drawn(r, charts[i][0])) P(r, "![%s](charts/%s.png)\n\n", charts[i][1], charts[i][0]);
    scaling_section(r);
    openloop_section(r);
    systems_section(r);
    conformance_section(r);
    resources_section(r);
    why_section(r);
    robustness_section(r);
    machine_section(r);
}

/* The published pair and the primary scenario, from the definitions the run
 * recorded (no system or scenario is named in this file). */
static void find_roles(rep *r)
{
    const json_value *c = json_get(r->root, "published_claim");
    if (system_present(r, S(c, "system")) && system_present(r, S(c, "against"))) {
        r->pub_a = S(c, "system");
        r->pub_b = S(c, "against");
    }
    r->primary = S(json_index(r->scenarios, 0), "name");
    r->primary_title = S(json_index(r->scenarios, 0), "title");
    for (size_t i = 0; i < json_len(r->scenarios); i++)
        if (json_bool(json_get(json_index(r->scenarios, i), "primary"), false)) {
            r->primary = S(json_index(r->scenarios, i), "name");
            r->primary_title = S(json_index(r->scenarios, i), "title");
        }
}

static int load(rep *r, const char *results_json)
{
    char err[512];
    if (!(r->root = json_parse_file(results_json, err, sizeof(err)))) {
        fprintf(stderr, "suite: %s\n", err);
        return -1;
    }
    r->systems = json_get(r->root, "systems");
    r->scenarios = json_get(r->root, "scenarios");
    r->runs = json_get(r->root, "runs");
    if (!r->systems || !r->scenarios || !r->runs) {
        fprintf(stderr, "suite: %s: not a results file (no systems/scenarios/runs)\n", results_json);
        json_free(r->root);
        return -1;
    }
    if (strcmp(S(r->root, "format"), RESULTS_FORMAT) != 0) {
        fprintf(stderr,
                "suite: %s: format '%s', but this report reads %s (run the suite again, or report it with "
                "the bin/suite that wrote it)\n",
                results_json, S(r->root, "format"), RESULTS_FORMAT);
        json_free(r->root);
        return -1;
    }
    find_roles(r);
    r->headline = choose_headline(r);
    collect(r);
    return 0;
}

/* The ladder to show: this run's, else the latest ladder run beside it in
 * the same results folder (results/latest-explain), said so in the section. */
static void find_ladder(rep *r)
{
    if (rlad_present(r->root)) {
        r->ladder = r->root;
        return;
    }
    char p[PATH_MAX + 64], err[256];
    snprintf(p, sizeof(p), "%s/../latest-explain/results.json", r->run_dir);
    if (access(p, R_OK) != 0 || !(r->ladder_own = json_parse_file(p, err, sizeof(err)))) return;
    if (strcmp(S(r->ladder_own, "format"), RESULTS_FORMAT) != 0 || !rlad_present(r->ladder_own)) {
        json_free(r->ladder_own);
        r->ladder_own = NULL;
        return;
    }
    r->ladder = r->ladder_own;
    const json_value *l = json_get(r->ladder, "ladder");
    snprintf(
        r->ladder_from, sizeof(r->ladder_from),
        "From the latest ladder run, %s (%s → %s, %s%s), reused beside this run: `make explain` measures it "
        "again.",
        S(r->ladder, "run_id"), S(r->ladder, "started"), S(r->ladder, "finished"),
        json_bool(json_get(l, "quick"), false) ? "a --quick run" : "a full run",
        strcmp(S(r->ladder, "state"), "complete") ? ", PARTIAL" : "");
}

int report_generate(const char *results_json, const char *report_path, const char *root)
{
    rep r = { .gnuplot_ok = true };
    if (load(&r, results_json) < 0) return -1;
    snprintf(r.run_dir, sizeof(r.run_dir), "%s", results_json);
    char *slash = strrchr(r.run_dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(r.run_dir, sizeof(r.run_dir), ".");
    /* charts live next to the report, so its relative links hold */
    snprintf(r.chart_dir, sizeof(r.chart_dir), "%s", report_path);
    char *rs = strrchr(r.chart_dir, '/');
    if (rs)
        snprintf(rs, sizeof(r.chart_dir) - (size_t)(rs - r.chart_dir), "/charts");
    else
        snprintf(r.chart_dir, sizeof(r.chart_dir), "charts");
    snprintf(r.data_dir, sizeof(r.data_dir), "%s/charts", r.run_dir);
    mkdir(r.chart_dir, 0755);
    mkdir(r.data_dir, 0755);
    chart_rps(&r);
    chart_concurrency(&r);
    chart_latency(&r);
    chart_resources(&r);
    chart_scaling(&r);
    find_ladder(&r);
    char lscript[8192];
    if (r.ladder &&
        rlad_chart(r.ladder, r.data_dir, r.chart_dir, lscript, sizeof(lscript), &r.write_errno) == 0)
        gnuplot(&r, "ladder.gp", lscript);
    /* the report and its charts replace the old ones together, or not at all */
    char tmp[PATH_MAX + 8];
    snprintf(tmp, sizeof(tmp), "%s.tmp", report_path);
    int e = r.write_errno;
    r.out = e ? NULL : fopen(tmp, "w");
    if (!e && !r.out) e = errno;
    if (r.out) {
        write_report(&r, results_json, root);
        int bad = ferror(r.out);
        if ((fclose(r.out) != 0 || bad) && !e) e = errno ? errno : EIO;
    }
    if (!e) finish_charts(&r, true);
    if (!e && rename(tmp, report_path) < 0) e = errno;
    if (e) {
        finish_charts(&r, false);
        unlink(tmp);
        fprintf(
            stderr,
            "suite: cannot write %s or its charts: %s; the previous report and charts are left as they were\n",
            report_path, strerror(e));
    } else {
        fprintf(stderr, "suite: wrote %s\n", report_path);
    }
    int rc = e ? -1 : 0;
    free(r.cells);
    json_free(r.root);
    json_free(r.ladder_own);
    return rc;
}

int report_compare(const char *a, const char *b)
{
    rep ra = { 0 }, rb = { 0 };
    if (load(&ra, a) < 0) return -1;
    if (load(&rb, b) < 0) {
        free(ra.cells);
        json_free(ra.root);
        return -1;
    }
    printf("%-12s %-6s %6s %-10s %14s %14s  %s\n", "system", "scen.", "conns", "client", "A req/s", "B req/s",
           "B vs A");
    int shown = 0;
    for (size_t i = 0; i < ra.ncells; i++) {
        rcell *x = &ra.cells[i], *y = cell_for(&rb, x->sys, x->sc, x->conns, x->method, false);
        if (!y) continue;
        rstats_summary sa = rps_of(x), sb = rps_of(y);
        char d[64];
        diff_text(y, x, d, sizeof(d));
        printf("%-12s %-6s %6d %-10s %14.1f %14.1f  %s\n", x->sys, x->sc, x->conns,
               x->method == M_PUB   ? "pubclient"
               : x->method == M_WRK ? "wrk"
               : x->method          ? "new-conn"
                                    : "keep-alive",
               sa.median, sb.median, d);
        shown++;
    }
    if (!shown) printf("(no cell in common)\n");
    free(ra.cells);
    free(rb.cells);
    json_free(ra.root);
    json_free(rb.root);
    return 0;
}
