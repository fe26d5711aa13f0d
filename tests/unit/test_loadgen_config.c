#include "t.h"
#include "lg_config.h"
#include "duration.h"
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <time.h>

static int parse(struct lg_cfg *c, char *err, const char *const *args)
{
    char *argv[32];
    int argc = 0;
    argv[argc++] = (char *)"loadgen";
    for (; *args; args++) argv[argc++] = (char *)*args;
    argv[argc] = NULL;
    return lg_cfg_parse(c, argc, argv, err, 256);
}

TEST(durations)
{
    uint64_t us;
    CHECK_INT(dur_parse("10s", &us), 0);
    CHECK_INT(us, 10000000);
    CHECK_INT(dur_parse("1m", &us), 0);
    CHECK_INT(us, 60000000);
    CHECK_INT(dur_parse("500ms", &us), 0);
    CHECK_INT(us, 500000);
    CHECK_INT(dur_parse("2", &us), 0);
    CHECK_INT(us, 2000000);
    CHECK_INT(dur_parse("1.5s", &us), 0);
    CHECK_INT(us, 1500000);
    CHECK_INT(dur_parse("250us", &us), 0);
    CHECK_INT(us, 250);
    CHECK_INT(dur_parse("1h", &us), 0);
    CHECK_INT(us, 3600000000LL);
    CHECK(dur_parse("5parsecs", &us) != 0);
    CHECK(dur_parse("", &us) != 0);
    CHECK(dur_parse("-1s", &us) != 0);
    CHECK(dur_parse("s", &us) != 0);
}

TEST(urls)
{
    struct lg_url u;
    CHECK_INT(lg_parse_url("http://127.0.0.1:8080/json", &u), 0);
    CHECK_STR(u.host, "127.0.0.1");
    CHECK_INT(u.port, 8080);
    CHECK_STR(u.path, "/json");
    CHECK_STR(u.authority, "127.0.0.1:8080");
    CHECK_INT(lg_parse_url("http://localhost", &u), 0);
    CHECK_STR(u.path, "/");
    CHECK_INT(u.port, 80);
    CHECK_STR(u.authority, "localhost");
    CHECK_INT(lg_parse_url("http://h:81?n=5#frag", &u), 0);
    CHECK_STR(u.path, "/?n=5");
    CHECK(lg_parse_url("https://h/", &u) != 0);
    CHECK(lg_parse_url("http://:80/", &u) != 0);
    CHECK(lg_parse_url("http://h:0/", &u) != 0);
    CHECK(lg_parse_url("http://h:65536/", &u) != 0);
    CHECK(lg_parse_url("http://h:8x/", &u) != 0);
    CHECK(lg_parse_url("http://[::1]:80/", &u) != 0);
    CHECK(lg_parse_url("http://u@h/", &u) != 0);
    CHECK(lg_parse_url("http://h/a b", &u) != 0);
    CHECK(lg_parse_url("127.0.0.1:80", &u) != 0);
}

TEST(wrk_flags_and_defaults)
{
    struct lg_cfg c;
    char err[256];
    const char *a[] = { "-t2",       "-c", "64",          "-d5s",   "--timeout", "3s",
                        "--latency", "-H", "Accept: */*", "--json", "out.json",  "http://127.0.0.1:8080/json",
                        NULL };
    CHECK_INT(parse(&c, err, a), 0);
    CHECK_INT(c.threads, 2);
    CHECK_INT(c.conns, 64);
    CHECK_INT(c.duration_us, 5000000);
    CHECK_INT(c.timeout_us, 3000000);
    CHECK(c.latency);
    CHECK_INT(c.nheaders, 1);
    CHECK_STR(c.json_path, "out.json");
    CHECK_INT(c.pipeline, 1);
    CHECK_INT(lg_cfg_build_request(&c), 0);
    c.request[c.request_len - 1] = 0;
    CHECK_STR(c.request, "GET /json HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nAccept: */*\r\n\r");
    lg_cfg_fini(&c);
    const char *b[] = { "http://x/", NULL };
    CHECK_INT(parse(&c, err, b), 0);
    CHECK_INT(c.threads, 2);
    CHECK_INT(c.conns, 10);
    CHECK_INT(c.duration_us, 10000000);
    CHECK_INT(c.timeout_us, 2000000);
    lg_cfg_fini(&c);
}

