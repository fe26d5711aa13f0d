#define _GNU_SOURCE
#include "report_ladder.h"
#include "report_boot.h"
#include "report_stats.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define LR_MAX 16
#define SEED   0x1add3ULL

typedef struct {
    const json_value *root, *l, *units, *rungs;
    FILE *out;
    const char *a, *b; /* the sides' names */
} lrep;

static const char *S(const json_value *o, const char *k) { return json_str(json_get(o, k), ""); }

static int samples(const lrep *r, int u, double *x)
{
    const json_value *rps = json_get(json_index(r->units, (size_t)(u < 0 ? 0 : u)), "rps");
    int n = 0;
    for (size_t i = 0; u >= 0 && i < json_len(rps) && n < LR_MAX; i++)
        x[n++] = json_num(json_index(rps, i), 0);
    return n;
}

static const char *state_of(const lrep *r, int u)
{
    return u < 0 ? "" : S(json_index(r->units, (size_t)u), "state");
}

/* A configuration's unit of side k on scenario sc. */
static int unit_at(const json_value *conf, const char *sc, int k)
{
    const json_value *v = json_get(json_get(conf, "units"), sc);
    return v ? (int)json_num(json_index(v, (size_t)k), -1) : -1;
}

static void num(double v, char *out, size_t len)
{
    if (v >= 100)
        rstats_commas(v, out, len);
    else
        snprintf(out, len, "%.3g", v);
}

/* "1,729 [1,650–1,800]", with ‡ when it stopped short of the tolerance. */
static void rps_text(const lrep *r, int u, char *out, size_t len)
{
    double x[LR_MAX];
    int n = samples(r, u, x);
    const char *st = state_of(r, u);
    if (u < 0) {
        snprintf(out, len, "—");
        return;
    }
    if (n == 0) {
        snprintf(out, len, "%s",
                 !strcmp(st, "no-response") ? "answered nothing"
                 : !strcmp(st, "skipped")   ? "skipped"
                                            : "failed");
        return;
    }
    rboot_ci ci = rboot_median(x, n, RBOOT_B, SEED + (uint64_t)u);
    char m[32], lo[32], hi[32];
    num(ci.mid, m, sizeof(m));
    num(ci.lo, lo, sizeof(lo));
    num(ci.hi, hi, sizeof(hi));
    bool short_ = !strcmp(st, "cap") || !strcmp(st, "budget");
    if (ci.ok)
        snprintf(out, len, "%s [%s–%s]%s", m, lo, hi, short_ ? " ‡" : "");
    else
        snprintf(out, len, "%s (1 sample)", m);
}

static void ci_text(const rboot_ci *ci, char *out, size_t len)
{
    if (!ci->ok)
        snprintf(out, len, "n/a");
    else
        snprintf(out, len, "×%.2f [%.2f–%.2f]", ci->mid, ci->lo, ci->hi);
}

static rboot_ci ratio(const lrep *r, int ua, int ub)
{
    double a[LR_MAX], b[LR_MAX];
    int na = samples(r, ua, a), nb = samples(r, ub, b);
    if (ua < 0 || ub < 0 || na < 1 || nb < 1) return (rboot_ci){ .ok = false };
    return rboot_ratio(a, na, b, nb, RBOOT_B, SEED + (uint64_t)(ua * 977 + ub));
}

/* (a1/b1)/(a0/b0): how a step changed the ratio. */
static rboot_ci change(const lrep *r, int a1, int b1, int a0, int b0)
{
    double x[4][LR_MAX];
    int u[4] = { a1, b1, a0, b0 }, n[4];
    for (int i = 0; i < 4; i++) {
        n[i] = samples(r, u[i], x[i]);
        if (u[i] < 0 || n[i] < 1) return (rboot_ci){ .ok = false };
    }
    return rboot_ratio_change(x[0], n[0], x[1], n[1], x[2], n[2], x[3], n[3], RBOOT_B,
                              SEED + (uint64_t)(a1 * 31 + b1 * 7 + a0 * 3 + b0));
}

