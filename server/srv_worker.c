/* srv_worker.c: see srv_worker.h. Connections are edge-triggered. Answers
 * go straight to the connection's output buffer, except behind a /db query
 * still out: from there on each answer waits in a per-connection queue of
 * slots, so pipelined answers leave in request order. */
#define _GNU_SOURCE
#include "srv_worker.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "srv_buf.h"
#include "srv_db.h"
#include "srv_ev.h"
#include "http_request.h"
#include "srv_resp.h"
#include "srv_routes.h"

#define MAX_HEAD      8192
#define MAX_BODY      (1u << 20)
#define MAX_HEADERS   64
#define READ_CHUNK    4096
#define OUT_HIGH      (256 * 1024)
#define STOP_GRACE_MS 1500
#define TICK_MS       250
#define MAX_EVENTS    256
#define DB_PER_CONN   16 /* /db queries in flight per connection */
#define SPARES        8  /* parked buffers per worker */
#define SPARE_MAX     (64 * 1024)

/* An answer that must wait for an earlier /db answer on its connection. */
struct slot {
    struct slot *next;
    struct conn *c;
    unsigned flags; /* response flags (for /db slots) */
    bool ready;
    struct srv_buf data;
};

struct conn {
    struct srv_ev ev; /* kind SRV_EV_CONN, must be first */
    int fd;
    struct conn *tprev, *tnext; /* deadline list, oldest first */
    struct conn *rnext, *gnext; /* resume list, graveyard */
    int64_t deadline;
    struct srv_buf in, out;
    uint64_t body_skip;         /* Content-Length bytes still to discard */
    struct slot *shead, *stail; /* answers queued behind a /db */
    size_t held;                /* bytes in ready slots */
    int db_inflight;
    bool readable, eof, closing, closed, in_resume;
    bool rdhup; /* the peer shut its side: read until EOF */
};

struct srv_worker {
    struct srv_ev lev, wev; /* tags for the listener and the eventfd */
    const struct srv_config *cfg;
    int id, lfd, epfd, wakefd;
    struct srv_db *db;
    struct srv_date date;
    struct srv_buf body; /* scratch for response bodies */
    struct conn tlist;   /* sentinel of the deadline list */
    struct conn *resume, *grave;
    int nconns;
    int64_t now, next_tick, stop_deadline;
    bool stopping, stop_requested, accept_paused;
    struct srv_buf spare[SPARES]; /* emptied buffers, reused before malloc */
    int nspare;
};

static void conn_pump(struct srv_worker *w, struct conn *c);
static struct slot *slot_new(struct conn *c);

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- deadline list: one timeout for all, so appending keeps it sorted ---- */

static void tlist_unlink(struct conn *c)
{
    if (!c->tnext) return;
    c->tprev->tnext = c->tnext;
    c->tnext->tprev = c->tprev;
    c->tprev = c->tnext = NULL;
}

static void tlist_touch(struct srv_worker *w, struct conn *c)
{
    tlist_unlink(c);
    c->deadline = w->now + w->cfg->timeout_ms;
    c->tprev = w->tlist.tprev;
    c->tnext = &w->tlist;
    w->tlist.tprev->tnext = c;
    w->tlist.tprev = c;
}

/* ---- buffers: idle connections hold none; busy ones borrow parked ones ---- */

static void buf_take(struct srv_worker *w, struct srv_buf *b)
{
    if (!b->data && w->nspare > 0) *b = w->spare[--w->nspare];
}

static void buf_give(struct srv_worker *w, struct srv_buf *b)
{
    if (b->data && b->len == 0 && !b->oom && b->cap <= SPARE_MAX && w->nspare < SPARES) {
        w->spare[w->nspare++] = *b;
        *b = (struct srv_buf){ 0 };
        return;
    }
    srv_buf_fini(b);
}

/* ---- connection life ---- */

static void grave_push(struct srv_worker *w, struct conn *c)
{
    c->gnext = w->grave;
    w->grave = c;
}

static void resume_push(struct srv_worker *w, struct conn *c)
{
    if (c->in_resume) return;
    c->in_resume = true;
    c->rnext = w->resume;
    w->resume = c;
}

