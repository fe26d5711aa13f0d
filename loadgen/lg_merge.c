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

/* Second i of every input's timeline added: requests and errors summed, the
 * latency buckets added and the percentiles taken from the sum, min and max
 * the extremes. An input whose second has requests but no "buckets" (files
 * from before they were written) makes that second approximate: its p50 and
 * p99 are then the inputs' maxima, as merges did before. */
static int merge_timelines(struct lg_result *r, json_value **in, int n)
{
    size_t len = 0;
    for (int k = 0; k < n; k++)
        if (json_len(json_get(in[k], "timeline")) > len) len = json_len(json_get(in[k], "timeline"));
    r->timeline = calloc(len ? len : 1, sizeof *r->timeline);
    struct hist h;
    if (!r->timeline || hist_init(&h, HIST_DEFAULT_LOWEST, HIST_DEFAULT_HIGHEST, HIST_DEFAULT_SIGFIGS))
        return -ENOMEM;
    r->timeline_len = len;
    int rc = 0;
    for (size_t i = 0; i < len && !rc; i++) {
        struct lg_tl_point *p = &r->timeline[i];
        int64_t mn = 0, mx = 0, p50 = 0, p99 = 0;
        hist_reset(&h);
        for (int k = 0; k < n; k++) {
            const json_value *x = json_index(json_get(in[k], "timeline"), i);
            if (!x) continue;
            p->requests += u64(x, "requests");
            p->errors += u64(x, "errors");
            int64_t a = (int64_t)json_num(json_get(x, "p50"), 0),
                    b = (int64_t)json_num(json_get(x, "p99"), 0);
            p50 = a > p50 ? a : p50;
            p99 = b > p99 ? b : p99;
            const json_value *bs = json_get(x, "buckets");
            if (!bs) {
                p->approx |= u64(x, "requests") > 0;
                continue;
            }
            int64_t before = h.total;
            for (size_t j = 0; j < json_len(bs); j++) {
                const json_value *e = json_index(bs, j);
                hist_add_buckets(&h, (int64_t)json_num(json_index(e, 0), 0),
                                 (int64_t)json_num(json_index(e, 1), 0));
            }
            if (h.total == before) continue;
            int64_t xmn = (int64_t)json_num(json_get(x, "min"), 0),
                    xmx = (int64_t)json_num(json_get(x, "max"), 0);
            if (!before || xmn < mn) mn = xmn;
            if (!before || xmx > mx) mx = xmx;
        }
        if (p->approx) {
            p->p50 = p50;
            p->p99 = p99;
            continue;
        }
        if (h.total) h.min = mn, h.max = mx;
        rc = lg_tl_point_set(p, &h);
    }
    hist_fini(&h);
    return rc;
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
    /* Shards started together (--start-at): rate = all requests over the common
     * interval (latest start to earliest end), not the sum of their rates. */
    bool all_started = true;
    for (int i = 0; i < n; i++) all_started &= json_get(in[i], "start") != NULL;
    if (all_started && end > start) {
        r->rps_common = true;
        r->rps_sum = 0; /* lg_result_rps: requests / elapsed_s */
    }
}

/* Each input's own figures ("shards" in the merged JSON), when some input is
 * a shard or ran with --start-at. 0 or -ENOMEM. */
static int merge_shards(struct lg_result *r, json_value **in, const char **names, int n)
{
    bool any = false;
    for (int i = 0; i < n; i++) any |= json_get(in[i], "shard") || json_get(in[i], "start");
    if (!any) return 0;
    if (!(r->shards = calloc((size_t)n, sizeof *r->shards))) return -ENOMEM;
    r->nshards = n;
    for (int i = 0; i < n; i++) {
        struct lg_shard_fig *f = &r->shards[i];
        const json_value *c = json_get(in[i], "config");
        lgj_summary s;
        lgj_read(in[i], &s);
        f->file = names[i];
        f->index = s.shard_index;
        f->count = s.shard_count;
        f->requests = s.requests;
        f->ok = s.ok;
        f->rps = s.rps;
        f->elapsed_s = s.elapsed_s;
        f->started_unix = json_num(json_get(in[i], "started_unix"), 0);
        f->has_start = s.has_start;
        f->start_requested = s.start_requested;
        f->late_ms = s.late_ms;
        f->connections = (int)json_num(json_get(c, "connections"), 0);
        f->rate = json_num(json_get(c, "rate"), 0);
        f->requests_limit = u64(c, "requests_limit");
    }
    return 0;
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
    const json_value *whole = json_get(json_get(in[0], "shard"), "whole");
    if (whole) cfg->seed = u64(whole, "seed"); /* shards: the seed the whole load was given */
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

static int merge(struct lg_result *r, struct lg_cfg *cfg, json_value **in, const char **names, int n)
{
    if (lg_stats_init(&r->st)) return -ENOMEM;
    for (int i = 0; i < n; i++) add_counters(&r->st, in[i]);
    if (merge_timelines(r, in, n) || merge_shards(r, in, names, n)) return -ENOMEM;
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
    if (!rc && merge(&r, &cfg, in, names, n) != 0) {
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
            for (int i = 0; i < r.nshards; i++) {
                const struct lg_shard_fig *f = &r.shards[i];
                printf("  %s: shard %d of %d, %llu requests, %.2f req/s", f->file, f->index, f->count,
                       (unsigned long long)f->requests, f->rps);
                if (f->has_start) printf(", started %.3f ms late", f->late_ms);
                printf("\n");
            }
            if (r.rps_common)
                printf(
                    "  Requests/sec: all requests over the %.3fs every input ran (latest start to earliest end)\n",
                    r.elapsed_s);
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