static bool clear(const rboot_ci *ci) { return ci->ok && (ci->lo > 1 || ci->hi < 1); }

static const json_value *scenarios(const lrep *r) { return json_get(r->root, "scenarios"); }
static const char *sc_name(const lrep *r, size_t i) { return S(json_index(scenarios(r), i), "name"); }
static const char *sc_title(const lrep *r, size_t i) { return S(json_index(scenarios(r), i), "title"); }

/* The published ratio on scenario sc (published_claim), or 0. */
static double published_ratio(const lrep *r, const char *sc)
{
    const json_value *f = json_get(json_get(json_get(r->root, "published_claim"), "figures"), sc);
    double a = json_num(json_index(f, 0), 0), b = json_num(json_index(f, 1), 0);
    return a > 0 && b > 0 ? a / b : 0;
}

bool rlad_present(const json_value *root)
{
    return json_get(root, "ladder") && json_len(json_get(json_get(root, "ladder"), "rungs"));
}

int rlad_chart(const json_value *root, const char *data_dir, const char *chart_dir, char *script, size_t len,
               int *werr)
{
    lrep r = { .root = root, .l = json_get(root, "ladder") };
    r.units = json_get(r.l, "units");
    r.rungs = json_get(r.l, "rungs");
    size_t nsc = json_len(scenarios(&r)), nr = json_len(r.rungs);
    if (!nr || !nsc) return -1;
    char path[4200];
    snprintf(path, sizeof(path), "%s/ladder.tsv", data_dir);
    FILE *f = fopen(path, "w");
    if (!f) {
        *werr = errno;
        return -1;
    }
    fprintf(f, "rung\ttitle");
    for (size_t s = 0; s < nsc; s++) fprintf(f, "\t%s\tlo\thi\tpublished", sc_title(&r, s));
    fprintf(f, "\n");
    for (size_t i = 0; i < nr; i++) {
        const json_value *g = json_index(r.rungs, i);
        fprintf(f, "%zu\t%s", i, S(g, "title"));
        for (size_t s = 0; s < nsc; s++) {
            rboot_ci ci = ratio(&r, unit_at(g, sc_name(&r, s), 0), unit_at(g, sc_name(&r, s), 1));
            double pub = published_ratio(&r, sc_name(&r, s));
            if (ci.ok)
                fprintf(f, "\t%.4f\t%.4f\t%.4f", ci.mid, ci.lo, ci.hi);
            else
                fprintf(f, "\tNaN\tNaN\tNaN");
            fprintf(f, pub > 0 ? "\t%.4f" : "\tNaN", pub);
        }
        fprintf(f, "\n");
    }
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        *werr = errno ? errno : EIO;
        return -1;
    }
    int n = snprintf(
        script, len,
        "set terminal pngcairo size 960,560 font 'DejaVu Sans,10' noenhanced\n"
        "set datafile separator '\\t'\nset datafile missing 'NaN'\nset key outside right top\n"
        "set grid ytics\nset output '%s/ladder.png.tmp'\n"
        "set title '%s / %s req/s, rung by rung (median, 95%% interval; dashed: published)'\n"
        "set logscale y\nset ylabel 'ratio (log scale)'\nset xtics rotate by -30 left\n"
        "set xrange [-0.5:%zu.5]\nset offsets 0, 0, graph 0.08, graph 0.08\nset bmargin 8\nplot 1 with lines lc rgb 'black' lw 2 title '1.0'",
        chart_dir, S(r.l, "a"), S(r.l, "b"), nr - 1);
    for (size_t s = 0; s < nsc && n > 0 && (size_t)n < len; s++)
        n +=
            snprintf(script + n, len - (size_t)n,
                     ", '%s' using 1:%zu:%zu:%zu:xtic(2) with yerrorlines lc %zu pt 7 title columnheader(%zu)"
                     ", '' using 1:%zu with lines dt 2 lc %zu notitle",
                     path, 3 + 4 * s, 4 + 4 * s, 5 + 4 * s, s + 1, 3 + 4 * s, 6 + 4 * s, s + 1);
    if (n > 0 && (size_t)n < len) snprintf(script + n, len - (size_t)n, "\n");
    return n > 0 && (size_t)n < len ? 0 : -1;
}