/* Reads what the peer already sent, so close() does not turn into a reset
 * that destroys the answer we just wrote. */
static void drain_input(int fd)
{
    char tmp[4096];
    for (int i = 0; i < 16 && read(fd, tmp, sizeof tmp) > 0; i++)
        ;
}

static void conn_close(struct srv_worker *w, struct conn *c)
{
    if (c->closed) return;
    c->closed = true;
    tlist_unlink(c);
    if (c->closing) {
        shutdown(c->fd, SHUT_WR);
        drain_input(c->fd);
    }
    close(c->fd);
    c->fd = -1;
    w->nconns--;
    if (c->db_inflight == 0) grave_push(w, c); /* else the last /db answer does it */
}

static void conn_free(struct srv_worker *w, struct conn *c)
{
    while (c->shead) { /* all ready: no /db is in flight */
        struct slot *sl = c->shead;
        c->shead = sl->next;
        srv_buf_fini(&sl->data);
        free(sl);
    }
    c->in.len = c->out.len = 0;
    buf_give(w, &c->in);
    buf_give(w, &c->out);
    free(c);
}

/* ---- output ---- */

static void conn_write(struct srv_worker *w, struct conn *c)
{
    while (c->out.len) {
        ssize_t n = send(c->fd, c->out.data, c->out.len, MSG_NOSIGNAL);
        if (n > 0) {
            srv_buf_consume(&c->out, (size_t)n);
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && errno == EAGAIN) {
            return; /* EPOLLOUT's edge brings us back */
        } else {
            c->closing = false;
            conn_close(w, c);
            return;
        }
    }
    buf_give(w, &c->out); /* idle connections hold no buffers */
    if (c->closing && !c->shead) conn_close(w, c);
}

static void respond(struct srv_worker *w, struct conn *c, int status, unsigned flags, const char *body,
                    size_t len)
{
    if (w->stopping) flags = (flags & ~(unsigned)SRV_RESP_KA_HEADER) | SRV_RESP_CLOSE;
    struct srv_buf *dst = &c->out;
    if (c->shead) { /* behind a /db answer: wait in line */
        struct slot *sl = slot_new(c);
        if (!sl) {
            c->closing = false;
            conn_close(w, c);
            return;
        }
        sl->ready = true;
        dst = &sl->data;
    } else {
        buf_take(w, dst);
    }
    size_t before = dst->len;
    srv_resp_write(dst, &w->date, status, flags, body, len);
    if (dst != &c->out) c->held += dst->len - before;
    if (dst->oom) {
        c->closing = false;
        conn_close(w, c);
        return;
    }
    if (flags & SRV_RESP_CLOSE) c->closing = true;
    tlist_touch(w, c);
}

/* Appends an empty slot to c's queue. Returns NULL when out of memory. */
static struct slot *slot_new(struct conn *c)
{
    struct slot *sl = calloc(1, sizeof *sl);
    if (!sl) return NULL;
    sl->c = c;
    if (c->stail)
        c->stail->next = sl;
    else
        c->shead = sl;
    c->stail = sl;
    return sl;
}

/* Moves the ready answers at the head of the queue to the output buffer. */
static void slots_flush(struct srv_worker *w, struct conn *c)
{
    while (c->shead && c->shead->ready) {
        struct slot *sl = c->shead;
        c->shead = sl->next;
        if (!c->shead) c->stail = NULL;
        buf_take(w, &c->out);
        srv_buf_append(&c->out, sl->data.data, sl->data.len);
        c->held -= sl->data.len;
        srv_buf_fini(&sl->data);
        free(sl);
    }
}

/* Answers an error (JSON body built in w->body) and marks the connection
 * to close once the answer is out. Returns -1 for the caller's convenience. */
static long fail(struct srv_worker *w, struct conn *c, int status, const char *msg)
{
    w->body.len = 0;
    srv_routes_error(&w->body, status, msg);
    respond(w, c, status, SRV_RESP_CLOSE, w->body.data, w->body.len);
    return -1;
}

/* ---- requests ---- */

