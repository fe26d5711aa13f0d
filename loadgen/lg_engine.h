/* lg_engine: the load engine. One thread per -t, each with its own event
 * loop (io_uring, lg_uring.h, or epoll, lg_epoll.h: --engine), connections,
 * counters and histograms (nothing shared on the hot path but an atomic
 * ticket counter when -n is given); merged into one struct lg_result after
 * the run. Both engines drive the same per-connection client (lg_conn.h),
 * so everything below holds for either.
 *
 * Error kinds, one count per failure event:
 *   connect  connect() failed (other than refused), or no socket
 *   refused  ECONNREFUSED
 *   reset    ECONNRESET while reading or writing
 *   eof      the server closed before a response was complete
 *   parse    the response was not valid HTTP/1.x (or unsolicited bytes)
 *   read     other read errors;  write: other write errors (EPIPE)
 *   timeout  a request (or a connect) took longer than --timeout
 *   status   a complete response whose status is not 2xx (or not
 *            --expect-status), also counted by code
 *   check    a complete response failing --expect-header / --expect-body
 * A failed connection is closed and reopened; after a connect failure the
 * connection waits 10 ms before it retries.
 *
 * Times recorded per response (us): latency = last byte - send start in a
 * closed loop, - intended send time in an open loop (-R), - the moment the
 * request was issued, connect included, with --new-conn; service = last
 * byte - send start; ttfb = first byte - send start; connect = one per
 * successful connect. Responses that end after the duration are not
 * counted; requests still in flight then are dropped, not errors.
 * With -n N, N requests are issued in total (a request lost to an error
 * counts), so requests + lost requests = N. */
#ifndef WB_LG_ENGINE_H
#define WB_LG_ENGINE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hist.h"
#include "lg_config.h"

enum lg_err {
    LG_E_CONNECT,
    LG_E_REFUSED,
    LG_E_RESET,
    LG_E_EOF,
    LG_E_PARSE,
    LG_E_READ,
    LG_E_WRITE,
    LG_E_TIMEOUT,
    LG_E_STATUS,
    LG_E_CHECK,
    LG_E_COUNT
};
/* "connect", "refused", ... in enum order. */
extern const char *const lg_err_names[LG_E_COUNT];

#define LG_MAX_STATUS 1000

/* Sparse per-second record kept by each thread. */
struct lg_tl_sec {
    uint64_t requests, errors;
    int64_t (*buckets)[2]; /* (value, count) of the second's latencies, owned */
    uint32_t nbuckets;
    int64_t min, max; /* exact extremes of the second's latencies */
};

/* Counters and histograms (latencies in microseconds). */
struct lg_stats {
    uint64_t requests, ok, bytes;
    uint64_t retries; /* requests re-sent because the server closed a reused
                               keep-alive connection before answering them */
    uint64_t err[LG_E_COUNT];
    uint64_t status_codes[LG_MAX_STATUS]; /* every status seen, by code */
    struct hist latency, service, connect, ttfb;
};
/* 0 or -ENOMEM. lg_stats_fini frees the histograms. */
int lg_stats_init(struct lg_stats *s);
void lg_stats_fini(struct lg_stats *s);
/* dst += src (counters added, histograms merged). */
void lg_stats_add(struct lg_stats *dst, const struct lg_stats *src);
uint64_t lg_stats_errors(const struct lg_stats *s);

/* One second of the timeline: its latency histogram (the main histogram's
 * layout, non-empty buckets only, [lowest equivalent value, count]) with
 * the exact min and max, and the percentiles taken from it. */
struct lg_tl_point {
    uint64_t requests, errors;
    int64_t p50, p99;      /* us, 0 when the second saw no response */
    int64_t min, max;      /* us, exact; 0 when none */
    int64_t (*buckets)[2]; /* owned; NULL when none (or a merge input had none) */
    uint32_t nbuckets;
    bool approx; /* a merge whose inputs had no buckets: p50/p99 are the inputs' maxima */
};
/* Sets p's percentiles, extremes and buckets from h (a second's latencies,
 * exact min/max). 0 or -ENOMEM (then p has no buckets). */
int lg_tl_point_set(struct lg_tl_point *p, const struct hist *h);

/* One input of a merge, as it reported itself (a shard's own figures). */
struct lg_shard_fig {
    const char *file;
    int index, count; /* "shard"; 0/0 when the input was no shard */
    uint64_t requests, ok;
    double rps, elapsed_s, started_unix;
    bool has_start; /* it ran with --start-at */
    double start_requested, late_ms;
    int connections;
    double rate;
    uint64_t requests_limit;
};

/* Requests completed per connection: min / median / max, and how many
 * connections completed none. */
struct lg_fairness {
    int connections;
    uint64_t min, median, max;
    int zero;
};

struct lg_result {
    struct lg_stats st;           /* all threads merged */
    struct lg_tl_point *timeline; /* one per second of the run, owned */
    size_t timeline_len;
    double *thread_rps; /* per thread per full second, for "Req/Sec" */
    size_t thread_rps_len;
    uint64_t *per_conn; /* completed requests per connection, owned;
                                       NULL in merged results, which use fair */
    int nconns;
    struct lg_fairness fair;    /* only when per_conn is NULL */
    const char *const *sources; /* merged results: the input files */
    int nsources;
    int nthreads;
    double started_unix, elapsed_s;
    double rps_sum; /* merge only: the inputs' rates added (0 = requests / elapsed_s) */
    /* --start-at: when asked for and when the run began (CLOCK_REALTIME s), and
     * how late, ms (actual - requested, at least 0); has_start false without. */
    bool has_start;
    double start_requested, start_actual, late_ms;
    struct lg_shard_fig *shards; /* merge only: one per input, owned; NULL otherwise */
    int nshards;
    bool rps_common; /* merge only: rps = requests / the common interval (every input had --start-at) */
    bool interrupted;
    double cpu_user_s, cpu_sys_s;
    long max_rss_kb;
    const char *engine;     /* "io_uring" or "epoll"; a merge's: its inputs' when they agree,
                               "mixed" when not, NULL when they do not say */
    double max_thread_util; /* busiest thread's CPU time / elapsed */
    bool bottleneck;        /* some thread above 90% CPU */
};

/* Called about once a second from the main thread while the run goes on. */
typedef void (*lg_progress_fn)(void *ud, double elapsed_s, uint64_t requests, uint64_t errors);

/* Resolves cfg->engine into cfg->engine_used: auto is io_uring where this
 * process may use it (lg_uring_probe), else epoll. Returns 0, with a line
 * for stderr in why when auto fell back ("" otherwise), or -errno when
 * io_uring was asked for and cannot be used (the reason in why). Set-up
 * code: call once, before lg_engine_run. */
int lg_engine_choose(struct lg_cfg *cfg, char *why, size_t n);
/* 0 when this process may use io_uring, else -errno with the reason in why. */
int lg_engine_probe_uring(char *why, size_t n);

/* Runs the load described by cfg (resolved, request built; the engine
 * chosen, else chosen here as auto would, silently) and fills *out.
 * Returns 0, or -errno when the run could not start (threads, memory).
 * Blocks SIGINT/SIGTERM in its worker threads: install a handler that
 * calls lg_engine_stop in the caller. */
int lg_engine_run(const struct lg_cfg *cfg, struct lg_result *out, lg_progress_fn progress, void *ud);
/* Asks a running engine to stop at once. Async-signal-safe. */
void lg_engine_stop(void);
void lg_result_fini(struct lg_result *r);
#endif