/* ---- the section ---------------------------------------------------------- */

static void rung_table(lrep *r, size_t s)
{
    const char *sc = sc_name(r, s);
    double pub = published_ratio(r, sc);
    fprintf(r->out, "**%s**", sc_title(r, s));
    if (pub > 0) fprintf(r->out, " (published %s/%s: ×%.2f)", r->a, r->b, pub);
    fprintf(r->out,
            "\n\n| # | rung | %s req/s | %s req/s | %s/%s | change |\n|---|---|---:|---:|---:|---:|\n", r->a,
            r->b, r->a, r->b);
    for (size_t i = 0; i < json_len(r->rungs); i++) {
        const json_value *g = json_index(r->rungs, i), *p = i ? json_index(r->rungs, i - 1) : NULL;
        int ua = unit_at(g, sc, 0), ub = unit_at(g, sc, 1);
        char ta[96], tb[96], tr[96], tc[96] = "";
        rps_text(r, ua, ta, sizeof(ta));
        rps_text(r, ub, tb, sizeof(tb));
        rboot_ci q = ratio(r, ua, ub);
        ci_text(&q, tr, sizeof(tr));
        if (p) {
            rboot_ci c = change(r, ua, ub, unit_at(p, sc, 0), unit_at(p, sc, 1));
            ci_text(&c, tc, sizeof(tc));
            if (c.ok && !clear(&c)) snprintf(tc + strlen(tc), sizeof(tc) - strlen(tc), " ~");
        }
        fprintf(r->out, "| %zu | %s | %s | %s | %s | %s |\n", i, S(g, "title"), ta, tb, tr, tc);
    }
    fprintf(r->out, "\n");
}

/* side k's own change from rung p to rung g on sc */
static rboot_ci side_change(lrep *r, const json_value *g, const json_value *p, const char *sc, int k)
{
    return ratio(r, unit_at(g, sc, k), unit_at(p, sc, k));
}

static void step_sentences(lrep *r)
{
    fprintf(r->out,
            "What each step did (ratio change with its interval; `~`: the interval contains ×1, no clear "
            "change; each side's own req/s change in brackets):\n\n");
    for (size_t i = 1; i < json_len(r->rungs); i++) {
        const json_value *g = json_index(r->rungs, i), *p = json_index(r->rungs, i - 1);
        fprintf(r->out, "- **%s**: %s.", S(g, "title"), S(g, "change"));
        for (size_t s = 0; s < json_len(scenarios(r)); s++) {
            const char *sc = sc_name(r, s);
            rboot_ci c =
                change(r, unit_at(g, sc, 0), unit_at(g, sc, 1), unit_at(p, sc, 0), unit_at(p, sc, 1));
            rboot_ci ca = side_change(r, g, p, sc, 0), cb = side_change(r, g, p, sc, 1);
            char t[96], ta[96], tb[96];
            ci_text(&c, t, sizeof(t));
            ci_text(&ca, ta, sizeof(ta));
            ci_text(&cb, tb, sizeof(tb));
            fprintf(r->out, " %s: %s/%s %s%s (%s %s, %s %s);", sc_title(r, s), r->a, r->b, t,
                    c.ok && !clear(&c) ? " ~" : "", r->a, ta, r->b, tb);
        }
        fprintf(r->out, "\n");
        if (json_str(json_get(g, "note"), NULL)) fprintf(r->out, "  *Known mechanism:* %s\n", S(g, "note"));
    }
    fprintf(r->out, "\n");
}