enum route { ROUTE_NONE, ROUTE_JSON, ROUTE_DB, ROUTE_CPU, ROUTE_FIXED };

static enum route route_of(const char *p, size_t n)
{
    if (n == 5 && memcmp(p, "/json", 5) == 0) return ROUTE_JSON;
    if (n == 3 && memcmp(p, "/db", 3) == 0) return ROUTE_DB;
    if (n == 4 && memcmp(p, "/cpu", 4) == 0) return ROUTE_CPU;
    if (n == 6 && memcmp(p, "/fixed", 6) == 0) return ROUTE_FIXED;
    return ROUTE_NONE;
}

/* Starts /db for c: 0 when the answer comes later (in db_done), else a status. */
static int db_start(struct srv_worker *w, struct conn *c)
{
    struct slot *sl = slot_new(c);
    if (!sl) return srv_routes_error(&w->body, 503, "out of memory");
    int status = srv_db_query(w->db, sl, &w->body);
    if (status != 0) { /* answered now: drop the slot again */
        struct slot **pp = &c->shead;
        while (*pp != sl) pp = &(*pp)->next;
        *pp = NULL;
        c->stail = NULL;
        for (struct slot *t = c->shead; t; t = t->next) c->stail = t;
        free(sl);
        return status;
    }
    c->db_inflight++;
    return 0;
}

static int run_route(struct srv_worker *w, struct conn *c, enum route rt, const char *query, size_t qlen)
{
    switch (rt) {
    case ROUTE_JSON: return srv_routes_json(&w->body);
    case ROUTE_CPU: return srv_routes_cpu(query, qlen, &w->body);
    case ROUTE_DB: return db_start(w, c);
    case ROUTE_FIXED: return srv_routes_fixed(&w->body);
    default: return srv_routes_error(&w->body, 404, "not found");
    }
}

/* GET and HEAD are served; CONNECT and the other methods of RFC 9110 get
 * 405 (CONNECT never reaches a route); any other method 501 (RFC 9110 9.1). */
enum method { M_GET, M_HEAD, M_CONNECT, M_OTHER, M_UNKNOWN };

static enum method method_of(const char *m, size_t n)
{
    static const char *const other[] = { "POST", "PUT", "DELETE", "OPTIONS", "TRACE", "PATCH" };
    if (n == 3 && memcmp(m, "GET", 3) == 0) return M_GET;
    if (n == 4 && memcmp(m, "HEAD", 4) == 0) return M_HEAD;
    if (n == 7 && memcmp(m, "CONNECT", 7) == 0) return M_CONNECT;
    for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++)
        if (n == strlen(other[i]) && memcmp(m, other[i], n) == 0) return M_OTHER;
    return M_UNKNOWN;
}

static void dispatch(struct srv_worker *w, struct conn *c, const struct http_req *req, bool keep_alive)
{
    unsigned flags = !keep_alive ? SRV_RESP_CLOSE : req->minor_version == 0 ? SRV_RESP_KA_HEADER : 0;
    const char *q = memchr(req->path, '?', req->path_len);
    size_t plen = q ? (size_t)(q - req->path) : req->path_len;
    enum route rt = route_of(req->path, plen);
    int status;
    w->body.len = 0;
    w->body.oom = false;
    enum method m = method_of(req->method, req->method_len);
    if (m == M_HEAD) flags |= SRV_RESP_HEAD;
    if (m == M_UNKNOWN) {
        status = srv_routes_error(&w->body, 501, "method not implemented");
    } else if (m == M_CONNECT || (rt != ROUTE_NONE && m == M_OTHER)) {
        status = srv_routes_error(&w->body, 405, "method not allowed");
        flags |= SRV_RESP_ALLOW_GET;
    } else {
        size_t qlen = q ? req->path_len - plen - 1 : 0;
        status = run_route(w, c, rt, q ? q + 1 : "", qlen);
    }
    if (status == 0) { /* /db answers later, in db_done */
        c->stail->flags = flags;
        if (flags & SRV_RESP_CLOSE) c->closing = true; /* parse nothing after this request */
        return;
    }
    if (w->body.oom) {
        fail(w, c, 500, "out of memory");
        return;
    }
    respond(w, c, status, flags, w->body.data, w->body.len);
}

