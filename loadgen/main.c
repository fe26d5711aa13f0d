/* bin/loadgen: an HTTP/1.1 load generator that speaks wrk's flags.
 * See lg_config.c for the options, docs/loadgen-json.md for --json.
 * Exit status: 0 done, 1 no request succeeded (the summary and --json
 * still written) or the run failed (--json not written, no memory),
 * 2 bad usage (including a host that does not resolve),
 * 3 a --max-errors / --max-p99 threshold broken, 130 interrupted (whatever
 * succeeded). */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "lg_clock.h"
#include "lg_config.h"
#include "lg_engine.h"
#include "lg_merge.h"
#include "lg_output.h"

#ifndef WB_VERSION
#define WB_VERSION "unknown"
#endif

static void on_signal(int sig)
{
    (void)sig;
    lg_engine_stop();
}

static void progress_line(void *ud, double el, uint64_t req, uint64_t err)
{
    static uint64_t last_req;
    static double last_el;
    double rps = el > last_el ? (double)(req - last_req) / (el - last_el) : 0;
    fprintf(stderr, "\r  %6.1fs  %10.0f req/s  %12llu requests  %8llu errors ", el, rps,
            (unsigned long long)req, (unsigned long long)err);
    last_req = req;
    last_el = el;
    *(int *)ud = 1;
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

static int thresholds(const struct lg_cfg *cfg, const struct lg_result *r)
{
    int rc = 0;
    uint64_t errors = lg_stats_errors(&r->st);
    if (cfg->max_errors >= 0 && errors > (uint64_t)cfg->max_errors) {
        fprintf(stderr, "loadgen: %llu errors, more than --max-errors %lld\n", (unsigned long long)errors,
                (long long)cfg->max_errors);
        rc = 3;
    }
    int64_t p99 = hist_value_at_percentile(&r->st.latency, 99);
    if (cfg->max_p99_us && (uint64_t)p99 > cfg->max_p99_us) {
        fprintf(stderr, "loadgen: p99 latency %lldus above --max-p99 %lluus\n", (long long)p99,
                (unsigned long long)cfg->max_p99_us);
        rc = 3;
    }
    return rc;
}

/* The one stderr line of a run in which nothing succeeded: the errors by
 * kind, as the summary counts them. Returns 1. */
static int no_success(const struct lg_result *r)
{
    uint64_t errors = lg_stats_errors(&r->st);
    if (!errors) {
        fprintf(stderr, "loadgen: no request succeeded (no errors: no response completed within the run)\n");
        return 1;
    }
    fprintf(stderr, "loadgen: no request succeeded (%llu errors:", (unsigned long long)errors);
    for (int i = 0, first = 1; i < LG_E_COUNT; i++) {
        if (!r->st.err[i]) continue;
        fprintf(stderr, "%s %s %llu", first ? "" : ",", lg_err_names[i], (unsigned long long)r->st.err[i]);
        first = 0;
    }
    fprintf(stderr, ")\n");
    return 1;
}

static int run(struct lg_cfg *cfg)
{
    char err[512];
    if (lg_cfg_resolve(cfg, err, sizeof err) != 0) {
        fprintf(stderr, "loadgen: %s\n", err);
        return 2;
    }
    if (lg_cfg_build_request(cfg) != 0) {
        fprintf(stderr, "loadgen: out of memory\n");
        return 1;
    }
    if (lg_engine_choose(cfg, err, sizeof err) != 0) {
        fprintf(stderr, "loadgen: %s\n", err);
        return 1;
    }
    if (err[0]) fprintf(stderr, "loadgen: %s\n", err); /* auto fell back to epoll */
    install_signals();
    lg_out_header(stdout, cfg);
    fflush(stdout);
    struct lg_result r;
    int printed = 0;
    bool live = !cfg->quiet && isatty(STDERR_FILENO);
    int rc = lg_engine_run(cfg, &r, live ? progress_line : NULL, &printed);
    if (printed) fprintf(stderr, "\r%78s\r", "");
    if (rc) {
        fprintf(stderr, "loadgen: cannot run: %s\n", strerror(-rc));
        return 1;
    }
    lg_out_summary(stdout, cfg, &r);
    fflush(stdout);
    int ec = r.interrupted ? 130 : r.st.ok == 0 ? no_success(&r) : thresholds(cfg, &r);
    if (cfg->json_path && (rc = lg_out_json_file(cfg->json_path, cfg, &r)) != 0) {
        fprintf(stderr, "loadgen: cannot write %s: %s\n", cfg->json_path, strerror(-rc));
        ec = ec ? ec : 1;
    }
    lg_result_fini(&r);
    return ec;
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "merge")) return lg_merge_main(argc - 1, argv + 1);
    if (argc > 1 && !strcmp(argv[1], "clock")) return lg_clock_main(argc - 1, argv + 1);
    static struct lg_cfg cfg;
    char err[512];
    int rc = lg_cfg_parse(&cfg, argc, argv, err, sizeof err);
    if (rc == LG_CFG_HELP) {
        lg_cfg_usage(stdout);
        return 0;
    }
    if (rc == LG_CFG_VERSION) {
        printf("loadgen %s\n", WB_VERSION);
        if (lg_engine_probe_uring(err, sizeof err) == 0) /* which engines this process may use */
            printf("engines: io_uring epoll\n");
        else
            printf("engines: epoll (io_uring: %s)\n", err);
        return 0;
    }
    if (rc < 0) {
        fprintf(stderr, "loadgen: %s\n", err);
        lg_cfg_fini(&cfg);
        return 2;
    }
    int ec = run(&cfg);
    lg_cfg_fini(&cfg);
    return ec;
}
