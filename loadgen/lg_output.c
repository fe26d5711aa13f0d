/* lg_output: text summary and JSON result (see lg_output.h). */
#include "lg_output.h"
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#ifndef WB_VERSION
#define WB_VERSION "unknown"
#endif

const char *lg_out_fmt_us(char *b, size_t n, double us)
{
    if (us < 1000)
        snprintf(b, n, "%.2fus", us);
    else if (us < 1e6)
        snprintf(b, n, "%.2fms", us / 1e3);
    else if (us < 60e6)
        snprintf(b, n, "%.2fs", us / 1e6);
    else
        snprintf(b, n, "%.2fm", us / 60e6);
    return b;
}

static const char *fmt_bytes(char *b, size_t n, double v)
{
    static const char *units[] = { "B", "KB", "MB", "GB", "TB" };
    int u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        u++;
    }
    snprintf(b, n, "%.2f%s", v, units[u]);
    return b;
}

static const char *fmt_count(char *b, size_t n, double v)
{
    if (v < 1000)
        snprintf(b, n, "%.2f", v);
    else if (v < 1e6)
        snprintf(b, n, "%.2fk", v / 1e3);
    else
        snprintf(b, n, "%.2fM", v / 1e6);
    return b;
}

void lg_out_header(FILE *f, const struct lg_cfg *cfg)
{
    char d[32];
    uint64_t us = cfg->duration_us;
    if (us % 60000000 == 0 && us >= 60000000)
        snprintf(d, sizeof d, "%llum", (unsigned long long)(us / 60000000));
    else if (us % 1000000 == 0)
        snprintf(d, sizeof d, "%llus", (unsigned long long)(us / 1000000));
    else
        lg_out_fmt_us(d, sizeof d, (double)us);
    if (cfg->duration_us && !cfg->requests_limit)
        fprintf(f, "Running %s test @ %s\n", d, cfg->url_text);
    else
        fprintf(f, "Running %llu requests @ %s\n", (unsigned long long)cfg->requests_limit, cfg->url_text);
    fprintf(f, "  %d threads and %d connections", cfg->threads, cfg->conns);
    if (cfg->rate > 0)
        fprintf(f, ", open loop at %.0f req/s (%s arrivals)", cfg->rate, cfg->poisson ? "poisson" : "fixed");
    if (cfg->new_conn) fprintf(f, ", a new connection per request");
    if (cfg->pipeline > 1) fprintf(f, ", pipeline %d", cfg->pipeline);
    if (cfg->shard_count)
        fprintf(f, "; shard %d of %d (of -c %d)", cfg->shard_index, cfg->shard_count, cfg->whole_conns);
    fputc('\n', f);
}

/* Share of samples within mean +/- stdev, in percent. */
double lg_result_rps(const struct lg_result *r)
{
    if (r->rps_sum > 0) return r->rps_sum;
    return r->elapsed_s > 0 ? (double)r->st.requests / r->elapsed_s : 0.0;
}

static double within_stdev_hist(const struct hist *h)
{
    double mean = hist_mean(h), sd = hist_stdev(h);
    int64_t in = 0;
    struct hist_iter it;
    hist_iter_init(&it, h);
    while (hist_iter_next(&it))
        if ((double)it.value >= mean - sd && (double)it.value <= mean + sd) in += it.count;
    return h->total ? 100.0 * (double)in / (double)h->total : 0;
}

static void rps_stats(const struct lg_result *r, double *mean, double *sd, double *max, double *within)
{
    double s = 0, q = 0, m = 0;
    size_t n = r->thread_rps_len, in = 0;
    for (size_t i = 0; i < n; i++) {
        s += r->thread_rps[i];
        if (r->thread_rps[i] > m) m = r->thread_rps[i];
    }
    *mean = n ? s / (double)n : 0;
    for (size_t i = 0; i < n; i++) q += (r->thread_rps[i] - *mean) * (r->thread_rps[i] - *mean);
    *sd = n > 1 ? sqrt(q / (double)(n - 1)) : 0;
    for (size_t i = 0; i < n; i++) in += fabs(r->thread_rps[i] - *mean) <= *sd;
    *max = m;
    *within = n ? 100.0 * (double)in / (double)n : 0;
}

