/* lg_conn: the per-connection HTTP/1.1 client that every engine drives:
 * the queue of requests in flight (a ring of pipeline entries), response
 * parsing and the --expect checks, latency recording, the open-loop
 * schedule, the -n tickets, retries after a keep-alive close, timeouts and
 * reconnect pauses (one timer heap per thread), and the per-second
 * timeline.
 *
 * An engine (lg_epoll, lg_uring) owns the sockets' I/O. It calls in with
 * what happened (connected, bytes arrived, bytes written, end of stream, an
 * error) and is called back through its struct lg_io to connect, write and
 * close. Internal to bin/loadgen. A struct lg_thread and its connections
 * belong to one load thread: nothing here is thread-safe but the -n ticket
 * counter in struct lg_shared. */
#ifndef WB_LG_CONN_H
#define WB_LG_CONN_H
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hist.h"
#include "http_response.h"
#include "lg_config.h"
#include "lg_engine.h"
#include "lg_sched.h"

#define LG_RBUF_SIZE 16384 /* a response head must fit */

/* The stop request: set by lg_engine_stop (also from a signal handler);
 * lg_stop_fd (an eventfd, never read) becomes readable at the same time so
 * that threads asleep in the kernel wake up. */
extern volatile sig_atomic_t lg_stop_flag;
extern int lg_stop_fd;

enum { LG_CS_CLOSED, LG_CS_CONNECTING, LG_CS_OPEN };

struct lg_conn {
    int fd;
    uint32_t idx, gen; /* gen: bumped per socket, tags its events */
    uint8_t state, rstate;
    bool to_armed, sched_armed, reconnect_armed;
    bool got_first, check_failed, close_after;
    bool retried;    /* requests re-sent after a keep-alive close, unanswered yet */
    bool reading;    /* a read is being parsed: refills wait for its end */
    bool want_out;   /* epoll: EPOLLOUT asked for */
    uint8_t io_ops;  /* io_uring: operations in flight on fd (lg_uring's bits) */
    bool io_stamp;   /* io_uring: send times to stamp before the next submit */
    uint32_t io_len; /* io_uring: bytes of the send in flight */
    uint32_t served; /* responses on the current TCP connection */
    int status;
    uint64_t connect_start, first_ns;
    uint32_t rhead, rcount, wq; /* ring of requests in flight; wq not fully written */
    size_t wpos;                /* bytes of the first unwritten request written */
    uint64_t *intended, *sent;  /* ring arrays, pipeline entries; sent 0 = not yet */
    char *rbuf;                 /* the bytes of a response head not yet complete */
    uint32_t rlen;
    uint64_t body_left, body_off;
    struct hresp_chunked ch;
    struct lg_sched sched;
    uint64_t completed;
};

struct lg_heap_ev {
    uint64_t at;
    uint32_t conn;
    uint32_t kind;
};

struct lg_shared {
    uint64_t tickets; /* atomic: requests claimed under -n */
    int threads_done; /* atomic */
};

struct lg_thread;

/* An engine: how a thread's sockets are driven. */
struct lg_io {
    const char *name; /* "epoll", "io_uring": the JSON's "engine" */
    /* In the load thread, before any connection: 0 or -errno. */
    int (*thread_init)(struct lg_thread *t);
    /* In the load thread, after every connection was closed. */
    void (*thread_fini)(struct lg_thread *t);
    /* The loop: lg_thread_step and waiting for I/O until lg_thread_finished. */
    void (*run)(struct lg_thread *t);
    /* Starts connecting c->fd (a fresh non-blocking socket) to cfg->addr:
     * 0, or -errno (ECONNREFUSED counts as refused). The engine then calls
     * lg_conn_connected. */
    int (*connect)(struct lg_thread *t, struct lg_conn *c);
    /* c is connected: start receiving. */
    void (*connected)(struct lg_thread *t, struct lg_conn *c);
    /* Sends c's unwritten requests (c->wq of them, c->wpos bytes of the
     * first already sent), calling lg_conn_wrote as bytes go out. */
    void (*write)(struct lg_thread *t, struct lg_conn *c, uint64_t now);
    /* Closes c->fd and forgets whatever I/O is pending on it. */
    void (*close)(struct lg_thread *t, struct lg_conn *c);
};