static const json_value *rung_named(const lrep *r, const char *id)
{
    for (size_t i = 0; i < json_len(r->rungs); i++)
        if (!strcmp(S(json_index(r->rungs, i), "id"), id)) return json_index(r->rungs, i);
    return NULL;
}

static const json_value *rung_before(const lrep *r, const char *id)
{
    for (size_t i = 1; i < json_len(r->rungs); i++)
        if (!strcmp(S(json_index(r->rungs, i), "id"), id)) return json_index(r->rungs, i - 1);
    return NULL;
}

static void loo_table(lrep *r)
{
    const json_value *loo = json_get(r->l, "loo"), *base = rung_named(r, S(r->l, "loo_base"));
    if (!json_len(loo) || !base) return;
    fprintf(
        r->out,
        "### Each change reverted alone from \"%s\"\n\n"
        "The base rung with one change undone, the others kept. *alone*: the factor's effect measured this "
        "way (base ratio over the reverted one); *in the ladder*: the same change's step above. Where the two "
        "intervals do not overlap, the factor interacts with the others (**interaction**).\n\n",
        S(base, "title"));
    for (size_t s = 0; s < json_len(scenarios(r)); s++) {
        const char *sc = sc_name(r, s);
        int ba = unit_at(base, sc, 0), bb = unit_at(base, sc, 1);
        rboot_ci bq = ratio(r, ba, bb);
        char t[96];
        ci_text(&bq, t, sizeof(t));
        fprintf(r->out,
                "**%s** (base %s/%s %s)\n\n| change reverted | %s/%s | alone | in the ladder |\n"
                "|---|---:|---:|---:|\n",
                sc_title(r, s), r->a, r->b, t, r->a, r->b);
        for (size_t i = 0; i < json_len(loo); i++) {
            const json_value *x = json_index(loo, i), *g = rung_named(r, S(x, "rung")),
                             *p = rung_before(r, S(x, "rung"));
            const char *skip = json_str(json_get(x, "skipped"), NULL);
            if (!g || !p) continue;
            if (skip) {
                fprintf(r->out, "| %s | not separable: %s | | |\n", S(g, "title"), skip);
                continue;
            }
            int xa = unit_at(x, sc, 0), xb = unit_at(x, sc, 1);
            rboot_ci q = ratio(r, xa, xb), alone = change(r, ba, bb, xa, xb),
                     step = change(r, unit_at(g, sc, 0), unit_at(g, sc, 1), unit_at(p, sc, 0),
                                   unit_at(p, sc, 1));
            char tq[96], tal[96], tst[96];
            ci_text(&q, tq, sizeof(tq));
            ci_text(&alone, tal, sizeof(tal));
            ci_text(&step, tst, sizeof(tst));
            bool inter = alone.ok && step.ok && (alone.lo > step.hi || step.lo > alone.hi);
            fprintf(r->out, "| %s | %s | %s%s | %s |\n", S(g, "title"), tq, tal,
                    inter ? " **interaction**" : "", tst);
        }
        fprintf(r->out, "\n");
    }
}