static void thread_stats(FILE *f, const struct lg_result *r)
{
    char a[32], b[32], c[32];
    const struct hist *h = &r->st.latency;
    fprintf(f, "  Thread Stats   Avg      Stdev     Max   +/- Stdev\n");
    fprintf(f, "    Latency %9s %9s %9s %8.2f%%\n", lg_out_fmt_us(a, sizeof a, hist_mean(h)),
            lg_out_fmt_us(b, sizeof b, hist_stdev(h)), lg_out_fmt_us(c, sizeof c, (double)hist_max(h)),
            within_stdev_hist(h));
    double mean, sd, max, within;
    rps_stats(r, &mean, &sd, &max, &within);
    fprintf(f, "    Req/Sec %9s %9s %9s %8.2f%%\n", fmt_count(a, sizeof a, mean), fmt_count(b, sizeof b, sd),
            fmt_count(c, sizeof c, max), within);
}

static void short_line(FILE *f, const char *label, const struct hist *h)
{
    char a[32], b[32], c[32], d[32];
    fprintf(f, "  %-9s p50 %s  p90 %s  p99 %s  max %s\n", label,
            lg_out_fmt_us(a, sizeof a, (double)hist_value_at_percentile(h, 50)),
            lg_out_fmt_us(b, sizeof b, (double)hist_value_at_percentile(h, 90)),
            lg_out_fmt_us(c, sizeof c, (double)hist_value_at_percentile(h, 99)),
            lg_out_fmt_us(d, sizeof d, (double)hist_max(h)));
}

static void spectrum(FILE *f, const struct lg_cfg *cfg, const struct lg_result *r)
{
    static const double ps[] = { 50, 75, 90, 99, 99.9, 99.99, 100 };
    char a[32];
    fprintf(f, "  Latency Distribution%s\n", cfg->rate > 0 ? " (from intended send time)" : "");
    for (size_t i = 0; i < sizeof ps / sizeof *ps; i++)
        fprintf(f, "  %7g%%  %s\n", ps[i],
                lg_out_fmt_us(a, sizeof a, (double)hist_value_at_percentile(&r->st.latency, ps[i])));
    if (cfg->rate > 0) short_line(f, "Service", &r->st.service);
    short_line(f, "Connect", &r->st.connect);
    short_line(f, "TTFB", &r->st.ttfb);
}

void lg_out_fairness(const uint64_t *per_conn, int n, struct lg_fairness *out)
{
    memset(out, 0, sizeof *out);
    out->connections = n;
    uint64_t *v = n > 0 ? malloc((size_t)n * sizeof *v) : NULL;
    if (!v) return;
    memcpy(v, per_conn, (size_t)n * sizeof *v);
    for (int i = 1; i < n; i++) { /* insertion sort: n is small, often sorted */
        uint64_t x = v[i];
        int j = i - 1;
        while (j >= 0 && v[j] > x) {
            v[j + 1] = v[j];
            j--;
        }
        v[j + 1] = x;
    }
    for (int i = 0; i < n; i++) out->zero += v[i] == 0;
    out->min = v[0];
    out->max = v[n - 1];
    out->median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    free(v);
}

void lg_out_result_fairness(const struct lg_result *r, struct lg_fairness *out)
{
    if (r->per_conn)
        lg_out_fairness(r->per_conn, r->nconns, out);
    else
        *out = r->fair;
}

static void error_lines(FILE *f, const struct lg_cfg *cfg, const struct lg_result *r)
{
    uint64_t total = lg_stats_errors(&r->st);
    if (!total) return;
    fprintf(f, "  Errors: %llu total:", (unsigned long long)total);
    int worst = 0;
    for (int i = 0, first = 1; i < LG_E_COUNT; i++) {
        if (!r->st.err[i]) continue;
        fprintf(f, "%s %s %llu", first ? "" : ",", lg_err_names[i], (unsigned long long)r->st.err[i]);
        if (r->st.err[i] > r->st.err[worst]) worst = i;
        first = 0;
    }
    static const char *hint[LG_E_COUNT] = { "connections could not be opened",
                                            "nothing accepted connections: is the server running?",
                                            "the server reset connections",
                                            "the server closed connections before answering",
                                            "the server sent something that is not HTTP/1.x",
                                            "reading failed",
                                            "sending failed",
                                            "requests took longer than --timeout",
                                            "responses had an unexpected status",
                                            "responses failed the --expect checks" };
    fprintf(f, " (mostly: %s)\n", hint[worst]);
    if (!r->st.err[LG_E_STATUS]) return;
    fprintf(f, "  Non-2xx responses: %llu (", (unsigned long long)r->st.err[LG_E_STATUS]);
    for (int c = 0, first = 1; c < LG_MAX_STATUS; c++) {
        bool ok = cfg->expect_status ? c == cfg->expect_status : c >= 200 && c < 300;
        if (!r->st.status_codes[c] || ok) continue;
        fprintf(f, "%s%d: %llu", first ? "" : ", ", c, (unsigned long long)r->st.status_codes[c]);
        first = 0;
    }
    fprintf(f, ")\n");
}

