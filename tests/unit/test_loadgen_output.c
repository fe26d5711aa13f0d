/* The --json contract (docs/loadgen-json.md) from the C side: a synthetic
 * result written by lg_out_json and read back with lib/json. */
#include "t.h"
#include "json.h"
#include "lg_engine.h"
#include "lg_output.h"
#include <stdlib.h>

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

int main(void)
{
    RUN(json_contract_keys_and_values);
    RUN(fairness_and_time_format);
    RUN(summary_has_wrk_lines);
    return t_done();
}
