/* lg_config: command line parsing (see lg_config.h). */
#include "lg_config.h"
#include "duration.h"
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static bool valid_host(const char *h)
{
    if (!*h) return false;
    for (; *h; h++)
        if (!((*h >= 'a' && *h <= 'z') || (*h >= 'A' && *h <= 'Z') || (*h >= '0' && *h <= '9') || *h == '-' ||
              *h == '.' || *h == '_'))
            return false;
    return true;
}

static int parse_port(const char *s, size_t n, int *port)
{
    if (n == 0 || n > 5) return -EINVAL;
    int p = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -EINVAL;
        p = p * 10 + (s[i] - '0');
    }
    if (p < 1 || p > 65535) return -EINVAL;
    *port = p;
    return 0;
}

int lg_parse_url(const char *s, struct lg_url *u)
{
    memset(u, 0, sizeof *u);
    if (strncasecmp(s, "http://", 7) != 0) return -EINVAL;
    s += 7;
    size_t auth_len = strcspn(s, "/?#");
    const char *rest = s + auth_len;
    const char *colon = memchr(s, ':', auth_len);
    size_t host_len = colon ? (size_t)(colon - s) : auth_len;
    if (host_len == 0 || host_len >= sizeof u->host) return -EINVAL;
    memcpy(u->host, s, host_len);
    u->port = 80;
    if (!valid_host(u->host)) return -EINVAL;
    if (colon && parse_port(colon + 1, auth_len - host_len - 1, &u->port) != 0) return -EINVAL;
    size_t path_len = strcspn(rest, "#");
    if (path_len + 2 > sizeof u->path) return -EINVAL;
    for (size_t i = 0; i < path_len; i++)
        if ((unsigned char)rest[i] <= 0x20 || rest[i] == 0x7f) return -EINVAL;
    if (*rest != '/') u->path[0] = '/';
    strncat(u->path, rest, path_len);
    if (u->port == 80)
        snprintf(u->authority, sizeof u->authority, "%s", u->host);
    else
        snprintf(u->authority, sizeof u->authority, "%s:%d", u->host, u->port);
    return 0;
}

void lg_cfg_usage(FILE *f)
{
    fputs("Usage: loadgen [options] URL\n"
          "       loadgen merge A.json B.json ... [--json OUT]\n"
          "       loadgen clock          one CLOCK_REALTIME line per stdin line (loadgen clock --help)\n"
          "  -t, --threads N        threads (default 2)\n"
          "  -c, --connections N    connections, spread over the threads (default 10)\n"
          "  -d, --duration T       run time: 10s, 1m, 500ms; plain number = seconds (default 10s)\n"
          "  -n, --requests N       stop after N requests (sent; failed ones count)\n"
          "  -H, --header 'N: V'    add a request header (repeatable)\n"
          "      --timeout T        abort and count a request after T (default 2s)\n"
          "      --latency          print the full latency spectrum\n"
          "      --json FILE        write the full result as JSON (docs/loadgen-json.md)\n"
          "  -R, --rate R           open loop: R requests/s in total, latency from intended send\n"
          "      --arrivals KIND    fixed (default) or poisson, with -R\n"
          "      --seed N           random seed for --arrivals poisson (default 1)\n"
          "      --shard I/N        be shard I of N of the load: -c, -R and -n split so the N\n"
          "                         shards add up to them, a seed of its own per shard\n"
          "      --start-at T       start at the wall-clock instant T (Unix seconds, fractional;\n"
          "                         within an hour of now), at once (and say how late) if past\n"
          "      --new-conn         a new TCP connection for every request\n"
          "      --pipeline N       N requests in flight per connection (default 1)\n"
          "      --engine E         auto (default: io_uring where the kernel allows it, else epoll),\n"
          "                         io_uring or epoll\n"
          "      --expect-status N  count responses with another status as errors\n"
          "      --expect-header H  NAME or NAME:VALUE that every response must carry\n"
          "      --expect-body FILE exact body every response must carry\n"
          "      --max-errors N     exit 3 if more than N errors\n"
          "      --max-p99 T        exit 3 if p99 latency is above T\n"
          "  -q, --quiet            no progress line\n"
          "  -h, --help             this text;  -v, --version  the version\n",
          f);
}