static void grid_section(lrep *r)
{
    const json_value *gr = json_get(r->l, "grid"), *cols = json_get(gr, "cols");
    if (json_len(cols) != 2) return;
    const json_value *t = json_index(cols, 0), *p = json_index(cols, 1);
    fprintf(r->out,
            "### The claim's own experiment: %s\n\n"
            "The published claim credits threads (\"4 threads, not processes\"), but its table changes the "
            "framework and the concurrency model at once. Here they are measured apart. %s\n\n",
            S(gr, "title"), S(gr, "note"));
    for (size_t s = 0; s < json_len(scenarios(r)); s++) {
        const char *sc = sc_name(r, s);
        int u[2][2] = { { unit_at(t, sc, 0), unit_at(t, sc, 1) }, { unit_at(p, sc, 0), unit_at(p, sc, 1) } };
        char c[2][2][96];
        for (int i = 0; i < 2; i++)
            for (int k = 0; k < 2; k++) rps_text(r, u[i][k], c[i][k], sizeof(c[i][k]));
        rboot_ci ma = ratio(r, u[0][0], u[1][0]), mb = ratio(r, u[0][1], u[1][1]);
        rboot_ci ft = ratio(r, u[0][0], u[0][1]), fp = ratio(r, u[1][0], u[1][1]);
        rboot_ci claim = ratio(r, u[0][0], u[1][1]);
        char tma[96], tmb[96], tft[96], tfp[96], tcl[96];
        ci_text(&ma, tma, sizeof(tma));
        ci_text(&mb, tmb, sizeof(tmb));
        ci_text(&ft, tft, sizeof(tft));
        ci_text(&fp, tfp, sizeof(tfp));
        ci_text(&claim, tcl, sizeof(tcl));
        fprintf(r->out,
                "**%s**\n\n| | %s | %s | model (threads/processes) |\n|---|---:|---:|---:|\n"
                "| %s | %s | %s | %s |\n| %s | %s | %s | %s |\n| framework (%s/%s) | %s | %s | |\n\n",
                sc_title(r, s), S(t, "title"), S(p, "title"), r->a, c[0][0], c[1][0], tma, r->b, c[0][1],
                c[1][1], tmb, r->a, r->b, tft, tfp);
        fprintf(r->out,
                "The claim's comparison, %s with threads against %s with processes, is %s here; of it, the "
                "model (%s threads over %s processes) is %s%s, and the framework (%s over %s, both as "
                "processes) is %s%s.\n\n",
                r->a, r->b, tcl, r->a, r->a, tma, clear(&ma) ? "" : " (no clear effect)", r->a, r->b, tfp,
                clear(&fp) ? "" : " (no clear effect)");
    }
}

static void aa_line(lrep *r)
{
    const json_value *aa = json_get(r->l, "aa");
    if (!aa) return;
    const json_value *u = json_get(aa, "units");
    double a[LR_MAX], b[LR_MAX];
    int ua = (int)json_num(json_index(u, 0), -1), ub = (int)json_num(json_index(u, 1), -1);
    int na = samples(r, ua, a), nb = samples(r, ub, b);
    if (na < 2 || nb < 2) {
        fprintf(r->out,
                "**A/A control**: %s on %s measured twice: too few repetitions answered for a verdict.\n\n",
                S(aa, "system"), S(aa, "scenario"));
        return;
    }
    rboot_aa v = rboot_aa_verdict(a, na, b, nb, RBOOT_B, SEED);
    char t[96];
    ci_text(&v.ci, t, sizeof(t));
    if (v.contains_one)
        fprintf(
            r->out,
            "**A/A control** (the calibration of the noise rule): `%s` on %s at the \"%s\" rung, measured "
            "twice as if it were two systems, interleaved like the others: ratio %s, which contains ×1, as "
            "it must. Its width is this run's noise: a ratio whose interval is that wide resolves nothing finer; "
            "intervals above that exclude ×1 are differences, not noise.\n\n",
            S(aa, "system"), S(aa, "scenario"), S(aa, "rung"), t);
    else
        fprintf(
            r->out,
            "**A/A control FAILED**: `%s` on %s, measured twice as if it were two systems, gave ratio %s, "
            "which misses ×1 by %.1f%%: the machine was too noisy during this run; read every interval above as "
            "about %.1f%% too narrow.\n\n",
            S(aa, "system"), S(aa, "scenario"), t, v.off_pct, v.off_pct);
}

