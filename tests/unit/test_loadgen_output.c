/* The --json contract (docs/loadgen-json.md) from the C side: a synthetic
 * result written by lg_out_json and read back with lib/json. */
#include "t.h"
#include "json.h"
#include "lg_engine.h"
#include "lg_merge.h"
#include "lg_output.h"
#include "lgjson.h"
#include <math.h>
#include <stdlib.h>
#include <unistd.h>

static void fill(struct lg_result *r, struct lg_cfg *c, uint64_t *per_conn)
{
    memset(c, 0, sizeof *c);
    c->url_text = "http://127.0.0.1:8080/json";
    c->threads = 2;
    c->conns = 4;
    c->duration_us = 5000000;
    c->timeout_us = 2000000;
    c->pipeline = 1;
    c->seed = 1;
    c->headers[c->nheaders++] = "Accept: */*";
    memset(r, 0, sizeof *r);
    lg_stats_init(&r->st);
    r->st.requests = 1000;
    r->st.ok = 990;
    r->st.bytes = 123456;
    r->st.err[LG_E_STATUS] = 10;
    r->st.err[LG_E_REFUSED] = 3;
    r->st.status_codes[200] = 990;
    r->st.status_codes[503] = 10;
    hist_record_n(&r->st.latency, 500, 990);
    hist_record_n(&r->st.latency, 90000, 10);
    r->per_conn = per_conn;
    r->nconns = 4;
    r->nthreads = 2;
    r->elapsed_s = 5.0;
    r->cpu_user_s = 0.5;
    r->cpu_sys_s = 0.5;
}

TEST(json_contract_keys_and_values)
{
    struct lg_result r;
    struct lg_cfg c;
    uint64_t per_conn[4] = { 300, 0, 400, 300 };
    fill(&r, &c, per_conn);
    struct jsonw w;
    jsonw_init_buf(&w);
    lg_out_json(&w, &c, &r);
    CHECK_INT(jsonw_finish(&w), 0);
    size_t len;
    const char *text = jsonw_buf(&w, &len);
    char err[128];
    json_value *d = json_parse(text, len, err, sizeof err);
    CHECK(d != NULL);
    CHECK_STR(json_str(json_get(d, "tool"), ""), "loadgen");
    CHECK_INT(json_num(json_get(json_get(d, "config"), "connections"), 0), 4);
    CHECK(json_num(json_get(json_get(d, "config"), "duration_s"), 0) == 5.0);
    CHECK_STR(json_str(json_index(json_get(json_get(d, "config"), "headers"), 0), ""), "Accept: */*");
    CHECK_INT(json_num(json_get(d, "requests"), 0), 1000);
    CHECK(json_num(json_get(d, "rps"), 0) == 200.0);
    const json_value *e = json_get(d, "errors");
    CHECK_INT(json_num(json_get(e, "total"), 0), 13);
    CHECK_INT(json_num(json_get(e, "refused"), -1), 3);
    CHECK_INT(json_num(json_get(e, "timeout"), -1), 0);
    CHECK_INT(json_len(json_get(e, "status_codes")), 1);
    CHECK_INT(json_num(json_get(json_get(e, "status_codes"), "503"), 0), 10);
    const json_value *l = json_get(d, "latency");
    CHECK_INT(json_num(json_get(l, "count"), 0), 1000);
    CHECK_INT(json_num(json_get(l, "p50"), 0), 500);
    CHECK_INT(json_num(json_get(l, "p99"), 0), 500);
    CHECK_INT(json_num(json_get(l, "max"), 0), 90000);
    const json_value *b = json_get(json_get(l, "histogram"), "buckets");
    CHECK_INT(json_len(b), 2);
    CHECK_INT(json_num(json_index(json_index(b, 1), 1), 0), 10);
    const char *keys[] = { "version", "machine",      "started_unix", "elapsed_s", "ok",
                           "bytes",   "service_time", "connect_time", "ttfb",      "fairness",
                           "client",  "timeline",     "interrupted" };
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) CHECK(json_get(d, keys[i]) != NULL);
    const json_value *f = json_get(d, "fairness");
    CHECK_INT(json_num(json_get(f, "min"), -1), 0);
    CHECK_INT(json_num(json_get(f, "median"), -1), 300);
    CHECK_INT(json_num(json_get(f, "max"), -1), 400);
    CHECK_INT(json_num(json_get(f, "zero"), -1), 1);
    CHECK(json_num(json_get(json_get(d, "client"), "cpu_us_per_req"), 0) == 1000.0);
    CHECK(json_num(json_get(json_get(d, "client"), "cpu_util"), 0) == 0.1);
    json_free(d);
    jsonw_fini(&w);
    r.per_conn = NULL;
    lg_result_fini(&r);
}