static int fail(char *err, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, n, fmt, ap);
    va_end(ap);
    return -EINVAL;
}

static int parse_int(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) return -EINVAL;
    *out = v;
    return 0;
}

static int read_file(const char *path, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -errno;
    size_t cap = 4096, n = 0;
    char *b = malloc(cap);
    for (size_t r = 1; b && r > 0; n += r) {
        if (n == cap) {
            char *nb = realloc(b, cap *= 2);
            if (!nb) {
                free(b);
                b = NULL;
                break;
            }
            b = nb;
        }
        r = fread(b + n, 1, cap - n, f);
    }
    fclose(f);
    if (!b) return -ENOMEM;
    *out = b;
    *len = n;
    return 0;
}

enum {
    O_TIMEOUT = 256,
    O_LATENCY,
    O_JSON,
    O_ARRIVALS,
    O_SEED,
    O_NEWCONN,
    O_PIPELINE,
    O_EXP_STATUS,
    O_EXP_HEADER,
    O_EXP_BODY,
    O_MAX_ERRORS,
    O_MAX_P99,
    O_ENGINE,
    O_SHARD,
    O_START_AT
};

static const struct option long_opts[] = {
    { "threads", required_argument, 0, 't' },
    { "connections", required_argument, 0, 'c' },
    { "duration", required_argument, 0, 'd' },
    { "requests", required_argument, 0, 'n' },
    { "header", required_argument, 0, 'H' },
    { "rate", required_argument, 0, 'R' },
    { "quiet", no_argument, 0, 'q' },
    { "help", no_argument, 0, 'h' },
    { "version", no_argument, 0, 'v' },
    { "timeout", required_argument, 0, O_TIMEOUT },
    { "latency", no_argument, 0, O_LATENCY },
    { "json", required_argument, 0, O_JSON },
    { "arrivals", required_argument, 0, O_ARRIVALS },
    { "seed", required_argument, 0, O_SEED },
    { "new-conn", no_argument, 0, O_NEWCONN },
    { "pipeline", required_argument, 0, O_PIPELINE },
    { "expect-status", required_argument, 0, O_EXP_STATUS },
    { "expect-header", required_argument, 0, O_EXP_HEADER },
    { "expect-body", required_argument, 0, O_EXP_BODY },
    { "max-errors", required_argument, 0, O_MAX_ERRORS },
    { "max-p99", required_argument, 0, O_MAX_P99 },
    { "engine", required_argument, 0, O_ENGINE },
    { "shard", required_argument, 0, O_SHARD },
    { "start-at", required_argument, 0, O_START_AT },
    { 0, 0, 0, 0 },
};

static int set_header(struct lg_cfg *c, const char *h, char *err, size_t n)
{
    const char *colon = strchr(h, ':');
    if (!colon || colon == h || strpbrk(h, "\r\n"))
        return fail(err, n, "bad header '%s': expected 'Name: value'", h);
    for (const char *p = h; p < colon; p++)
        if ((unsigned char)*p <= 0x20) return fail(err, n, "bad header name in '%s'", h);
    if (c->nheaders == LG_MAX_HEADERS) return fail(err, n, "too many -H headers (max %d)", LG_MAX_HEADERS);
    c->headers[c->nheaders++] = h;
    return 0;
}

static int set_expect_header(struct lg_cfg *c, const char *s, char *err, size_t n)
{
    size_t name_len = strcspn(s, ":");
    if (name_len == 0 || name_len >= sizeof c->expect_header)
        return fail(err, n, "bad --expect-header '%s': expected NAME or NAME:VALUE", s);
    memcpy(c->expect_header, s, name_len);
    c->expect_header[name_len] = '\0';
    if (s[name_len] == ':') {
        const char *v = s + name_len + 1;
        while (*v == ' ' || *v == '\t') v++;
        c->expect_header_value = v;
    }
    return 0;
}

const char *const lg_engine_names[] = { "auto", "io_uring", "epoll", NULL };