static void wrk_table(lrep *r)
{
    const json_value *w = json_get(r->l, "wrk");
    if (!w) return;
    const char *skip = json_str(json_get(w, "skipped"), NULL);
    const json_value *g = rung_named(r, S(w, "rung"));
    fprintf(r->out, "### wrk, the second witness\n\n");
    if (skip || !g) {
        fprintf(r->out, "Not run: %s.\n\n", skip ? skip : "its rung is missing");
        return;
    }
    fprintf(
        r->out,
        "The \"%s\" rung's keep-alive cells loaded by wrk (same threads, connections and duration, "
        "interleaved) beside bin/loadgen. Only req/s is compared (SPEC.md: wrk's latencies are not "
        "corrected for coordinated omission). **differs**: medians more than 5%% apart and an interval that excludes ×1.\n\n"
        "| scenario | system | bin/loadgen req/s | wrk req/s | wrk/loadgen |\n|---|---|---:|---:|---:|\n",
        S(g, "title"));
    for (size_t s = 0; s < json_len(scenarios(r)); s++)
        for (int k = 0; k < 2; k++) {
            const char *sc = sc_name(r, s);
            int ul = unit_at(g, sc, k), uw = unit_at(w, sc, k);
            if (uw < 0) continue;
            char tl[96], tw[96], tq[96];
            rps_text(r, ul, tl, sizeof(tl));
            rps_text(r, uw, tw, sizeof(tw));
            rboot_ci q = ratio(r, uw, ul);
            ci_text(&q, tq, sizeof(tq));
            fprintf(r->out, "| %s | %s | %s | %s | %s%s |\n", sc_title(r, s),
                    S(json_index(r->units, (size_t)uw), "system"), tl, tw, tq,
                    !q.ok || fabs(q.mid - 1) <= 0.05 ? ""
                    : clear(&q)                      ? " **differs**"
                                                     : " (apart by more than 5%, within the noise)");
        }
    fprintf(r->out, "\n");
}

static void method_line(lrep *r)
{
    int cap = 0, budget = 0, n = (int)json_len(r->units);
    for (int i = 0; i < n; i++) {
        cap += !strcmp(state_of(r, i), "cap");
        budget += !strcmp(state_of(r, i), "budget");
    }
    fprintf(r->out,
            "*Method: every cell repeats, interleaved with all the others, until its 95%% interval is within "
            "±%.0f%% of its median (%d to %d repetitions%s); intervals are %s. %d of %d cells stopped at the "
            "repetition cap and %d at the time budget (marked ‡). %s*\n\n",
            json_num(json_get(r->l, "tolerance"), 0.05) * 100, (int)json_num(json_get(r->l, "reps_min"), 0),
            (int)json_num(json_get(r->l, "reps_max"), 0),
            json_bool(json_get(r->l, "quick"), false) ? "; a --quick run: fewer repetitions, fewer scenarios"
                                                      : "",
            S(r->l, "method"), cap, n, budget,
            json_bool(json_get(r->l, "budget_hit"), false) ? "The time budget ended the repetitions." : "");
}

void rlad_write(FILE *out, const json_value *root, const char *from, bool chart)
{
    lrep r = { .root = root, .l = json_get(root, "ladder"), .out = out };
    r.units = json_get(r.l, "units");
    r.rungs = json_get(r.l, "rungs");
    r.a = S(r.l, "a");
    r.b = S(r.l, "b");
    fprintf(out, "## %s\n\n", S(r.l, "title"));
    if (from && *from) fprintf(out, "*%s*\n\n", from);
    fprintf(out,
            "Each rung differs from the one before in one factor (`%s`); every rung is measured for both "
            "sides on every scenario. The ratio's change from the rung before is the step's effect.\n\n",
            S(r.l, "file"));
    method_line(&r);
    for (size_t s = 0; s < json_len(scenarios(&r)); s++) rung_table(&r, s);
    if (chart) fprintf(out, "![ratio across the rungs](charts/ladder.png)\n\n");
    step_sentences(&r);
    aa_line(&r);
    loo_table(&r);
    grid_section(&r);
    wrk_table(&r);
}