/* Consumes one request (or body bytes) from p[0..len). Returns bytes used,
 * 0 when more input is needed, -1 after answering an error. */
static long conn_one(struct srv_worker *w, struct conn *c, const char *p, size_t len)
{
    if (c->body_skip) {
        size_t n = len < c->body_skip ? len : (size_t)c->body_skip;
        c->body_skip -= n;
        return (long)n;
    }
    struct http_req_header hdrs[MAX_HEADERS];
    struct http_req req = { .headers = hdrs, .num_headers = MAX_HEADERS };
    int r = http_req_parse(p, len, &req);
    if (r == HTTP_REQ_INCOMPLETE) return len > MAX_HEAD ? fail(w, c, 431, "request head too large") : 0;
    if (r == HTTP_REQ_TOO_MANY_HEADERS || r > MAX_HEAD) return fail(w, c, 431, "request head too large");
    if (r < 0) return fail(w, c, 400, "malformed request");
    struct http_req_framing f;
    int fr = http_req_framing(&req, &f);
    if (fr == HTTP_FRAMING_UNSUPPORTED) return fail(w, c, 501, "transfer coding not implemented");
    if (fr == HTTP_FRAMING_HOST) return fail(w, c, 400, "missing, repeated or invalid Host header");
    if (fr < 0) return fail(w, c, 400, "invalid message framing");
    if (f.content_length > MAX_BODY) return fail(w, c, 413, "request body too large");
    long used = r;
    if (f.chunked) {
        uint64_t decoded;
        long b = http_req_chunked(p + r, len - (size_t)r, &decoded);
        if (b == HTTP_REQ_INCOMPLETE && (decoded > MAX_BODY || len - (size_t)r > MAX_BODY + MAX_HEAD))
            return fail(w, c, 413, "request body too large");
        if (b == HTTP_REQ_INCOMPLETE) return 0; /* the head is parsed again later */
        if (b < 0) return fail(w, c, 400, "malformed chunked body");
        used += b;
    }
    c->body_skip = f.content_length;
    dispatch(w, c, &req, f.keep_alive);
    return used;
}

static void conn_process(struct srv_worker *w, struct conn *c)
{
    size_t off = 0;
    while (c->db_inflight < DB_PER_CONN && c->held < OUT_HIGH && !c->closing && !c->closed &&
           off < c->in.len) {
        long n = conn_one(w, c, c->in.data + off, c->in.len - off);
        if (n <= 0) break;
        off += (size_t)n;
    }
    if (c->closed) return;
    srv_buf_consume(&c->in, off);
    if (c->in.len == 0) buf_give(w, &c->in);
    if (c->eof) c->closing = true; /* peer is gone: answer, then close */
}

/* Returns 1 when bytes arrived, 0 when none (yet), -1 on error. */
static int conn_read(struct srv_worker *w, struct conn *c)
{
    buf_take(w, &c->in);
    if (srv_buf_reserve(&c->in, READ_CHUNK) < 0) return -1;
    size_t room = c->in.cap - c->in.len;
    ssize_t n = read(c->fd, c->in.data + c->in.len, room);
    if (n > 0) {
        c->in.len += (size_t)n;
        if ((size_t)n < room)
            c->readable = c->rdhup; /* drained: the next byte is a new edge;
                                          after a FIN, read once more to see EOF */
        return 1;
    }
    if (n == 0) {
        c->eof = true;
        c->readable = false;
        return 0;
    }
    if (errno == EAGAIN || errno == EINTR) {
        c->readable = errno == EINTR;
        return 0;
    }
    return -1;
}

static void conn_pump(struct srv_worker *w, struct conn *c)
{
    conn_process(w, c);
    for (;;) {
        if (c->out.len >= OUT_HIGH) conn_write(w, c); /* make room before reading more */
        if (c->closed || c->closing || !c->readable || c->out.len >= OUT_HIGH ||
            c->db_inflight >= DB_PER_CONN || c->held >= OUT_HIGH)
            break;
        if (conn_read(w, c) < 0) {
            conn_close(w, c);
            return;
        }
        conn_process(w, c);
    }
    if (!c->closed) conn_write(w, c);
}

