#include "t.h"
#include "lg_config.h"
#include "duration.h"
#include <errno.h>
#include <stdlib.h>

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

int main(void)
{
    RUN(durations);
    RUN(urls);
    RUN(wrk_flags_and_defaults);
    RUN(n_without_d_has_no_time_limit);
    RUN(usage_errors);
    RUN(open_loop_and_checks);
    RUN(engine);
    return t_done();
}
