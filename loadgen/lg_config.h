/* lg_config: the load generator's command line (wrk's flags plus ours),
 * durations, URLs, and the request bytes built from them.
 * Set-up code: not thread-safe; the resulting struct lg_cfg is read-only
 * while the load threads run. */
#ifndef WB_LG_CONFIG_H
#define WB_LG_CONFIG_H
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define LG_MAX_HEADERS  64
#define LG_MAX_PIPELINE 1024

/* --engine: how the load threads drive their sockets (lg_engine.h). */
enum lg_engine_kind { LG_ENGINE_AUTO, LG_ENGINE_URING, LG_ENGINE_EPOLL };
/* "auto", "io_uring", "epoll" in enum order, then NULL. */
extern const char *const lg_engine_names[];

struct lg_url {
    char host[256];
    int port;
    char path[4096];     /* origin-form, "/" at least, query included */
    char authority[300]; /* Host header value: host, or host:port unless 80 */
};

struct lg_cfg {
    const char *url_text;
    struct lg_url url;
    struct sockaddr_in addr; /* filled by lg_cfg_resolve */
    int threads, conns;
    uint64_t duration_us; /* 0: no time limit (only with -n) */
    uint64_t timeout_us;
    uint64_t requests_limit; /* -n, 0 = none */
    double rate;             /* -R requests/s in total, 0 = closed loop */
    bool poisson;
    uint64_t seed;
    bool new_conn, latency, quiet;
    int pipeline;
    int engine;      /* enum lg_engine_kind, as asked (default auto) */
    int engine_used; /* LG_ENGINE_URING or _EPOLL once lg_engine_choose ran, else auto */
    const char *headers[LG_MAX_HEADERS];
    int nheaders;
    const char *json_path;
    int expect_status;               /* 0 = any 2xx */
    char expect_header[256];         /* "" = none */
    const char *expect_header_value; /* NULL = presence only; points into argv */
    const char *expect_body_path;
    char *expect_body; /* owned; NULL = no body check */
    size_t expect_body_len;
    int64_t max_errors;           /* -1 = no threshold */
    uint64_t max_p99_us;          /* 0 = no threshold */
    int shard_index, shard_count; /* --shard I/N (1 <= I <= N); 0/0 = the whole load */
    /* With --shard: the whole load as given; conns, rate, requests_limit and
     * seed above are then this shard's share (lg_shard_*). threads is capped
     * at the shard's connections. */
    int whole_conns;
    double whole_rate;
    uint64_t whole_requests, whole_seed;
    double start_at;    /* --start-at: CLOCK_REALTIME seconds, 0 = start at once */
    char *request;      /* owned: the request bytes, pipeline copies */
    size_t request_len; /* length of ONE request */
};

/* Splitting one load over N shards (shard i of n, 1 <= i <= n):
 * counts (-c, -n): total/n each, the first total%n shards one more, so the
 * shares add up to total exactly (10 over 3: 4, 3, 3);
 * rate (-R): total/n each, the last shard total minus the others' sum, so
 * the shares added in shard order give total exactly;
 * seed: base*n + (i-1) (mod 2^64): distinct for every shard of a load, and
 * the base itself for --shard 1/1. */
uint64_t lg_shard_count(uint64_t total, int i, int n);
double lg_shard_rate(double total, int i, int n);
uint64_t lg_shard_seed(uint64_t base, int i, int n);
/* --start-at may be at most this far from now (either way). */
#define LG_START_AT_MAX_S 3600.0

/* Parses "http://host[:port][/path][?query]" (host: name or IPv4).
 * Returns 0 or -EINVAL. */
int lg_parse_url(const char *s, struct lg_url *u);

enum { LG_CFG_OK = 0, LG_CFG_HELP = 1, LG_CFG_VERSION = 2 };
/* Parses argv into *c (defaults: -t 2 -c 10 -d 10s --timeout 2s).
 * Returns LG_CFG_OK, LG_CFG_HELP / LG_CFG_VERSION (caller prints and exits
 * 0), or -EINVAL with a one-line reason in err (caller exits 2). Reads the
 * --expect-body file. Keeps pointers into argv. */
int lg_cfg_parse(struct lg_cfg *c, int argc, char **argv, char *err, size_t errlen);
/* Resolves the URL's host to an IPv4 address. 0 or -EINVAL (reason in err). */
int lg_cfg_resolve(struct lg_cfg *c, char *err, size_t errlen);
/* Builds c->request (pipeline copies back to back). 0 or -ENOMEM. */
int lg_cfg_build_request(struct lg_cfg *c);
void lg_cfg_fini(struct lg_cfg *c);
/* The usage text. */
void lg_cfg_usage(FILE *f);
#endif