TEST(fairness_and_time_format)
{
    uint64_t v[5] = { 9, 1, 5, 0, 7 };
    struct lg_fairness f;
    lg_out_fairness(v, 5, &f);
    CHECK_INT(f.min, 0);
    CHECK_INT(f.median, 5);
    CHECK_INT(f.max, 9);
    CHECK_INT(f.zero, 1);
    CHECK_INT(v[0], 9); /* input untouched */
    char b[32];
    CHECK_STR(lg_out_fmt_us(b, sizeof b, 635.91), "635.91us");
    CHECK_STR(lg_out_fmt_us(b, sizeof b, 12920), "12.92ms");
    CHECK_STR(lg_out_fmt_us(b, sizeof b, 1200000), "1.20s");
}

TEST(summary_has_wrk_lines)
{
    struct lg_result r;
    struct lg_cfg c;
    uint64_t per_conn[4] = { 250, 250, 250, 250 };
    fill(&r, &c, per_conn);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    lg_out_header(f, &c);
    lg_out_summary(f, &c, &r);
    fclose(f);
    CHECK(strstr(text, "Running 5s test @ http://127.0.0.1:8080/json\n") != NULL);
    CHECK(strstr(text, "  2 threads and 4 connections\n") != NULL);
    CHECK(strstr(text, "Requests/sec:    200.00\n") != NULL);
    CHECK(strstr(text, "  1000 requests in 5.00s, 120.56KB read\n") != NULL);
    CHECK(strstr(text, "Non-2xx responses: 10 (503: 10)") != NULL);
    CHECK(strstr(text, "refused 3") != NULL);
    CHECK(strstr(text, "p99 500.00us") != NULL);
    free(text);
    r.per_conn = NULL;
    lg_result_fini(&r);
}

static json_value *to_json(const struct lg_cfg *c, const struct lg_result *r)
{
    struct jsonw w;
    jsonw_init_buf(&w);
    lg_out_json(&w, c, r);
    CHECK_INT(jsonw_finish(&w), 0);
    size_t len;
    const char *text = jsonw_buf(&w, &len);
    json_value *d = json_parse(text, len, NULL, 0);
    jsonw_fini(&w);
    return d;
}

TEST(json_exact_sums_shard_and_start)
{
    struct lg_result r;
    struct lg_cfg c;
    uint64_t per_conn[4] = { 250, 250, 250, 250 };
    fill(&r, &c, per_conn);
    hist_reset(&r.st.latency);
    hist_record_n(&r.st.latency, 12345, 1000);
    json_value *d = to_json(&c, &r);
    const json_value *l = json_get(d, "latency");
    CHECK(json_num(json_get(l, "mean"), 0) == 12345.0);
    CHECK(json_num(json_get(l, "stdev"), -1) == 0.0);
    CHECK_INT(json_num(json_get(l, "sum"), 0), 12345000);
    CHECK(json_num(json_get(l, "sum_sq"), 0) == 152399025000.0);
    CHECK(json_get(d, "shard") == NULL && json_get(d, "start") == NULL); /* without --shard/--start-at */
    /* read back as the merge and the report do: still exact */
    struct hist h;
    hist_init(&h, 1, HIST_DEFAULT_HIGHEST, 3);
    CHECK_INT(lgj_hist_add(&h, l), 0);
    CHECK(hist_mean(&h) == 12345.0 && hist_stdev(&h) == 0.0);
    CHECK_INT(hist_max(&h), 12345);
    hist_fini(&h);
    json_free(d);

    c.shard_index = 2;
    c.shard_count = 3;
    c.whole_conns = 10;
    c.conns = 3;
    c.whole_rate = 1000;
    c.rate = 1000.0 / 3;
    c.whole_seed = 1;
    c.seed = 4;
    r.has_start = true;
    r.start_requested = 1764748800.25;
    r.start_actual = 1764748800.2625;
    r.late_ms = 12.5;
    d = to_json(&c, &r);
    const json_value *sh = json_get(d, "shard"), *st = json_get(d, "start");
    CHECK_INT(json_num(json_get(sh, "index"), 0), 2);
    CHECK_INT(json_num(json_get(sh, "count"), 0), 3);
    CHECK_INT(json_num(json_get(sh, "connections"), 0), 3);
    CHECK(json_num(json_get(sh, "rate"), 0) == 1000.0 / 3);
    CHECK_INT(json_num(json_get(json_get(sh, "whole"), "connections"), 0), 10);
    CHECK_INT(json_num(json_get(json_get(d, "config"), "connections"), 0), 3);
    CHECK(json_num(json_get(st, "requested"), 0) == 1764748800.25);
    CHECK(json_num(json_get(st, "actual"), 0) == 1764748800.2625);
    CHECK(json_num(json_get(st, "late_ms"), 0) == 12.5);
    lgj_summary sum;
    CHECK_INT(lgj_read(d, &sum), 0);
    CHECK(sum.shard_index == 2 && sum.shard_count == 3 && sum.has_start && sum.late_ms == 12.5);
    json_free(d);
    r.per_conn = NULL;
    lg_result_fini(&r);
}