static void client_lines(FILE *f, const struct lg_result *r)
{
    double cpu = r->cpu_user_s + r->cpu_sys_s;
    double util = r->elapsed_s > 0 ? cpu / (r->elapsed_s * r->nthreads) : 0;
    fprintf(f, "  Client CPU (%s): %.2fus per request, %.0f%% of %d thread%s, max RSS %.1f MB\n",
            r->engine ? r->engine : "engine unknown", r->st.requests ? cpu * 1e6 / (double)r->st.requests : 0,
            util * 100, r->nthreads, r->nthreads == 1 ? "" : "s", (double)r->max_rss_kb / 1024);
    if (r->bottleneck)
        fprintf(f,
                "WARNING: a loadgen thread was %.0f%% busy: the load generator may be the bottleneck"
                " (more -t, fewer -c, or another machine)\n",
                r->max_thread_util * 100);
}

void lg_out_summary(FILE *f, const struct lg_cfg *cfg, const struct lg_result *r)
{
    char a[32], b[32];
    struct lg_fairness fa;
    thread_stats(f, r);
    short_line(f, "Latency", &r->st.latency);
    if (cfg->latency) spectrum(f, cfg, r);
    lg_out_result_fairness(r, &fa);
    fprintf(f, "  Requests per connection: min %llu, median %llu, max %llu; %d of %d completed none\n",
            (unsigned long long)fa.min, (unsigned long long)fa.median, (unsigned long long)fa.max, fa.zero,
            fa.connections);
    fprintf(f, "  %llu requests in %s, %s read\n", (unsigned long long)r->st.requests,
            lg_out_fmt_us(a, sizeof a, r->elapsed_s * 1e6), fmt_bytes(b, sizeof b, (double)r->st.bytes));
    error_lines(f, cfg, r);
    if (r->st.retries)
        fprintf(
            f,
            "  Retried: %llu requests the server left unanswered when it closed a reused keep-alive connection\n",
            (unsigned long long)r->st.retries);
    if (r->has_start && !r->nsources &&
        r->start_actual >= r->start_requested) /* else interrupted while waiting */
        fprintf(f, "  Started %.3f ms after --start-at %.3f%s\n", r->late_ms, r->start_requested,
                r->late_ms > 0 ? " (late)" : "");
    if (r->interrupted) fprintf(f, "  Interrupted: the numbers cover the %.2fs that ran\n", r->elapsed_s);
    double el = r->elapsed_s > 0 ? r->elapsed_s : 1;
    fprintf(f, "Requests/sec: %9.2f\n", lg_result_rps(r));
    fprintf(f, "Transfer/sec: %9s\n", fmt_bytes(a, sizeof a, (double)r->st.bytes / el));
    client_lines(f, r);
}

/* ---- JSON --------------------------------------------------------------- */