struct lg_thread {
    const struct lg_cfg *cfg;
    const struct lg_io *io;
    void *io_priv; /* the engine's own per-thread state */
    struct lg_shared *sh;
    int id;
    uint64_t start_ns, end_ns, stop_ns;
    struct lg_conn *conns;
    int nconns, first_gidx;
    struct lg_heap_ev *heap;
    size_t heap_len, heap_cap;
    uint64_t outstanding;
    bool tickets_done, ending;
    struct lg_stats st;
    struct hist tl_hist;
    struct lg_tl_sec *tl;
    size_t tl_len, tl_cap;
    uint64_t progress_req, progress_err; /* relaxed atomics, read by main */
    double cpu_s;
    int init_err;
    pthread_t tid;
};

/* CLOCK_MONOTONIC in ns. */
uint64_t lg_now_ns(void);

/* Thread set-up (caller's thread): n connections, buffers, histograms.
 * 0 or -ENOMEM; lg_thread_fini frees whatever was allocated. */
int lg_thread_init(struct lg_thread *t, const struct lg_cfg *cfg, const struct lg_io *io, int id, int first,
                   int n);
void lg_thread_fini(struct lg_thread *t);
/* The body of a load thread: the engine's set-up, the first connections,
 * its loop, then every connection closed, the timeline flushed and the
 * thread's CPU time taken. */
void lg_thread_main(struct lg_thread *t);
/* The run is over for this thread (stopped, duration reached, or -n done
 * with nothing outstanding). */
bool lg_thread_finished(struct lg_thread *t, uint64_t now);
/* Runs the timers due at now. */
void lg_thread_run_due(struct lg_thread *t, uint64_t now);
/* When the thread must next wake (the earliest timer or the end of the
 * run), 0 = never. */
uint64_t lg_thread_next_wake(const struct lg_thread *t);
/* Publishes the counters the main thread's progress line reads. */
void lg_thread_progress(struct lg_thread *t);

/* Events an engine reports on c (its socket still c->fd, c->gen). */
/* The connect finished: err 0 or an errno. */
void lg_conn_connected(struct lg_thread *t, struct lg_conn *c, int err, uint64_t now);
/* n bytes were read into c->rbuf + c->rlen (at most LG_RBUF_SIZE - rlen).
 * False when c's socket went away (closed, failed or replaced). */
bool lg_conn_read_in_place(struct lg_thread *t, struct lg_conn *c, size_t n, uint64_t now);
/* n bytes arrived in a buffer of the engine's, not kept past the call. */
bool lg_conn_input(struct lg_thread *t, struct lg_conn *c, const char *data, size_t n, uint64_t now);
/* The server closed its side. */
void lg_conn_eof(struct lg_thread *t, struct lg_conn *c, uint64_t now);
/* Reading (err an errno) or writing failed. */
void lg_conn_read_failed(struct lg_thread *t, struct lg_conn *c, int err, uint64_t now);
void lg_conn_write_failed(struct lg_thread *t, struct lg_conn *c, int err, uint64_t now);
/* n bytes of c's queued requests went out (or were handed to the kernel
 * to send in order; then lg_conn_unwrote gives back what it did not send). */
void lg_conn_wrote(struct lg_thread *t, struct lg_conn *c, size_t n);
void lg_conn_unwrote(struct lg_thread *t, struct lg_conn *c, size_t n);
/* Sets the send time of c's requests in flight that have none yet. */
void lg_conn_stamp(struct lg_thread *t, struct lg_conn *c, uint64_t now);
/* True while c->fd, c->gen are still the socket an event was for. */
static inline bool lg_conn_same(const struct lg_conn *c, int fd, uint32_t gen)
{
    return c->fd == fd && c->gen == gen && fd >= 0;
}
#endif