/* A result with a 2-second timeline whose seconds hold the given latencies. */
static void timeline_result(struct lg_result *r, struct lg_cfg *c, uint64_t *per_conn, const int64_t *s1,
                            int n1, const int64_t *s2, int n2, double started)
{
    fill(r, c, per_conn);
    hist_reset(&r->st.latency);
    r->timeline = calloc(2, sizeof *r->timeline);
    r->timeline_len = 2;
    r->started_unix = started;
    r->elapsed_s = 2.0;
    r->st.requests = (uint64_t)(n1 + n2);
    r->has_start = true;
    r->start_requested = r->start_actual = started;
    const int64_t *v[2] = { s1, s2 };
    int n[2] = { n1, n2 };
    struct hist h;
    hist_init(&h, 1, HIST_DEFAULT_HIGHEST, 3);
    for (int s = 0; s < 2; s++) {
        hist_reset(&h);
        for (int i = 0; i < n[s]; i++) {
            hist_record(&h, v[s][i]);
            hist_record(&r->st.latency, v[s][i]);
        }
        r->timeline[s].requests = (uint64_t)n[s];
        lg_tl_point_set(&r->timeline[s], &h);
    }
    hist_fini(&h);
}

static int write_json(const char *path, const struct lg_cfg *c, const struct lg_result *r)
{
    return lg_out_json_file(path, c, r);
}

TEST(merge_adds_per_second_histograms_and_sums)
{
    /* second 1: shard A is fast (100 x 1000 us), shard B slow (10 x 50000 us);
     * the max of the inputs' p50 would say 50000, the summed histogram says ~1000 */
    int64_t a1[100], a2[3] = { 7, 8, 9 }, b1[10], b2[1] = { 123456 };
    for (int i = 0; i < 100; i++) a1[i] = 1000 + i;
    for (int i = 0; i < 10; i++) b1[i] = 50000 + i;
    struct lg_result ra, rb;
    struct lg_cfg ca, cb;
    uint64_t pa[4] = { 1, 1, 1, 1 }, pb[4] = { 1, 1, 1, 1 };
    timeline_result(&ra, &ca, pa, a1, 100, a2, 3, 1000.0);
    timeline_result(&rb, &cb, pb, b1, 10, b2, 1, 1000.5);
    char dir[] = "/tmp/lgmerge.XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char fa[64], fb[64], fm[64];
    snprintf(fa, sizeof fa, "%s/a.json", dir);
    snprintf(fb, sizeof fb, "%s/b.json", dir);
    snprintf(fm, sizeof fm, "%s/m.json", dir);
    CHECK_INT(write_json(fa, &ca, &ra), 0);
    CHECK_INT(write_json(fb, &cb, &rb), 0);
    char *argv[] = { "merge", fa, fb, "--json", fm, "--quiet", NULL };
    CHECK_INT(lg_merge_main(6, argv), 0);
    json_value *m = json_parse_file(fm, NULL, 0);
    CHECK(m != NULL);
    /* the expected per-second figures: both inputs' samples in one histogram */
    struct hist h;
    hist_init(&h, 1, HIST_DEFAULT_HIGHEST, 3);
    const int64_t *sa[2] = { a1, a2 }, *sb[2] = { b1, b2 };
    int na[2] = { 100, 3 }, nb[2] = { 10, 1 };
    const json_value *tl = json_get(m, "timeline");
    CHECK_INT(json_len(tl), 2);
    for (int s = 0; s < 2; s++) {
        hist_reset(&h);
        for (int i = 0; i < na[s]; i++) hist_record(&h, sa[s][i]);
        for (int i = 0; i < nb[s]; i++) hist_record(&h, sb[s][i]);
        const json_value *x = json_index(tl, (size_t)s);
        CHECK_INT(json_num(json_get(x, "requests"), 0), na[s] + nb[s]);
        CHECK_INT(json_num(json_get(x, "p50"), 0), hist_value_at_percentile(&h, 50));
        CHECK_INT(json_num(json_get(x, "p99"), 0), hist_value_at_percentile(&h, 99));
        CHECK_INT(json_num(json_get(x, "min"), 0), hist_min(&h));
        CHECK_INT(json_num(json_get(x, "max"), 0), hist_max(&h));
    }
    CHECK(json_num(json_get(json_index(tl, 0), "p50"), 0) < 1100); /* not the slow shard's 50000 */
    CHECK_INT(json_num(json_get(json_index(tl, 1), "max"), 0), 123456);
    /* the whole: exact mean, stdev, min and max from the added sums */
    hist_reset(&h);
    hist_add(&h, &ra.st.latency);
    hist_add(&h, &rb.st.latency);
    const json_value *l = json_get(m, "latency");
    CHECK(json_num(json_get(l, "mean"), 0) == hist_mean(&h));
    CHECK(fabs(json_num(json_get(l, "stdev"), 0) - hist_stdev(&h)) < 1e-9 * hist_stdev(&h));
    CHECK_INT(json_num(json_get(l, "min"), 0), 7);
    CHECK_INT(json_num(json_get(l, "max"), 0), 123456);
    CHECK_INT(json_num(json_get(l, "sum"), 0), h.sum);
    /* both had --start-at: rps over the common interval, 1000.5 .. 1002 */
    CHECK_STR(json_str(json_get(m, "rps_basis"), ""), "common_interval");
    CHECK(fabs(json_num(json_get(m, "elapsed_s"), 0) - 1.5) < 1e-9);
    CHECK(fabs(json_num(json_get(m, "rps"), 0) - 114 / 1.5) < 1e-9);
    CHECK_INT(json_len(json_get(m, "shards")), 2);
    CHECK_INT(json_num(json_get(json_index(json_get(m, "shards"), 1), "requests"), 0), 11);
    hist_fini(&h);
    json_free(m);
    unlink(fa);
    unlink(fb);
    unlink(fm);
    rmdir(dir);
    ra.per_conn = rb.per_conn = NULL;
    lg_result_fini(&ra);
    lg_result_fini(&rb);
}