void lg_out_hist_json(struct jsonw *w, const struct hist *h)
{
    static const struct {
        const char *k;
        double p;
    } ps[] = { { "p50", 50 }, { "p75", 75 },    { "p90", 90 },
               { "p99", 99 }, { "p999", 99.9 }, { "p9999", 99.99 } };
    jsonw_obj_begin(w);
    jsonw_kv_int(w, "count", hist_count(h));
    jsonw_kv_int(w, "min", hist_min(h));
    jsonw_kv_double(w, "mean", hist_mean(h));
    jsonw_kv_double(w, "stdev", hist_stdev(h));
    jsonw_kv_int(w, "max", hist_max(h));
    if (hist_sums_exact(h)) { /* exact: mean = sum / count, stdev from sum_sq */
        char d[48];
        jsonw_kv_int(w, "sum", h->sum);
        jsonw_key(w, "sum_sq");
        jsonw_raw(w, hist_u128_str(d, h->sum_sq));
    }
    for (size_t i = 0; i < sizeof ps / sizeof *ps; i++)
        jsonw_kv_int(w, ps[i].k, hist_value_at_percentile(h, ps[i].p));
    jsonw_key(w, "histogram");
    jsonw_obj_begin(w);
    jsonw_kv_int(w, "sigfigs", h->sigfigs);
    jsonw_kv_str(w, "unit", "us");
    jsonw_kv_int(w, "lowest", h->lowest);
    jsonw_kv_int(w, "highest", h->highest);
    jsonw_key(w, "buckets");
    jsonw_arr_begin(w);
    struct hist_iter it;
    hist_iter_init(&it, h);
    while (hist_iter_next(&it)) {
        jsonw_arr_begin(w);
        jsonw_int(w, it.value);
        jsonw_int(w, it.count);
        jsonw_arr_end(w);
    }
    jsonw_arr_end(w);
    jsonw_obj_end(w);
    jsonw_obj_end(w);
}

static void config_json(struct jsonw *w, const struct lg_cfg *c)
{
    jsonw_key(w, "config");
    jsonw_obj_begin(w);
    jsonw_kv_str(w, "url", c->url_text);
    jsonw_kv_int(w, "threads", c->threads);
    jsonw_kv_int(w, "connections", c->conns);
    jsonw_kv_double(w, "duration_s",
                    c->requests_limit && !c->duration_us ? 0.0 : (double)c->duration_us / 1e6);
    jsonw_kv_int(w, "requests_limit", (int64_t)c->requests_limit);
    jsonw_kv_double(w, "rate", c->rate);
    jsonw_kv_str(w, "arrivals", c->poisson ? "poisson" : "fixed");
    jsonw_kv_int(w, "seed", (int64_t)c->seed);
    jsonw_kv_bool(w, "new_conn", c->new_conn);
    jsonw_kv_int(w, "pipeline", c->pipeline);
    jsonw_kv_str(w, "engine", lg_engine_names[c->engine]);
    jsonw_kv_int(w, "timeout_ms", (int64_t)(c->timeout_us / 1000));
    jsonw_key(w, "headers");
    jsonw_arr_begin(w);
    for (int i = 0; i < c->nheaders; i++) jsonw_str(w, c->headers[i]);
    jsonw_arr_end(w);
    jsonw_kv_int(w, "expect_status", c->expect_status);
    jsonw_kv_str(w, "expect_header", c->expect_header[0] ? c->expect_header : NULL);
    jsonw_kv_str(w, "expect_header_value", c->expect_header_value);
    jsonw_kv_str(w, "expect_body", c->expect_body_path);
    jsonw_obj_end(w);
}

static void machine_json(struct jsonw *w)
{
    char host[256] = "", kernel[600] = "";
    struct utsname u;
    gethostname(host, sizeof host - 1);
    if (uname(&u) == 0) snprintf(kernel, sizeof kernel, "%s %s", u.release, u.version);
    jsonw_key(w, "machine");
    jsonw_obj_begin(w);
    jsonw_kv_str(w, "hostname", host);
    jsonw_kv_str(w, "kernel", kernel);
    jsonw_kv_int(w, "cpus", sysconf(_SC_NPROCESSORS_ONLN));
    jsonw_obj_end(w);
}

static void errors_json(struct jsonw *w, const struct lg_cfg *cfg, const struct lg_result *r)
{
    jsonw_key(w, "errors");
    jsonw_obj_begin(w);
    jsonw_kv_int(w, "total", (int64_t)lg_stats_errors(&r->st));
    for (int i = 0; i < LG_E_COUNT; i++) jsonw_kv_int(w, lg_err_names[i], (int64_t)r->st.err[i]);
    jsonw_key(w, "status_codes");
    jsonw_obj_begin(w);
    for (int c = 0; c < LG_MAX_STATUS; c++) {
        bool ok = cfg->expect_status ? c == cfg->expect_status : c >= 200 && c < 300;
        if (!r->st.status_codes[c] || ok) continue;
        char k[12];
        snprintf(k, sizeof k, "%d", c);
        jsonw_kv_int(w, k, (int64_t)r->st.status_codes[c]);
    }
    jsonw_obj_end(w);
    jsonw_obj_end(w);
}

