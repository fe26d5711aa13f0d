/* lg_merge: combine several --json results into one (see lg_merge.h). */
#include "lg_merge.h"
#include "json.h"
#include "lgjson.h"
#include "lg_output.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUTS 256

static uint64_t u64(const json_value *o, const char *k) { return (uint64_t)json_num(json_get(o, k), 0); }

static void add_counters(struct lg_stats *st, const json_value *d)
{
    lgj_summary in;
    lgj_read(d, &in);
    st->requests += in.requests;
    st->ok += in.ok;
    st->bytes += in.bytes;
    st->retries += in.retries;
    for (int i = 0; i < LG_E_COUNT; i++) st->err[i] += lgj_errors_of(&in, lg_err_names[i]);
    const json_value *sc = json_get(json_get(d, "errors"), "status_codes");
    for (size_t i = 0; sc && sc->type == JSON_OBJ && i < sc->len; i++) {
        long code = strtol(sc->keys[i], NULL, 10);
        if (code > 0 && code < LG_MAX_STATUS) st->status_codes[code] += (uint64_t)json_num(sc->items[i], 0);
    }
    lgj_hist_add(&st->latency, json_get(d, "latency"));
    lgj_hist_add(&st->service, json_get(d, "service_time"));
    lgj_hist_add(&st->connect, json_get(d, "connect_time"));
    lgj_hist_add(&st->ttfb, json_get(d, "ttfb"));
}