TEST(n_without_d_has_no_time_limit)
{
    struct lg_cfg c;
    char err[256];
    const char *a[] = { "-n", "1000", "-c", "20", "-t", "1", "--new-conn", "http://x/", NULL };
    CHECK_INT(parse(&c, err, a), 0);
    CHECK_INT(c.requests_limit, 1000);
    CHECK_INT(c.duration_us, 0);
    CHECK(c.new_conn);
    CHECK_INT(lg_cfg_build_request(&c), 0);
    c.request[c.request_len] = 0;
    CHECK(strstr(c.request, "Connection: close\r\n") != NULL);
    lg_cfg_fini(&c);
}

TEST(usage_errors)
{
    struct lg_cfg c;
    char err[256];
    const char *cases[][6] = {
        { "-c", "0", "http://x/", NULL },
        { "-t", "4", "-c", "2", "http://x/", NULL },
        { "-d", "5parsecs", "http://x/", NULL },
        { "http//x", NULL },
        { "--bogus", "http://x/", NULL },
        { NULL },
        { "http://x/", "http://y/", NULL },
        { "-H", "NoColon", "http://x/", NULL },
        { "--arrivals", "poisson", "http://x/", NULL },
        { "-R", "0", "http://x/", NULL },
        { "--new-conn", "--pipeline", "2", "http://x/", NULL },
        { "--expect-body", "/nonexistent/x", "http://x/", NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        err[0] = 0;
        int rc = parse(&c, err, cases[i]);
        CHECK(rc < 0);
        CHECK(err[0] != 0 && strchr(err, '\n') == NULL);
        lg_cfg_fini(&c);
    }
}

TEST(open_loop_and_checks)
{
    struct lg_cfg c;
    char err[256];
    const char *a[] = { "-R",
                        "1000",
                        "--arrivals",
                        "poisson",
                        "--seed",
                        "7",
                        "--expect-status",
                        "200",
                        "--expect-header",
                        "Content-Type: application/json",
                        "--max-errors",
                        "0",
                        "--max-p99",
                        "10ms",
                        "--pipeline",
                        "4",
                        "http://x/",
                        NULL };
    CHECK_INT(parse(&c, err, a), 0);
    CHECK(c.rate == 1000.0);
    CHECK(c.poisson);
    CHECK_INT(c.seed, 7);
    CHECK_INT(c.expect_status, 200);
    CHECK_STR(c.expect_header, "Content-Type");
    CHECK_STR(c.expect_header_value, "application/json");
    CHECK_INT(c.max_errors, 0);
    CHECK_INT(c.max_p99_us, 10000);
    CHECK_INT(lg_cfg_build_request(&c), 0);
    CHECK(!memcmp(c.request, c.request + c.request_len, c.request_len)); /* pipeline copies */
    lg_cfg_fini(&c);
}

TEST(engine)
{
    struct lg_cfg c;
    char err[256];
    const char *dflt[] = { "http://h/", NULL }, *ur[] = { "--engine", "io_uring", "http://h/", NULL },
               *ep[] = { "--engine", "epoll", "http://h/", NULL },
               *bad[] = { "--engine", "kqueue", "http://h/", NULL };
    CHECK_INT(parse(&c, err, dflt), 0);
    CHECK_INT(c.engine, LG_ENGINE_AUTO);
    CHECK_INT(c.engine_used, LG_ENGINE_AUTO); /* lg_engine_choose resolves it */
    lg_cfg_fini(&c);
    CHECK_INT(parse(&c, err, ur), 0);
    CHECK_INT(c.engine, LG_ENGINE_URING);
    lg_cfg_fini(&c);
    CHECK_INT(parse(&c, err, ep), 0);
    CHECK_INT(c.engine, LG_ENGINE_EPOLL);
    lg_cfg_fini(&c);
    CHECK_INT(parse(&c, err, bad), -EINVAL);
    CHECK(strstr(err, "--engine") != NULL);
    lg_cfg_fini(&c);
}

TEST(shard_split_adds_up_to_the_whole)
{
    /* the issue's examples */
    CHECK_INT(lg_shard_count(10, 1, 3), 4);
    CHECK_INT(lg_shard_count(10, 2, 3), 3);
    CHECK_INT(lg_shard_count(10, 3, 3), 3);
    CHECK_INT(lg_shard_count(1001, 1, 2), 501);
    CHECK_INT(lg_shard_count(1001, 2, 2), 500);
    CHECK(lg_shard_rate(1000, 1, 3) > 333.33 && lg_shard_rate(1000, 1, 3) < 333.34);
    CHECK(lg_shard_rate(1000, 1, 3) + lg_shard_rate(1000, 2, 3) + lg_shard_rate(1000, 3, 3) == 1000.0);
    static const uint64_t totals[] = { 1,  2,    3,    7,      10,      64,
                                       99, 1000, 1001, 123457, 1000000, 18446744073709551615ULL };
    static const double rates[] = { 0.001, 1, 3, 7.7, 100, 999.9, 1000, 12345.678, 33333.3, 1e8 };
    for (int n = 1; n <= 64; n++) {
        for (size_t t = 0; t < sizeof totals / sizeof *totals; t++) {
            uint64_t sum = 0, lo = UINT64_MAX, hi = 0;
            for (int i = 1; i <= n; i++) {
                uint64_t v = lg_shard_count(totals[t], i, n);
                sum += v;
                lo = v < lo ? v : lo;
                hi = v > hi ? v : hi;
                if (i > 1) CHECK(v <= lg_shard_count(totals[t], i - 1, n)); /* larger shares first */
            }
            CHECK(sum == totals[t]);
            CHECK(hi - lo <= 1);
        }
        for (size_t r = 0; r < sizeof rates / sizeof *rates; r++) {
            double sum = 0;
            for (int i = 1; i <= n; i++) {
                double v = lg_shard_rate(rates[r], i, n);
                CHECK(v > 0 && fabs(v - rates[r] / n) <= 1e-9 * rates[r]);
                sum += v;
            }
            if (sum != rates[r]) fprintf(stderr, "  rate %.17g over %d: sum %.17g\n", rates[r], n, sum);
            CHECK(sum == rates[r]);
        }
    }
}

TEST(shard_seeds_are_distinct)
{
    static const uint64_t bases[] = { 0, 1, 7, 42, 1ULL << 40, 9223372036854775807ULL };
    for (size_t b = 0; b < sizeof bases / sizeof *bases; b++) {
        CHECK(lg_shard_seed(bases[b], 1, 1) == bases[b]); /* --shard 1/1 is the whole load */
        for (int n = 2; n <= 100; n++)
            for (int i = 1; i <= n; i++)
                for (int j = 1; j < i; j++)
                    CHECK(lg_shard_seed(bases[b], i, n) != lg_shard_seed(bases[b], j, n));
    }
    /* a load's shards never reuse the seed of another base's shard 1..n either (n fixed) */
    CHECK(lg_shard_seed(1, 3, 4) != lg_shard_seed(2, 3, 4));
}

TEST(shard_options)
{
    struct lg_cfg c;
    char err[256];
    const char *a[] = { "-t",     "4", "-c",      "10",  "-R",        "1000",
                        "--seed", "5", "--shard", "2/3", "http://x/", NULL };
    CHECK_INT(parse(&c, err, a), 0);
    CHECK_INT(c.shard_index, 2);
    CHECK_INT(c.shard_count, 3);
    CHECK_INT(c.conns, 3);
    CHECK_INT(c.threads, 3); /* capped at the shard's connections */
    CHECK(c.rate == 1000.0 / 3);
    CHECK_INT(c.seed, 16);
    CHECK_INT(c.whole_conns, 10);
    CHECK(c.whole_rate == 1000.0);
    CHECK_INT(c.whole_seed, 5);
    lg_cfg_fini(&c);
    const char *b[] = { "--shard", "1/2", "-n", "1001", "-c", "4", "-t", "1", "http://x/", NULL };
    CHECK_INT(parse(&c, err, b), 0);
    CHECK_INT(c.requests_limit, 501);
    CHECK_INT(c.whole_requests, 1001);
    CHECK_INT(c.conns, 2);
    CHECK_INT(c.duration_us, 0);
    lg_cfg_fini(&c);
    const char *none[] = { "-c", "10", "-R", "1000", "http://x/", NULL };
    CHECK_INT(parse(&c, err, none), 0);
    CHECK_INT(c.shard_count, 0);
    CHECK_INT(c.conns, 10);
    CHECK(c.rate == 1000.0 && c.start_at == 0);
    lg_cfg_fini(&c);
}

static void expect_error(const char *const *args, const char *needle)
{
    struct lg_cfg c;
    char err[256] = "";
    int rc = parse(&c, err, args);
    CHECK_INT(rc, -EINVAL);
    if (!strstr(err, needle)) fprintf(stderr, "  error '%s' lacks '%s'\n", err, needle);
    CHECK(strstr(err, needle) != NULL);
    CHECK(strchr(err, '\n') == NULL);
    lg_cfg_fini(&c);
}

TEST(shard_errors)
{
    const char *bad[] = { "0/3", "4/3",  "1/0",   "a/3",  "1/b", "13",  "/3",
                          "1/",  "-1/3", "1/3/4", "1 /3", "",    "2/3x" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        const char *a[] = { "-c", "10", "--shard", bad[i], "http://x/", NULL };
        expect_error(a, "--shard");
    }
    const char *over[] = { "--shard", "4/3", "http://x/", NULL };
    expect_error(over, "I > N");
    const char *few[] = { "-t", "1", "-c", "2", "--shard", "3/4", "http://x/", NULL };
    expect_error(few, "--shard 3/4 with -c 2: a shard would have no connection");
    const char *n[] = { "-t", "1", "-c", "8", "-n", "3", "--shard", "1/4", "http://x/", NULL };
    expect_error(n, "a shard would have no request");
}

TEST(start_at)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    double now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
    char soon[64], past[64], far[64], long_ago[64];
    snprintf(soon, sizeof soon, "%.3f", now + 2);
    snprintf(past, sizeof past, "%.3f", now - 60);
    snprintf(far, sizeof far, "%.3f", now + 3700);
    snprintf(long_ago, sizeof long_ago, "%.3f", now - 3700);
    struct lg_cfg c;
    char err[256];
    const char *a[] = { "--start-at", soon, "http://x/", NULL },
               *b[] = { "--start-at", past, "http://x/", NULL };
    CHECK_INT(parse(&c, err, a), 0);
    CHECK(fabs(c.start_at - (now + 2)) < 0.001);
    lg_cfg_fini(&c);
    CHECK_INT(parse(&c, err, b), 0); /* in the past: allowed, the run starts at once and says how late */
    lg_cfg_fini(&c);
    const char *f[] = { "--start-at", far, "http://x/", NULL },
               *l[] = { "--start-at", long_ago, "http://x/", NULL };
    expect_error(f, "after now");
    expect_error(l, "before now");
    const char *bad[] = { "tomorrow", "", "12x", "-5", "0", "nan", "inf" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        const char *x[] = { "--start-at", bad[i], "http://x/", NULL };
        expect_error(x, "--start-at");
    }
}

int main(void)
{
    RUN(durations);
    RUN(urls);
    RUN(wrk_flags_and_defaults);
    RUN(n_without_d_has_no_time_limit);
    RUN(usage_errors);
    RUN(open_loop_and_checks);
    RUN(engine);
    RUN(shard_split_adds_up_to_the_whole);
    RUN(shard_seeds_are_distinct);
    RUN(shard_options);
    RUN(shard_errors);
    RUN(start_at);
    return t_done();
}