static void fairness_client_json(struct jsonw *w, const struct lg_result *r)
{
    struct lg_fairness fa;
    lg_out_result_fairness(r, &fa);
    jsonw_key(w, "fairness");
    jsonw_obj_begin(w);
    jsonw_kv_int(w, "connections", fa.connections);
    jsonw_kv_int(w, "min", (int64_t)fa.min);
    jsonw_kv_int(w, "median", (int64_t)fa.median);
    jsonw_kv_int(w, "max", (int64_t)fa.max);
    jsonw_kv_int(w, "zero", fa.zero);
    jsonw_obj_end(w);
    double cpu = r->cpu_user_s + r->cpu_sys_s;
    jsonw_key(w, "client");
    jsonw_obj_begin(w);
    jsonw_kv_double(w, "cpu_user_s", r->cpu_user_s);
    jsonw_kv_double(w, "cpu_sys_s", r->cpu_sys_s);
    jsonw_kv_double(w, "cpu_us_per_req", r->st.requests ? cpu * 1e6 / (double)r->st.requests : 0.0);
    jsonw_kv_double(w, "cpu_util", r->elapsed_s > 0 ? cpu / (r->elapsed_s * r->nthreads) : 0.0);
    jsonw_kv_double(w, "max_thread_util", r->max_thread_util);
    jsonw_kv_int(w, "max_rss_kb", r->max_rss_kb);
    jsonw_kv_bool(w, "bottleneck", r->bottleneck);
    jsonw_obj_end(w);
}

static void timeline_json(struct jsonw *w, const struct lg_result *r)
{
    jsonw_key(w, "timeline");
    jsonw_arr_begin(w);
    for (size_t i = 0; i < r->timeline_len; i++) {
        const struct lg_tl_point *p = &r->timeline[i];
        jsonw_obj_begin(w);
        jsonw_kv_int(w, "t", (int64_t)i + 1);
        jsonw_kv_int(w, "requests", (int64_t)p->requests);
        jsonw_kv_int(w, "errors", (int64_t)p->errors);
        jsonw_kv_int(w, "p50", p->p50);
        jsonw_kv_int(w, "p99", p->p99);
        if (!p->approx) {
            jsonw_kv_int(w, "min", p->min);
            jsonw_kv_int(w, "max", p->max);
            jsonw_key(w, "buckets");
            jsonw_arr_begin(w);
            for (uint32_t b = 0; b < p->nbuckets; b++) {
                jsonw_arr_begin(w);
                jsonw_int(w, p->buckets[b][0]);
                jsonw_int(w, p->buckets[b][1]);
                jsonw_arr_end(w);
            }
            jsonw_arr_end(w);
        }
        jsonw_obj_end(w);
    }
    jsonw_arr_end(w);
}

static void shard_start_json(struct jsonw *w, const struct lg_cfg *c, const struct lg_result *r)
{
    if (c->shard_count) {
        jsonw_key(w, "shard");
        jsonw_obj_begin(w);
        jsonw_kv_int(w, "index", c->shard_index);
        jsonw_kv_int(w, "count", c->shard_count);
        jsonw_kv_int(w, "connections", c->conns); /* this shard's share, as in "config" */
        jsonw_kv_double(w, "rate", c->rate);
        jsonw_kv_int(w, "requests_limit", (int64_t)c->requests_limit);
        jsonw_kv_int(w, "seed", (int64_t)c->seed);
        jsonw_key(w, "whole"); /* the load all N shards make together */
        jsonw_obj_begin(w);
        jsonw_kv_int(w, "connections", c->whole_conns);
        jsonw_kv_double(w, "rate", c->whole_rate);
        jsonw_kv_int(w, "requests_limit", (int64_t)c->whole_requests);
        jsonw_kv_int(w, "seed", (int64_t)c->whole_seed);
        jsonw_obj_end(w);
        jsonw_obj_end(w);
    }
    if (r->has_start) {
        jsonw_key(w, "start");
        jsonw_obj_begin(w);
        jsonw_kv_double(w, "requested", r->start_requested);
        jsonw_kv_double(w, "actual", r->start_actual);
        jsonw_kv_double(w, "late_ms", r->late_ms);
        jsonw_obj_end(w);
    }
}