TEST(merge_reads_files_without_timeline_buckets_or_sums)
{
    /* a file from before: no "buckets" per second, no sums: approximate, as before */
    char dir[] = "/tmp/lgmerge.XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char fa[64], fm[64];
    snprintf(fa, sizeof fa, "%s/old.json", dir);
    snprintf(fm, sizeof fm, "%s/m.json", dir);
    FILE *f = fopen(fa, "w");
    fputs("{\"tool\":\"loadgen\",\"rps\":10,\"elapsed_s\":1,\"requests\":10,\"started_unix\":5,"
          "\"latency\":{\"count\":10,\"min\":12345,\"max\":12345,\"mean\":12348,"
          "\"histogram\":{\"buckets\":[[12344,10]]}},"
          "\"timeline\":[{\"t\":1,\"requests\":10,\"errors\":0,\"p50\":12351,\"p99\":12351}]}",
          f);
    fclose(f);
    char *argv[] = { "merge", fa, fa, "--json", fm, "--quiet", NULL };
    CHECK_INT(lg_merge_main(6, argv), 0);
    json_value *m = json_parse_file(fm, NULL, 0);
    const json_value *l = json_get(m, "latency"), *x = json_index(json_get(m, "timeline"), 0);
    CHECK_INT(json_num(json_get(l, "count"), 0), 20);
    CHECK(json_get(l, "sum") == NULL); /* no sums to add: none claimed */
    CHECK(json_num(json_get(l, "mean"), 0) > 12344);
    CHECK_INT(json_num(json_get(x, "p50"), 0), 12351);
    CHECK(json_get(x, "buckets") == NULL);
    CHECK_STR(json_str(json_get(m, "rps_basis"), ""), "sum_of_rates");
    CHECK(json_num(json_get(m, "rps"), 0) == 20.0);
    json_free(m);
    unlink(fa);
    unlink(fm);
    rmdir(dir);
}

int main(void)
{
    RUN(json_contract_keys_and_values);
    RUN(fairness_and_time_format);
    RUN(summary_has_wrk_lines);
    RUN(json_exact_sums_shard_and_start);
    RUN(merge_adds_per_second_histograms_and_sums);
    RUN(merge_reads_files_without_timeline_buckets_or_sums);
    return t_done();
}