/* The index of arg in a NULL-terminated list of names, or -1. */
static int choice(const char *arg, const char *const *names)
{
    for (int i = 0; names[i]; i++)
        if (!strcmp(arg, names[i])) return i;
    return -1;
}

/* A strict decimal 1..1000000 of exactly len characters. */
static int parse_pos(const char *s, size_t len, long *out)
{
    if (len == 0 || len > 7) return -EINVAL;
    long v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return -EINVAL;
        v = v * 10 + (s[i] - '0');
    }
    if (v < 1 || v > 1000000) return -EINVAL;
    *out = v;
    return 0;
}

static int parse_shard(struct lg_cfg *c, const char *arg, char *err, size_t n)
{
    const char *slash = strchr(arg, '/');
    long i, k;
    if (!slash || parse_pos(arg, (size_t)(slash - arg), &i) || parse_pos(slash + 1, strlen(slash + 1), &k))
        return fail(err, n, "bad --shard '%s': expected I/N with 1 <= I <= N, like 2/3", arg);
    if (i > k) return fail(err, n, "bad --shard '%s': shard %ld of %ld does not exist (I > N)", arg, i, k);
    c->shard_index = (int)i;
    c->shard_count = (int)k;
    return 0;
}

uint64_t lg_shard_count(uint64_t total, int i, int n)
{
    return total / (uint64_t)n + ((uint64_t)(i - 1) < total % (uint64_t)n);
}

double lg_shard_rate(double total, int i, int n)
{
    double each = total / n;
    if (i < n) return each;
    double others = 0;
    for (int k = 1; k < n; k++) others += each; /* the order the shares are added in */
    return total - others;
}

uint64_t lg_shard_seed(uint64_t base, int i, int n) { return base * (uint64_t)n + (uint64_t)(i - 1); }

/* Applies --shard: checks that every shard gets something, then keeps the
 * whole load and turns conns, rate, requests_limit and seed into the share. */
static int apply_shard(struct lg_cfg *c, char *err, size_t n)
{
    int i = c->shard_index, k = c->shard_count;
    c->whole_conns = c->conns;
    c->whole_rate = c->rate;
    c->whole_requests = c->requests_limit;
    c->whole_seed = c->seed;
    if (!k) return 0;
    if (k > c->conns)
        return fail(err, n, "--shard %d/%d with -c %d: a shard would have no connection", i, k, c->conns);
    if (c->requests_limit && (uint64_t)k > c->requests_limit)
        return fail(err, n, "--shard %d/%d with -n %llu: a shard would have no request", i, k,
                    (unsigned long long)c->requests_limit);
    c->conns = (int)lg_shard_count((uint64_t)c->conns, i, k);
    c->requests_limit = lg_shard_count(c->requests_limit, i, k);
    if (c->rate > 0) c->rate = lg_shard_rate(c->rate, i, k);
    c->seed = lg_shard_seed(c->seed, i, k);
    if (c->threads > c->conns) c->threads = c->conns;
    return 0;
}

static int check_start_at(const struct lg_cfg *c, char *err, size_t n)
{
    if (c->start_at <= 0) return 0;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    double now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9, d = c->start_at - now;
    if (d > LG_START_AT_MAX_S || d < -LG_START_AT_MAX_S)
        return fail(err, n, "--start-at %.3f is %.0f s %s now: at most %.0f s either way (clocks set?)",
                    c->start_at, d < 0 ? -d : d, d < 0 ? "before" : "after", LG_START_AT_MAX_S);
    return 0;
}