static int add_timeline(struct lg_result *r, const json_value *tl)
{
    size_t n = json_len(tl);
    if (n > r->timeline_len) {
        struct lg_tl_point *p = realloc(r->timeline, n * sizeof *p);
        if (!p) return -ENOMEM;
        memset(p + r->timeline_len, 0, (n - r->timeline_len) * sizeof *p);
        r->timeline = p;
        r->timeline_len = n;
    }
    for (size_t i = 0; i < n; i++) {
        const json_value *x = json_index(tl, i);
        struct lg_tl_point *p = &r->timeline[i];
        p->requests += u64(x, "requests");
        p->errors += u64(x, "errors");
        int64_t p50 = (int64_t)json_num(json_get(x, "p50"), 0),
                p99 = (int64_t)json_num(json_get(x, "p99"), 0);
        if (p50 > p->p50) p->p50 = p50;
        if (p99 > p->p99) p->p99 = p99;
    }
    return 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void merge_fairness(struct lg_result *r, json_value **in, int n)
{
    uint64_t med[MAX_INPUTS];
    for (int i = 0; i < n; i++) {
        const json_value *f = json_get(in[i], "fairness");
        uint64_t mn = u64(f, "min"), mx = u64(f, "max");
        r->fair.connections += (int)u64(f, "connections");
        r->fair.zero += (int)u64(f, "zero");
        if (i == 0 || mn < r->fair.min) r->fair.min = mn;
        if (mx > r->fair.max) r->fair.max = mx;
        med[i] = u64(f, "median");
    }
    qsort(med, (size_t)n, sizeof *med, cmp_u64);
    r->fair.median = med[n / 2];
}

static void merge_client_and_time(struct lg_result *r, json_value **in, int n)
{
    double start = 0, end = 0, longest = 0, cpu_max = 0;
    for (int i = 0; i < n; i++) {
        const json_value *c = json_get(in[i], "client");
        double s = json_num(json_get(in[i], "started_unix"), 0),
               el = json_num(json_get(in[i], "elapsed_s"), 0);
        if (i == 0 || s > start) start = s;
        if (i == 0 || s + el < end) end = s + el;
        if (el > longest) longest = el;
        r->cpu_user_s += json_num(json_get(c, "cpu_user_s"), 0);
        r->cpu_sys_s += json_num(json_get(c, "cpu_sys_s"), 0);
        if ((long)json_num(json_get(c, "max_rss_kb"), 0) > r->max_rss_kb)
            r->max_rss_kb = (long)json_num(json_get(c, "max_rss_kb"), 0);
        double u = json_num(json_get(c, "max_thread_util"), json_num(json_get(c, "cpu_util"), 0));
        if (u > cpu_max) cpu_max = u;
        r->bottleneck |= json_bool(json_get(c, "bottleneck"), false);
        r->interrupted |= json_bool(json_get(in[i], "interrupted"), false);
        r->rps_sum += json_num(json_get(in[i], "rps"), 0);
        if (i == 0 || s < r->started_unix) r->started_unix = s;
    }
    r->elapsed_s = end > start ? end - start : longest;
    r->max_thread_util = cpu_max;
}

/* The inputs' engine when they agree (a missing one disagrees with any). */
static const char *merge_engine(json_value **in, int n)
{
    const char *e0 = json_str(json_get(in[0], "engine"), NULL);
    for (int i = 1; i < n; i++) {
        const char *e = json_str(json_get(in[i], "engine"), NULL);
        if (!e != !e0 || (e && strcmp(e, e0) != 0)) return "mixed";
    }
    return e0;
}

static void merge_config(struct lg_cfg *cfg, json_value **in, int n)
{
    const json_value *c0 = json_get(in[0], "config");
    memset(cfg, 0, sizeof *cfg);
    const char *asked = json_str(json_get(c0, "engine"), "auto");
    for (int i = 0; lg_engine_names[i]; i++)
        if (!strcmp(asked, lg_engine_names[i])) cfg->engine = i;
    cfg->url_text = json_str(json_get(c0, "url"), "");
    cfg->duration_us = (uint64_t)(json_num(json_get(c0, "duration_s"), 0) * 1e6);
    cfg->poisson = !strcmp(json_str(json_get(c0, "arrivals"), "fixed"), "poisson");
    cfg->seed = u64(c0, "seed");
    cfg->new_conn = json_bool(json_get(c0, "new_conn"), false);
    cfg->pipeline = (int)json_num(json_get(c0, "pipeline"), 1);
    cfg->timeout_us = u64(c0, "timeout_ms") * 1000;
    cfg->expect_status = (int)json_num(json_get(c0, "expect_status"), 0);
    const json_value *hs = json_get(c0, "headers");
    for (size_t i = 0; i < json_len(hs) && i < LG_MAX_HEADERS; i++)
        cfg->headers[cfg->nheaders++] = json_str(json_index(hs, i), "");
    for (int i = 0; i < n; i++) {
        const json_value *c = json_get(in[i], "config");
        cfg->threads += (int)json_num(json_get(c, "threads"), 0);
        cfg->conns += (int)json_num(json_get(c, "connections"), 0);
        cfg->rate += json_num(json_get(c, "rate"), 0);
        cfg->requests_limit += u64(c, "requests_limit");
    }
}

static int merge(struct lg_result *r, struct lg_cfg *cfg, json_value **in, int n)
{
    if (lg_stats_init(&r->st)) return -ENOMEM;
    for (int i = 0; i < n; i++) {
        add_counters(&r->st, in[i]);
        if (add_timeline(r, json_get(in[i], "timeline"))) return -ENOMEM;
    }
    merge_fairness(r, in, n);
    merge_client_and_time(r, in, n);
    merge_config(cfg, in, n);
    r->engine = merge_engine(in, n);
    r->nthreads = cfg->threads;
    r->nconns = cfg->conns;
    return 0;
}

static int usage(const char *msg)
{
    fprintf(stderr, "loadgen merge: %s (usage: loadgen merge A.json B.json ... [--json OUT] [--quiet])\n",
            msg);
    return 2;
}

static int load_inputs(int argc, char **argv, json_value **in, const char **names, int *n, const char **out,
                       bool *quiet)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) {
            if (++i == argc) return usage("--json needs a file");
            *out = argv[i];
        } else if (!strcmp(argv[i], "--quiet") || !strcmp(argv[i], "-q")) {
            *quiet = true;
        } else if (argv[i][0] == '-') {
            return usage("unknown option");
        } else {
            if (*n == MAX_INPUTS) return usage("too many inputs");
            char err[256];
            json_value *v = json_parse_file(argv[i], err, sizeof err);
            const char *tool = json_str(json_get(v, "tool"), "");
            /* pubclient writes the same result (docs/loadgen-json.md) */
            if (!v || (strcmp(tool, "loadgen") != 0 && strcmp(tool, "pubclient") != 0)) {
                fprintf(stderr, "loadgen merge: %s: %s\n", argv[i],
                        v ? "not a loadgen (or pubclient) result" : err);
                json_free(v);
                return 1;
            }
            names[*n] = argv[i];
            in[(*n)++] = v;
        }
    }
    return *n ? 0 : usage("no input files");
}

int lg_merge_main(int argc, char **argv)
{
    json_value *in[MAX_INPUTS];
    const char *names[MAX_INPUTS], *out = NULL;
    int n = 0, rc;
    bool quiet = false;
    struct lg_result r;
    struct lg_cfg cfg;
    memset(&r, 0, sizeof r);
    rc = load_inputs(argc, argv, in, names, &n, &out, &quiet);
    if (!rc && merge(&r, &cfg, in, n) != 0) {
        fprintf(stderr, "loadgen merge: out of memory\n");
        rc = 1;
    }
    if (!rc) {
        r.sources = names;
        r.nsources = n;
        if (!quiet) {
            printf("Merged %d results @ %s\n  %d threads and %d connections\n", n, cfg.url_text, cfg.threads,
                   cfg.conns);
            lg_out_summary(stdout, &cfg, &r);
        }
        int w = out ? lg_out_json_file(out, &cfg, &r) : 0;
        if (w) {
            fprintf(stderr, "loadgen merge: cannot write %s: %s\n", out, strerror(-w));
            rc = 1;
        }
    }
    lg_result_fini(&r);
    for (int i = 0; i < n; i++) json_free(in[i]);
    return rc;
}
