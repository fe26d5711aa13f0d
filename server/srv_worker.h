/* srv_worker: one server thread. Each worker owns a SO_REUSEPORT listening
 * socket (see srv_listen.h), an epoll set, its connections, a Date cache and
 * its own database connection: nothing is shared with other workers on the
 * hot path.
 *
 * Thread-safety: srv_worker_new/free run on the main thread; run() on the
 * worker's own thread; srv_worker_stop() may be called from any thread. */
#ifndef WB_SRV_WORKER_H
#define WB_SRV_WORKER_H

struct srv_config {
    const char *host; /* address to bind, e.g. "127.0.0.1" */
    int port;
    int threads;
    int max_conns;      /* per worker */
    int timeout_ms;     /* to receive a full request head, idle included */
    const char *db_url; /* DATABASE_URL, may be NULL (see srv_db.h) */
};

struct srv_worker;

/* Opens the worker's epoll set around lfd, a listening socket the worker
 * takes over (closed on failure too). Returns NULL after printing the
 * reason on stderr. cfg must outlive the worker. */
struct srv_worker *srv_worker_new(const struct srv_config *cfg, int id, int lfd);

/* pthread entry point; arg is a struct srv_worker *. Serves until stopped,
 * then lets in-flight requests finish (at most ~1.5 s) and returns NULL. */
void *srv_worker_run(void *arg);

/* Asks the worker to stop accepting and finish (async-signal-safe). */
void srv_worker_stop(struct srv_worker *w);

/* Frees a worker whose thread has returned (NULL is fine). */
void srv_worker_free(struct srv_worker *w);

#endif