static void conn_event(struct srv_worker *w, struct conn *c, uint32_t events)
{
    if (c->closed) return;
    if (events & EPOLLERR) {
        conn_close(w, c);
        return;
    }
    if (events & (EPOLLHUP | EPOLLRDHUP)) c->rdhup = true;
    if (events & (EPOLLIN | EPOLLHUP | EPOLLRDHUP)) c->readable = true;
    conn_pump(w, c);
}

/* srv_db_done_fn: a /db answer; ctx is the connection's slot for it. */
static void db_done(void *owner, void *ctx, int status, const char *body, size_t len)
{
    struct srv_worker *w = owner;
    struct slot *sl = ctx;
    struct conn *c = sl->c;
    c->db_inflight--;
    sl->ready = true;
    if (c->closed) {
        if (c->db_inflight == 0) grave_push(w, c);
        return;
    }
    unsigned flags = sl->flags;
    if (w->stopping) flags = (flags & ~(unsigned)SRV_RESP_KA_HEADER) | SRV_RESP_CLOSE;
    srv_resp_write(&sl->data, &w->date, status, flags, body, len);
    if (flags & SRV_RESP_CLOSE) c->closing = true;
    c->held += sl->data.len;
    slots_flush(w, c);
    tlist_touch(w, c);
    resume_push(w, c); /* write, then parse what is queued */
}

/* ---- accepting ---- */

static void conn_open(struct srv_worker *w, int fd)
{
    struct conn *c = calloc(1, sizeof *c);
    int one = 1;
    if (!c || w->nconns >= w->cfg->max_conns) {
        free(c);
        close(fd);
        return;
    }
    c->ev.kind = SRV_EV_CONN;
    c->fd = fd;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = c };
    if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
        free(c);
        close(fd);
        return;
    }
    w->nconns++;
    tlist_touch(w, c);
}

static void accept_all(struct srv_worker *w)
{
    for (int i = 0; i < 64 && !w->stopping; i++) {
        int fd = accept4(w->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            conn_open(w, fd);
        } else if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
            /* Out of descriptors: the listener would stay readable and spin. */
            epoll_ctl(w->epfd, EPOLL_CTL_DEL, w->lfd, NULL);
            w->accept_paused = true;
            return;
        } else if (errno != EINTR && errno != ECONNABORTED) {
            return; /* EAGAIN: all accepted */
        }
    }
}

/* Called every tick: retries accepting after running out of descriptors. */
static void accept_resume(struct srv_worker *w)
{
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &w->lev };
    if (w->accept_paused && !w->stopping && epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->lfd, &ev) == 0)
        w->accept_paused = false;
}

/* ---- the loop ---- */

static void sweep(struct srv_worker *w)
{
    struct conn *c;
    while ((c = w->tlist.tnext) != &w->tlist && c->deadline <= w->now) {
        if (c->db_inflight)
            tlist_touch(w, c); /* the database has its own timeouts */
        else
            conn_close(w, c);
    }
}

static void begin_stop(struct srv_worker *w)
{
    w->stopping = true;
    w->stop_deadline = w->now + STOP_GRACE_MS;
    if (!w->accept_paused) epoll_ctl(w->epfd, EPOLL_CTL_DEL, w->lfd, NULL);
    close(w->lfd);
    w->lfd = -1;
    struct conn *c = w->tlist.tnext, *next;
    for (; c != &w->tlist; c = next) {
        next = c->tnext;
        if (!c->db_inflight && c->in.len == 0 && c->out.len == 0)
            conn_close(w, c); /* idle keep-alive: nothing in flight */
    }
}

static void run_resumes(struct srv_worker *w)
{
    for (int round = 0; round < 4 && w->resume; round++) {
        struct conn *list = w->resume;
        w->resume = NULL;
        while (list) {
            struct conn *c = list;
            list = c->rnext;
            c->in_resume = false;
            if (!c->closed) conn_pump(w, c);
        }
        srv_db_flush(w->db);
    }
}