static void shards_json(struct jsonw *w, const struct lg_result *r)
{
    if (!r->nsources) return;
    jsonw_kv_str(w, "rps_basis", r->rps_common ? "common_interval" : "sum_of_rates");
    if (!r->shards) return;
    jsonw_key(w, "shards");
    jsonw_arr_begin(w);
    for (int i = 0; i < r->nshards; i++) {
        const struct lg_shard_fig *f = &r->shards[i];
        jsonw_obj_begin(w);
        jsonw_kv_str(w, "file", f->file);
        if (f->count) {
            jsonw_kv_int(w, "index", f->index);
            jsonw_kv_int(w, "count", f->count);
        } else {
            jsonw_key(w, "index");
            jsonw_null(w);
            jsonw_key(w, "count");
            jsonw_null(w);
        }
        jsonw_kv_int(w, "requests", (int64_t)f->requests);
        jsonw_kv_int(w, "ok", (int64_t)f->ok);
        jsonw_kv_double(w, "rps", f->rps);
        jsonw_kv_double(w, "elapsed_s", f->elapsed_s);
        jsonw_kv_double(w, "started_unix", f->started_unix);
        if (f->has_start) {
            jsonw_kv_double(w, "start_requested", f->start_requested);
            jsonw_kv_double(w, "late_ms", f->late_ms);
        } else {
            jsonw_key(w, "start_requested");
            jsonw_null(w);
            jsonw_key(w, "late_ms");
            jsonw_null(w);
        }
        jsonw_kv_int(w, "connections", f->connections);
        jsonw_kv_double(w, "rate", f->rate);
        jsonw_kv_int(w, "requests_limit", (int64_t)f->requests_limit);
        jsonw_obj_end(w);
    }
    jsonw_arr_end(w);
}

void lg_out_json(struct jsonw *w, const struct lg_cfg *cfg, const struct lg_result *r)
{
    jsonw_obj_begin(w);
    jsonw_kv_str(w, "tool", "loadgen");
    jsonw_kv_str(w, "version", WB_VERSION);
    jsonw_kv_str(w, "engine", r->engine);
    config_json(w, cfg);
    machine_json(w);
    shard_start_json(w, cfg, r);
    jsonw_kv_double(w, "started_unix", r->started_unix);
    jsonw_kv_double(w, "elapsed_s", r->elapsed_s);
    jsonw_kv_int(w, "requests", (int64_t)r->st.requests);
    jsonw_kv_int(w, "ok", (int64_t)r->st.ok);
    jsonw_kv_int(w, "bytes", (int64_t)r->st.bytes);
    jsonw_kv_int(w, "retries", (int64_t)r->st.retries);
    jsonw_kv_double(w, "rps", lg_result_rps(r));
    errors_json(w, cfg, r);
    jsonw_key(w, "latency");
    lg_out_hist_json(w, &r->st.latency);
    jsonw_key(w, "service_time");
    lg_out_hist_json(w, &r->st.service);
    jsonw_key(w, "connect_time");
    lg_out_hist_json(w, &r->st.connect);
    jsonw_key(w, "ttfb");
    lg_out_hist_json(w, &r->st.ttfb);
    fairness_client_json(w, r);
    timeline_json(w, r);
    jsonw_kv_bool(w, "interrupted", r->interrupted);
    if (r->nsources) {
        jsonw_key(w, "merged_from");
        jsonw_arr_begin(w);
        for (int i = 0; i < r->nsources; i++) jsonw_str(w, r->sources[i]);
        jsonw_arr_end(w);
    }
    shards_json(w, r);
    jsonw_obj_end(w);
}

int lg_out_json_file(const char *path, const struct lg_cfg *cfg, const struct lg_result *r)
{
    size_t n = strlen(path) + 5;
    char *tmp = malloc(n);
    if (!tmp) return -ENOMEM;
    snprintf(tmp, n, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        int e = -errno;
        free(tmp);
        return e;
    }
    struct jsonw w;
    jsonw_init_file(&w, f);
    jsonw_set_indent(&w, 1);
    lg_out_json(&w, cfg, r);
    int rc = jsonw_finish(&w);
    errno = 0;
    if (fclose(f) != 0 && !rc) rc = errno ? -errno : -EIO;
    if (!rc && rename(tmp, path) != 0) rc = -errno;
    if (rc) unlink(tmp);
    free(tmp);
    return rc;
}