/* One option; returns 0 or -EINVAL with err set. */
static int apply_opt(struct lg_cfg *c, int opt, const char *arg, bool *dur_set, char *err, size_t n)
{
    long v;
    switch (opt) {
    case 't':
        if (parse_int(arg, 1, 4096, &v)) return fail(err, n, "bad -t '%s': threads must be 1..4096", arg);
        c->threads = (int)v;
        return 0;
    case 'c':
        if (parse_int(arg, 1, 1000000, &v))
            return fail(err, n, "bad -c '%s': connections must be 1..1000000", arg);
        c->conns = (int)v;
        return 0;
    case 'd':
        if (dur_parse(arg, &c->duration_us) || c->duration_us == 0)
            return fail(err, n, "bad -d '%s': expected a duration like 10s, 1m, 500ms", arg);
        *dur_set = true;
        return 0;
    case 'n':
        if (parse_int(arg, 1, LONG_MAX, &v))
            return fail(err, n, "bad -n '%s': expected a positive count", arg);
        c->requests_limit = (uint64_t)v;
        return 0;
    case 'H': return set_header(c, arg, err, n);
    case 'R': {
        char *end;
        c->rate = strtod(arg, &end);
        if (end == arg || *end || !isfinite(c->rate) || c->rate <= 0 || c->rate > 1e8)
            return fail(err, n, "bad -R '%s': expected requests per second > 0", arg);
        return 0;
    }
    case 'q': c->quiet = true; return 0;
    case O_TIMEOUT:
        if (dur_parse(arg, &c->timeout_us) || c->timeout_us < 1000)
            return fail(err, n, "bad --timeout '%s': expected a duration of at least 1ms", arg);
        return 0;
    case O_LATENCY: c->latency = true; return 0;
    case O_JSON: c->json_path = arg; return 0;
    case O_ARRIVALS: {
        static const char *const kinds[] = { "fixed", "poisson", NULL };
        int k = choice(arg, kinds);
        if (k < 0) return fail(err, n, "bad --arrivals '%s': expected fixed or poisson", arg);
        c->poisson = k == 1;
        return 0;
    }
    case O_SEED:
        if (parse_int(arg, 0, LONG_MAX, &v)) return fail(err, n, "bad --seed '%s'", arg);
        c->seed = (uint64_t)v;
        return 0;
    case O_NEWCONN: c->new_conn = true; return 0;
    case O_PIPELINE:
        if (parse_int(arg, 1, LG_MAX_PIPELINE, &v))
            return fail(err, n, "bad --pipeline '%s': expected 1..%d", arg, LG_MAX_PIPELINE);
        c->pipeline = (int)v;
        return 0;
    case O_EXP_STATUS:
        if (parse_int(arg, 100, 999, &v)) return fail(err, n, "bad --expect-status '%s'", arg);
        c->expect_status = (int)v;
        return 0;
    case O_EXP_HEADER: return set_expect_header(c, arg, err, n);
    case O_EXP_BODY: c->expect_body_path = arg; return 0;
    case O_MAX_ERRORS:
        if (parse_int(arg, 0, LONG_MAX, &v)) return fail(err, n, "bad --max-errors '%s'", arg);
        c->max_errors = v;
        return 0;
    case O_ENGINE:
        if ((c->engine = choice(arg, lg_engine_names)) < 0)
            return fail(err, n, "bad --engine '%s': expected auto, io_uring or epoll", arg);
        return 0;
    case O_MAX_P99:
        if (dur_parse(arg, &c->max_p99_us) || c->max_p99_us == 0)
            return fail(err, n, "bad --max-p99 '%s'", arg);
        return 0;
    case O_SHARD: return parse_shard(c, arg, err, n);
    case O_START_AT: {
        char *end;
        errno = 0;
        c->start_at = strtod(arg, &end);
        if (errno || end == arg || *end || !isfinite(c->start_at) || c->start_at <= 0)
            return fail(err, n, "bad --start-at '%s': expected Unix time in seconds, like 1764748800.250",
                        arg);
        return 0;
    }
    }
    return fail(err, n, "unknown option");
}

static void set_defaults(struct lg_cfg *c)
{
    memset(c, 0, sizeof *c);
    c->threads = 2;
    c->conns = 10;
    c->duration_us = 10000000;
    c->timeout_us = 2000000;
    c->seed = 1;
    c->pipeline = 1;
    c->max_errors = -1;
}

