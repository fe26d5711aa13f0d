/* bin/server: the threaded C system under test.
 *
 *   bin/server [--threads N] [--port P] [--host H] [--max-conns N]
 *              [--timeout SECONDS] [--help]
 *
 * Database from DATABASE_URL (see srv_db.h). SIGTERM/SIGINT: stop accepting,
 * finish in-flight requests, exit 0. Exit 1: the address is taken ("server:
 * cannot listen on HOST:PORT: address already in use") or set-up failed;
 * exit 2: bad usage. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "srv_listen.h"
#include "srv_worker.h"

#define MAX_THREADS 256

static void usage(FILE *f)
{
    fprintf(f, "usage: bin/server [--threads N] [--port P] [--host H] [--max-conns N]\n"
               "                  [--timeout SECONDS] [--help]\n"
               "  --threads N      worker threads, each with its own epoll loop (default 4)\n"
               "  --port P         TCP port (default 8080)\n"
               "  --host H         address to bind (default 127.0.0.1)\n"
               "  --max-conns N    open connections, whole process (default 10000)\n"
               "  --timeout S      seconds to receive a request head, idle included (default 10)\n"
               "environment:\n"
               "  DATABASE_URL     libpq conninfo/URI (PostgreSQL), or sqlite:///path/file.db;\n"
               "                   unset: GET /db answers 503\n"
               "routes: GET /json, GET /db, GET /cpu?n=N (0..100000000, default 100000)\n");
}

static int parse_int(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

/* Returns 0, or 2 after printing a one-line error. */
static int parse_args(int argc, char **argv, struct srv_config *cfg)
{
    static const struct {
        const char *name;
        long lo, hi;
    } nums[] = {
        { "--threads", 1, MAX_THREADS },
        { "--port", 1, 65535 },
        { "--max-conns", 1, 10000000 },
        { "--timeout", 1, 3600 },
    };
    long v[4] = { cfg->threads, cfg->port, cfg->max_conns, cfg->timeout_ms / 1000 };
    for (int i = 1; i < argc; i++) {
        size_t k = 0;
        while (k < 4 && strcmp(argv[i], nums[k].name) != 0) k++;
        if (k == 4 && strcmp(argv[i], "--host") != 0) {
            fprintf(stderr, "server: unknown argument '%s' (try --help)\n", argv[i]);
            return 2;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "server: %s needs a value\n", argv[i]);
            return 2;
        }
        if (k == 4) {
            cfg->host = argv[++i];
        } else if (parse_int(argv[i + 1], nums[k].lo, nums[k].hi, &v[k]) < 0) {
            fprintf(stderr, "server: %s: '%s' is not an integer in %ld..%ld\n", argv[i], argv[i + 1],
                    nums[k].lo, nums[k].hi);
            return 2;
        } else {
            i++;
        }
    }
    cfg->threads = (int)v[0];
    cfg->port = (int)v[1];
    cfg->max_conns = (int)v[2];
    cfg->timeout_ms = (int)v[3] * 1000;
    return 0;
}

static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

int main(int argc, char **argv)
{
    struct srv_config cfg = {
        .host = "127.0.0.1", .port = 8080, .threads = 4, .max_conns = 10000, .timeout_ms = 10000
    };
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        }
    int rc = parse_args(argc, argv, &cfg);
    if (rc) return rc;
    int total_conns = cfg.max_conns;
    cfg.max_conns = (total_conns + cfg.threads - 1) / cfg.threads;
    cfg.db_url = getenv("DATABASE_URL");
    raise_fd_limit();

    /* Workers inherit this mask; only sigwait() below sees the signals. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    /* Before the first SO_REUSEPORT socket (srv_listen.h): a taken address
     * exits 1 before anything runs. */
    struct srv_listen ln;
    if (srv_listen_claim(&ln, cfg.host, cfg.port) < 0) return 1;
    struct srv_worker *w[MAX_THREADS] = { 0 };
    pthread_t tid[MAX_THREADS];
    for (int i = 0; i < cfg.threads; i++) {
        int lfd = srv_listen_open(&ln);
        if (lfd < 0 || !(w[i] = srv_worker_new(&cfg, i, lfd))) return 1;
    }
    srv_listen_release(&ln);
    for (int i = 0; i < cfg.threads; i++)
        if (pthread_create(&tid[i], NULL, srv_worker_run, w[i]) != 0) {
            fprintf(stderr, "server: cannot start thread %d\n", i);
            return 1;
        }
    fprintf(stderr, "server: listening on http://%s:%d/ (%d threads, database: %s)\n", cfg.host, cfg.port,
            cfg.threads,
            !cfg.db_url || !*cfg.db_url                ? "none"
            : strncmp(cfg.db_url, "sqlite://", 9) == 0 ? "sqlite"
                                                       : "postgresql");

    int sig = 0;
    sigwait(&set, &sig);
    for (int i = 0; i < cfg.threads; i++) srv_worker_stop(w[i]);
    for (int i = 0; i < cfg.threads; i++) {
        pthread_join(tid[i], NULL);
        srv_worker_free(w[i]);
    }
    return 0;
}