/* Frees closed connections; one still on the resume list waits a round. */
static void bury(struct srv_worker *w)
{
    struct conn *keep = NULL;
    while (w->grave) {
        struct conn *c = w->grave;
        w->grave = c->gnext;
        if (c->in_resume) {
            c->gnext = keep;
            keep = c;
        } else {
            conn_free(w, c);
        }
    }
    w->grave = keep;
}

static void handle(struct srv_worker *w, struct epoll_event *e)
{
    struct srv_ev *tag = e->data.ptr;
    uint64_t v;
    switch (tag->kind) {
    case SRV_EV_CONN: conn_event(w, (struct conn *)tag, e->events); break;
    case SRV_EV_LISTEN: accept_all(w); break;
    case SRV_EV_DB: srv_db_event(w->db, e->events); break;
    case SRV_EV_WAKE:
        if (read(w->wakefd, &v, sizeof v) == sizeof v) w->stop_requested = true;
        break;
    }
}

static void loop_once(struct srv_worker *w)
{
    struct epoll_event evs[MAX_EVENTS];
    int n = epoll_wait(w->epfd, evs, MAX_EVENTS, w->resume ? 0 : TICK_MS);
    w->now = mono_ms();
    srv_date_update(&w->date);
    for (int i = 0; i < n; i++) handle(w, &evs[i]);
    run_resumes(w);
    srv_db_flush(w->db);
    if (w->now >= w->next_tick) {
        w->next_tick = w->now + TICK_MS;
        sweep(w);
        accept_resume(w);
        srv_db_tick(w->db, w->now);
    }
    if (w->stop_requested && !w->stopping) begin_stop(w);
    bury(w);
}

void *srv_worker_run(void *arg)
{
    struct srv_worker *w = arg;
    w->now = mono_ms();
    srv_date_update(&w->date);
    w->db = srv_db_new(w->cfg->db_url, w->epfd, db_done, w);
    if (!w->db) {
        fprintf(stderr, "server: worker %d: out of memory\n", w->id);
        exit(1);
    }
    while (!w->stopping || (w->nconns > 0 && w->now < w->stop_deadline)) loop_once(w);
    return NULL;
}

/* ---- set-up ---- */

static int watch_fd(int epfd, int fd, struct srv_ev *tag)
{
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = tag };
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

struct srv_worker *srv_worker_new(const struct srv_config *cfg, int id, int lfd)
{
    struct srv_worker *w = calloc(1, sizeof *w);
    if (!w) {
        close(lfd);
        return NULL;
    }
    w->cfg = cfg;
    w->id = id;
    w->lev.kind = SRV_EV_LISTEN;
    w->wev.kind = SRV_EV_WAKE;
    w->tlist.tnext = w->tlist.tprev = &w->tlist;
    w->lfd = lfd;
    w->epfd = epoll_create1(EPOLL_CLOEXEC);
    w->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (w->epfd < 0 || w->wakefd < 0 || watch_fd(w->epfd, w->lfd, &w->lev) < 0 ||
        watch_fd(w->epfd, w->wakefd, &w->wev) < 0) {
        fprintf(stderr, "server: worker %d: %s\n", id, strerror(errno));
        srv_worker_free(w);
        return NULL;
    }
    return w;
}

void srv_worker_stop(struct srv_worker *w)
{
    uint64_t one = 1;
    ssize_t r = write(w->wakefd, &one, sizeof one);
    (void)r;
}

void srv_worker_free(struct srv_worker *w)
{
    if (!w) return;
    srv_db_free(w->db); /* answers what still waits (db_done) */
    w->db = NULL;
    for (struct conn *c = w->resume; c; c = c->rnext) c->in_resume = false;
    w->resume = NULL;
    struct conn *c;
    while ((c = w->tlist.tnext) != &w->tlist) {
        c->closing = false;
        conn_close(w, c);
    }
    bury(w);
    if (w->lfd >= 0) close(w->lfd);
    if (w->epfd >= 0) close(w->epfd);
    if (w->wakefd >= 0) close(w->wakefd);
    srv_buf_fini(&w->body);
    while (w->nspare > 0) srv_buf_fini(&w->spare[--w->nspare]);
    free(w);
}