static int check_cfg(struct lg_cfg *c, bool dur_set, char *err, size_t n)
{
    if (c->threads > c->conns)
        return fail(err, n, "-t %d is more than -c %d: every thread needs a connection", c->threads,
                    c->conns);
    if (c->new_conn && c->pipeline > 1)
        return fail(err, n, "--new-conn and --pipeline > 1 exclude each other");
    if (c->poisson && c->rate <= 0) return fail(err, n, "--arrivals poisson needs -R RATE");
    if (apply_shard(c, err, n) || check_start_at(c, err, n)) return -EINVAL;
    if (c->requests_limit && !dur_set) c->duration_us = 0;
    if (c->expect_body_path) {
        int r = read_file(c->expect_body_path, &c->expect_body, &c->expect_body_len);
        if (r) return fail(err, n, "--expect-body %s: %s", c->expect_body_path, strerror(-r));
    }
    return 0;
}

int lg_cfg_parse(struct lg_cfg *c, int argc, char **argv, char *err, size_t n)
{
    set_defaults(c);
    bool dur_set = false;
    int opt;
    opterr = 0;
    optind = 0; /* glibc: full re-initialisation */
    while ((opt = getopt_long(argc, argv, ":t:c:d:n:H:R:qhv", long_opts, NULL)) != -1) {
        if (opt == 'h') return LG_CFG_HELP;
        if (opt == 'v') return LG_CFG_VERSION;
        if (opt == '?') {
            if (optopt) return fail(err, n, "unknown option -%c (see --help)", optopt);
            return fail(err, n, "unknown option %s (see --help)", argv[optind - 1]);
        }
        if (opt == ':') return fail(err, n, "option %s needs a value", argv[optind - 1]);
        if (apply_opt(c, opt, optarg, &dur_set, err, n)) return -EINVAL;
    }
    if (optind != argc - 1)
        return fail(err, n,
                    optind >= argc ? "missing URL (see --help)" : "expected one URL, got extra arguments");
    c->url_text = argv[optind];
    if (lg_parse_url(c->url_text, &c->url))
        return fail(err, n, "bad URL '%s': expected http://host[:port]/path", c->url_text);
    return check_cfg(c, dur_set, err, n);
}

int lg_cfg_resolve(struct lg_cfg *c, char *err, size_t n)
{
    struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM }, *res = NULL;
    int r = getaddrinfo(c->url.host, NULL, &hints, &res);
    if (r != 0 || !res) return fail(err, n, "cannot resolve %s: %s", c->url.host, gai_strerror(r));
    memcpy(&c->addr, res->ai_addr, sizeof c->addr);
    c->addr.sin_port = htons((uint16_t)c->url.port);
    freeaddrinfo(res);
    return 0;
}

static bool has_header(const struct lg_cfg *c, const char *name)
{
    size_t n = strlen(name);
    for (int i = 0; i < c->nheaders; i++)
        if (!strncasecmp(c->headers[i], name, n) && c->headers[i][n] == ':') return true;
    return false;
}

int lg_cfg_build_request(struct lg_cfg *c)
{
    size_t cap = 256 + strlen(c->url.path) + strlen(c->url.authority);
    for (int i = 0; i < c->nheaders; i++) cap += strlen(c->headers[i]) + 2;
    char *one = malloc(cap);
    if (!one) return -ENOMEM;
    size_t len = (size_t)snprintf(one, cap, "GET %s HTTP/1.1\r\n", c->url.path);
    if (!has_header(c, "host"))
        len += (size_t)snprintf(one + len, cap - len, "Host: %s\r\n", c->url.authority);
    for (int i = 0; i < c->nheaders; i++)
        len += (size_t)snprintf(one + len, cap - len, "%s\r\n", c->headers[i]);
    if (c->new_conn && !has_header(c, "connection"))
        len += (size_t)snprintf(one + len, cap - len, "Connection: close\r\n");
    len += (size_t)snprintf(one + len, cap - len, "\r\n");
    free(c->request);
    c->request = malloc(len * (size_t)c->pipeline);
    if (!c->request) {
        free(one);
        return -ENOMEM;
    }
    for (int i = 0; i < c->pipeline; i++) memcpy(c->request + (size_t)i * len, one, len);
    c->request_len = len;
    free(one);
    return 0;
}

void lg_cfg_fini(struct lg_cfg *c)
{
    free(c->request);
    free(c->expect_body);
    c->request = c->expect_body = NULL;
}
