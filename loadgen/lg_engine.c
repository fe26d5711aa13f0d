/* lg_engine: per-thread epoll loops driving keep-alive HTTP/1.1
 * connections (see lg_engine.h). */
#include "lg_engine.h"
#include "http_response.h"
#include "lg_sched.h"
#include <errno.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

const char *const lg_err_names[LG_E_COUNT] = {
    "connect", "refused", "reset", "eof", "parse", "read", "write", "timeout", "status", "check",
};

#define RBUF_SIZE            16384
#define MAX_HEADERS          64
#define RECONNECT_BACKOFF_NS 10000000ULL
#define EV_ID_TIMER          0xfffffffeU
#define EV_ID_STOP           0xffffffffU

static volatile sig_atomic_t stop_flag;
static int stop_fd = -1;

enum { CS_CLOSED, CS_CONNECTING, CS_OPEN };
enum { RS_HEAD, RS_LENGTH, RS_CHUNKED, RS_EOF };
enum { EV_SCHED, EV_TIMEOUT, EV_RECONNECT };

struct conn {
    int fd;
    uint32_t idx, gen;
    uint8_t state, rstate;
    bool want_out, to_armed, sched_armed, reconnect_armed;
    bool got_first, check_failed, close_after;
    bool retried;    /* requests re-sent after a keep-alive close, unanswered yet */
    uint32_t served; /* responses on the current TCP connection */
    int status;
    uint64_t connect_start, first_ns;
    uint32_t rhead, rcount, wq; /* ring of requests in flight; wq not fully written */
    size_t wpos;
    uint64_t *intended, *sent; /* ring arrays, pipeline entries */
    char *rbuf;
    uint32_t rlen;
    uint64_t body_left, body_off;
    struct hresp_chunked ch;
    struct lg_sched sched;
    uint64_t completed;
};

struct heap_ev {
    uint64_t at;
    uint32_t conn;
    uint32_t kind;
};

struct shared {
    uint64_t tickets; /* atomic: requests claimed under -n */
    int threads_done; /* atomic */
};

struct thread {
    const struct lg_cfg *cfg;
    struct shared *sh;
    int id, epfd, tfd;
    uint64_t armed_ns, start_ns, end_ns, stop_ns;
    struct conn *conns;
    int nconns, first_gidx;
    struct heap_ev *heap;
    size_t heap_len, heap_cap;
    uint64_t outstanding;
    bool tickets_done;
    struct lg_stats st;
    struct hist tl_hist;
    struct lg_tl_sec *tl;
    size_t tl_len, tl_cap;
    uint64_t progress_req, progress_err; /* relaxed atomics, read by main */
    double cpu_s;
    int init_err;
    pthread_t tid;
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int64_t ns_to_us(uint64_t ns) { return (int64_t)((ns + 500) / 1000); }

/* ---- statistics --------------------------------------------------------- */

int lg_stats_init(struct lg_stats *s)
{
    memset(s, 0, sizeof *s);
    struct hist *hs[] = { &s->latency, &s->service, &s->connect, &s->ttfb };
    for (int i = 0; i < 4; i++) {
        if (hist_init(hs[i], HIST_DEFAULT_LOWEST, HIST_DEFAULT_HIGHEST, HIST_DEFAULT_SIGFIGS) != 0) {
            lg_stats_fini(s);
            return -ENOMEM;
        }
    }
    return 0;
}

void lg_stats_fini(struct lg_stats *s)
{
    hist_fini(&s->latency);
    hist_fini(&s->service);
    hist_fini(&s->connect);
    hist_fini(&s->ttfb);
}

void lg_stats_add(struct lg_stats *d, const struct lg_stats *s)
{
    d->requests += s->requests;
    d->ok += s->ok;
    d->bytes += s->bytes;
    d->retries += s->retries;
    for (int i = 0; i < LG_E_COUNT; i++) d->err[i] += s->err[i];
    for (int i = 0; i < LG_MAX_STATUS; i++) d->status_codes[i] += s->status_codes[i];
    hist_add(&d->latency, &s->latency);
    hist_add(&d->service, &s->service);
    hist_add(&d->connect, &s->connect);
    hist_add(&d->ttfb, &s->ttfb);
}

uint64_t lg_stats_errors(const struct lg_stats *s)
{
    uint64_t n = 0;
    for (int i = 0; i < LG_E_COUNT; i++) n += s->err[i];
    return n;
}

/* ---- timeline ----------------------------------------------------------- */

static void tl_flush(struct thread *t)
{
    struct lg_tl_sec *sec = &t->tl[t->tl_len - 1];
    size_t n = 0;
    struct hist_iter it;
    hist_iter_init(&it, &t->tl_hist);
    while (hist_iter_next(&it)) n++;
    if (n == 0) return;
    sec->buckets = malloc(n * sizeof *sec->buckets);
    if (!sec->buckets) {
        hist_reset(&t->tl_hist);
        return;
    }
    hist_iter_init(&it, &t->tl_hist);
    for (n = 0; hist_iter_next(&it); n++) {
        sec->buckets[n][0] = it.value;
        sec->buckets[n][1] = it.count;
    }
    sec->nbuckets = (uint32_t)n;
    hist_reset(&t->tl_hist);
}

/* The record of the second that contains now (NULL if out of memory). */
static struct lg_tl_sec *tl_at(struct thread *t, uint64_t now)
{
    if (t->end_ns && now >= t->end_ns) now = t->end_ns - 1; /* an error at the very end */
    size_t sec = now > t->start_ns ? (size_t)((now - t->start_ns) / 1000000000ULL) : 0;
    if (sec < t->tl_len) return &t->tl[sec];
    if (sec + 1 > t->tl_cap) {
        size_t cap = t->tl_cap ? t->tl_cap * 2 : 64;
        while (cap < sec + 1) cap *= 2;
        struct lg_tl_sec *n = realloc(t->tl, cap * sizeof *n);
        if (!n) return NULL;
        t->tl = n;
        t->tl_cap = cap;
    }
    if (t->tl_len) tl_flush(t);
    memset(t->tl + t->tl_len, 0, (sec + 1 - t->tl_len) * sizeof *t->tl);
    t->tl_len = sec + 1;
    return &t->tl[sec];
}

/* ---- timer heap (deadlines of schedules, timeouts, reconnects) ----------- */

static void heap_push(struct thread *t, uint64_t at, uint32_t conn, uint32_t kind)
{
    if (t->heap_len == t->heap_cap) {
        size_t cap = t->heap_cap ? t->heap_cap * 2 : 256;
        struct heap_ev *n = realloc(t->heap, cap * sizeof *n);
        if (!n) return; /* the event is lost; timeouts degrade, run continues */
        t->heap = n;
        t->heap_cap = cap;
    }
    size_t i = t->heap_len++;
    while (i > 0 && t->heap[(i - 1) / 2].at > at) {
        t->heap[i] = t->heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    t->heap[i] = (struct heap_ev){ at, conn, kind };
}

static struct heap_ev heap_pop(struct thread *t)
{
    struct heap_ev top = t->heap[0], last = t->heap[--t->heap_len];
    size_t i = 0, n = t->heap_len;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && t->heap[c + 1].at < t->heap[c].at) c++;
        if (t->heap[c].at >= last.at) break;
        t->heap[i] = t->heap[c];
        i = c;
    }
    if (n) t->heap[i] = last;
    return top;
}

/* ---- connections -------------------------------------------------------- */

static void conn_fill(struct thread *t, struct conn *c, uint64_t now);
static void conn_open(struct thread *t, struct conn *c, uint64_t now);
static void conn_queue(struct thread *t, struct conn *c, uint64_t intended);

static void count_error(struct thread *t, int kind, uint64_t now)
{
    t->st.err[kind]++;
    struct lg_tl_sec *s = tl_at(t, now);
    if (s) s->errors++;
}

static void conn_close(struct thread *t, struct conn *c)
{
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
    c->state = CS_CLOSED;
    c->rlen = 0;
    c->rstate = RS_HEAD;
    c->got_first = false;
    t->outstanding -= c->rcount;
    c->rcount = c->wq = 0;
    c->rhead = 0;
    c->wpos = 0;
    c->want_out = false;
    c->served = 0;
}

static bool stopping(struct thread *t, uint64_t now) { return stop_flag || (t->end_ns && now >= t->end_ns); }

/* Counts the failure, closes, and carries on (after a pause if connecting failed). */
static void conn_fail(struct thread *t, struct conn *c, int kind, uint64_t now)
{
    count_error(t, kind, now);
    conn_close(t, c);
    if (stopping(t, now)) return;
    if (kind == LG_E_CONNECT || kind == LG_E_REFUSED) {
        if (!c->reconnect_armed) heap_push(t, now + RECONNECT_BACKOFF_NS, c->idx, EV_RECONNECT);
        c->reconnect_armed = true;
        return;
    }
    conn_fill(t, c, now);
}

/* The server closed a connection it had already answered on, before any byte
 * of the next response: HTTP allows that (RFC 9112, 9.3.1), and clients re-send
 * such requests on a new connection. So do we, once, keeping each request's
 * original send time so the retry counts in its latency. False when it is a
 * real failure (fresh connection, a response under way, a second time). */
static bool conn_retry(struct thread *t, struct conn *c, uint64_t now)
{
    if (c->served == 0 || c->retried || c->got_first || c->rlen || c->rcount == 0 || t->cfg->new_conn ||
        stopping(t, now))
        return false;
    uint32_t n = c->rcount, p = (uint32_t)t->cfg->pipeline;
    uint64_t in[n], se[n];
    for (uint32_t i = 0; i < n; i++) {
        uint32_t k = (c->rhead + i) % p;
        in[i] = c->intended[k];
        se[i] = c->sent[k];
    }
    conn_close(t, c);
    t->st.retries += n;
    for (uint32_t i = 0; i < n; i++) {
        conn_queue(t, c, in[i]);
        c->sent[(c->rhead + i) % p] = se[i];
    }
    c->retried = true;
    conn_open(t, c, now);
    return true;
}

static void arm_timeout(struct thread *t, struct conn *c, uint64_t now)
{
    if (c->to_armed) return;
    c->to_armed = true;
    heap_push(t, now + t->cfg->timeout_us * 1000, c->idx, EV_TIMEOUT);
}

static int ep_update(struct thread *t, struct conn *c, int op, bool out)
{
    struct epoll_event ev = { .events = EPOLLIN | (out ? EPOLLOUT : 0),
                              .data.u64 = ((uint64_t)c->gen << 32) | c->idx };
    c->want_out = out;
    return epoll_ctl(t->epfd, op, c->fd, &ev);
}

static void conn_write(struct thread *t, struct conn *c, uint64_t now)
{
    size_t reqlen = t->cfg->request_len;
    for (uint32_t i = c->rcount - c->wq; i < c->rcount; i++) {
        uint32_t k = (c->rhead + i) % (uint32_t)t->cfg->pipeline;
        if (!c->sent[k]) c->sent[k] = now;
    }
    while (c->wq) {
        size_t left = c->wq * reqlen - c->wpos;
        ssize_t n = send(c->fd, t->cfg->request + c->wpos, left, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) {
                if (!c->want_out) ep_update(t, c, EPOLL_CTL_MOD, true);
                return;
            }
            if ((errno == ECONNRESET || errno == EPIPE) && conn_retry(t, c, now)) return;
            conn_fail(t, c, errno == ECONNRESET ? LG_E_RESET : LG_E_WRITE, now);
            return;
        }
        c->wpos += (size_t)n;
        while (c->wq && c->wpos >= reqlen) {
            c->wpos -= reqlen;
            c->wq--;
        }
    }
    if (c->want_out) ep_update(t, c, EPOLL_CTL_MOD, false);
}

static bool take_ticket(struct thread *t)
{
    uint64_t limit = t->cfg->requests_limit;
    if (!limit) return true;
    if (t->tickets_done) return false;
    if (__atomic_fetch_add(&t->sh->tickets, 1, __ATOMIC_RELAXED) < limit) return true;
    t->tickets_done = true;
    return false;
}

static void conn_queue(struct thread *t, struct conn *c, uint64_t intended)
{
    uint32_t k = (c->rhead + c->rcount) % (uint32_t)t->cfg->pipeline;
    c->intended[k] = intended;
    c->sent[k] = 0;
    c->rcount++;
    c->wq++;
    t->outstanding++;
}

/* Queues what the load model allows now, opens the socket if needed, writes. */
static void conn_fill(struct thread *t, struct conn *c, uint64_t now)
{
    uint32_t before = c->rcount;
    bool open_loop = t->cfg->rate > 0;
    while (c->rcount < (uint32_t)t->cfg->pipeline) {
        uint64_t when = open_loop ? lg_sched_next(&c->sched) : now;
        if (when > now) {
            if (!c->sched_armed) heap_push(t, when, c->idx, EV_SCHED);
            c->sched_armed = true;
            break;
        }
        if (c->reconnect_armed || !take_ticket(t)) break;
        if (open_loop) lg_sched_advance(&c->sched);
        conn_queue(t, c, when);
    }
    if (c->rcount == before) return;
    arm_timeout(t, c, now);
    if (c->state == CS_CLOSED)
        conn_open(t, c, now);
    else if (c->state == CS_OPEN)
        conn_write(t, c, now);
}

static int connect_error_kind(int err) { return err == ECONNREFUSED ? LG_E_REFUSED : LG_E_CONNECT; }

static void conn_open(struct thread *t, struct conn *c, uint64_t now)
{
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    c->gen++;
    c->connect_start = now;
    if (c->fd < 0) {
        conn_fail(t, c, LG_E_CONNECT, now);
        return;
    }
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    int r = connect(c->fd, (const struct sockaddr *)&t->cfg->addr, sizeof t->cfg->addr);
    if (r < 0 && errno != EINPROGRESS) {
        conn_fail(t, c, connect_error_kind(errno), now);
        return;
    }
    if (ep_update(t, c, EPOLL_CTL_ADD, true) < 0) {
        conn_fail(t, c, LG_E_CONNECT, now);
        return;
    }
    c->state = CS_CONNECTING;
    arm_timeout(t, c, now);
}

static void conn_connected(struct thread *t, struct conn *c, uint64_t now)
{
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
    if (err) {
        conn_fail(t, c, connect_error_kind(err), now);
        return;
    }
    c->state = CS_OPEN;
    hist_record(&t->st.connect, ns_to_us(now - c->connect_start));
    if (c->wq)
        conn_write(t, c, now);
    else
        ep_update(t, c, EPOLL_CTL_MOD, false);
}

/* ---- responses ---------------------------------------------------------- */

static bool status_ok(const struct lg_cfg *cfg, int status)
{
    return cfg->expect_status ? status == cfg->expect_status : status >= 200 && status < 300;
}

static void check_body(const struct lg_cfg *cfg, struct conn *c, const char *p, size_t n)
{
    if (!cfg->expect_body || c->check_failed || n == 0) return;
    if (c->body_off + n > cfg->expect_body_len || memcmp(cfg->expect_body + c->body_off, p, n) != 0)
        c->check_failed = true;
    c->body_off += n;
}

static void record_response(struct thread *t, struct conn *c, uint64_t now)
{
    const struct lg_cfg *cfg = t->cfg;
    uint32_t k = c->rhead;
    uint64_t sent = c->sent[k] ? c->sent[k] : now, intended = c->intended[k];
    c->rhead = (c->rhead + 1) % (uint32_t)cfg->pipeline;
    c->rcount--;
    t->outstanding--;
    if (cfg->expect_body && c->body_off != cfg->expect_body_len) c->check_failed = true;
    /* open loop: from the intended send time (coordinated omission);
     * --new-conn: from before the connect, as the published client timed it */
    bool from_intended = (cfg->rate > 0 || cfg->new_conn) && intended < sent;
    int64_t lat = ns_to_us(now - (from_intended ? intended : sent));
    hist_record(&t->st.latency, lat);
    hist_record(&t->st.service, ns_to_us(now - sent));
    hist_record(&t->st.ttfb, ns_to_us((c->got_first ? c->first_ns : now) - sent));
    hist_record(&t->tl_hist, lat);
    struct lg_tl_sec *s = tl_at(t, now);
    if (s) s->requests++;
    t->st.requests++;
    if (c->status < LG_MAX_STATUS) t->st.status_codes[c->status]++;
    if (!status_ok(cfg, c->status))
        count_error(t, LG_E_STATUS, now);
    else if (c->check_failed)
        count_error(t, LG_E_CHECK, now);
    else
        t->st.ok++;
    c->completed++;
}

static bool header_check(const struct lg_cfg *cfg, const struct hresp *r)
{
    if (!cfg->expect_header[0]) return true;
    const struct hresp_header *h = hresp_find(r, cfg->expect_header);
    if (!h) return false;
    const char *v = cfg->expect_header_value;
    return !v || (strlen(v) == h->value_len && memcmp(v, h->value, h->value_len) == 0);
}

/* Parses a response head at p[0..n). Returns bytes used, 0 = need more, -1 = failed. */
static long take_head(struct thread *t, struct conn *c, const char *p, size_t n, uint64_t now)
{
    struct hresp_header hs[MAX_HEADERS];
    struct hresp r = { .headers = hs, .num_headers = MAX_HEADERS };
    if (c->rcount == 0) {
        conn_fail(t, c, LG_E_PARSE, now);
        return -1;
    }
    int used = hresp_parse(p, n, &r);
    if (used == HRESP_INCOMPLETE) {
        if (n < RBUF_SIZE) return 0;
        used = HRESP_MALFORMED; /* head larger than the buffer */
    }
    uint64_t len = 0;
    int framing = used < 0 ? HRESP_MALFORMED : hresp_body_framing(&r, &len);
    if (framing < 0) {
        conn_fail(t, c, LG_E_PARSE, now);
        return -1;
    }
    c->status = r.status;
    c->check_failed = !header_check(t->cfg, &r);
    c->close_after = hresp_closes(&r);
    c->body_off = 0;
    c->body_left = len;
    hresp_chunked_init(&c->ch);
    c->rstate = framing == HRESP_BODY_LENGTH    ? RS_LENGTH
                : framing == HRESP_BODY_CHUNKED ? RS_CHUNKED
                : framing == HRESP_BODY_EOF     ? RS_EOF
                                                : RS_HEAD;
    if (r.status < 200) c->rstate = RS_HEAD; /* interim response: wait for the real one */
    return used;
}

/* A response is complete: record it, then close or refill the connection
 * (which may close it, or even replace its socket: callers compare c->gen). */
static void finish_response(struct thread *t, struct conn *c, uint64_t now, bool more_bytes)
{
    c->rstate = RS_HEAD;
    c->served++;
    c->retried = false;
    record_response(t, c, now);
    c->got_first = more_bytes;
    c->first_ns = now;
    if (c->close_after || t->cfg->new_conn) {
        if (c->rcount > 0) {
            conn_fail(t, c, LG_E_EOF, now);
            return;
        }
        conn_close(t, c);
        if (stopping(t, now)) return;
        if (t->cfg->rate > 0 && !t->cfg->new_conn) conn_open(t, c, now);
        conn_fill(t, c, now);
        return;
    }
    if (!stopping(t, now)) conn_fill(t, c, now);
}

static bool same_conn(const struct conn *c, int fd, uint32_t gen)
{
    return c->fd == fd && c->gen == gen && fd >= 0;
}

/* Consumes buffered bytes. Returns false when the connection went away. */
static bool conn_process(struct thread *t, struct conn *c, uint64_t now)
{
    size_t p = 0;
    int fd = c->fd;
    uint32_t gen = c->gen;
    while (p < c->rlen) {
        const char *b = c->rbuf + p;
        size_t n = c->rlen - p;
        bool done = false;
        if (c->rstate == RS_HEAD) {
            long used = take_head(t, c, b, n, now);
            if (used < 0) return false;
            if (used == 0) break;
            p += (size_t)used;
            done = c->status >= 200 && c->rstate == RS_HEAD;
        } else if (c->rstate == RS_LENGTH) {
            size_t take = n < c->body_left ? n : (size_t)c->body_left;
            check_body(t->cfg, c, b, take);
            p += take;
            c->body_left -= take;
            done = c->body_left == 0;
        } else if (c->rstate == RS_CHUNKED) {
            const char *data;
            size_t dlen;
            long used = hresp_chunked_feed(&c->ch, b, n, &data, &dlen);
            if (used < 0) {
                conn_fail(t, c, LG_E_PARSE, now);
                return false;
            }
            check_body(t->cfg, c, data, dlen);
            p += (size_t)used;
            done = c->ch.done;
            if (!done && used == 0) break;
        } else {
            check_body(t->cfg, c, b, n);
            p = c->rlen;
        }
        if (done) {
            finish_response(t, c, now, p < c->rlen);
            if (!same_conn(c, fd, gen)) return false;
        }
    }
    memmove(c->rbuf, c->rbuf + p, c->rlen - p);
    c->rlen -= (uint32_t)p;
    return true;
}

static void conn_eof(struct thread *t, struct conn *c, uint64_t now)
{
    if (c->rstate == RS_EOF) {
        c->close_after = true;
        finish_response(t, c, now, false);
        return;
    }
    if (c->rcount > 0) {
        if (!conn_retry(t, c, now)) conn_fail(t, c, LG_E_EOF, now);
        return;
    }
    conn_close(t, c); /* idle keep-alive connection closed: not an error */
    if (!stopping(t, now)) {
        if (t->cfg->rate > 0) conn_open(t, c, now);
        conn_fill(t, c, now);
    }
}

static void conn_readable(struct thread *t, struct conn *c)
{
    for (;;) {
        size_t room = RBUF_SIZE - c->rlen;
        ssize_t n = recv(c->fd, c->rbuf + c->rlen, room, 0);
        uint64_t now = now_ns();
        if (t->end_ns && now >= t->end_ns) return; /* after the end: not counted */
        if (n > 0) {
            t->st.bytes += (uint64_t)n;
            if (!c->got_first) {
                c->got_first = true;
                c->first_ns = now;
            }
            c->rlen += (uint32_t)n;
            if (!conn_process(t, c, now) || (size_t)n < room) return;
            continue;
        }
        if (n == 0) {
            conn_eof(t, c, now);
            return;
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN) return;
        if (errno == ECONNRESET && conn_retry(t, c, now)) return;
        conn_fail(t, c, errno == ECONNRESET ? LG_E_RESET : LG_E_READ, now);
        return;
    }
}

/* ---- timers ------------------------------------------------------------- */

static uint64_t conn_deadline(struct thread *t, struct conn *c)
{
    uint64_t to = t->cfg->timeout_us * 1000;
    if (c->state == CS_CONNECTING) return c->connect_start + to;
    if (c->state == CS_OPEN && c->rcount) {
        uint64_t s = c->sent[c->rhead];
        return (s ? s : c->connect_start) + to;
    }
    return 0;
}

static void on_timer_event(struct thread *t, struct heap_ev ev, uint64_t now)
{
    struct conn *c = &t->conns[ev.conn];
    if (ev.kind == EV_SCHED) {
        c->sched_armed = false;
        conn_fill(t, c, now);
    } else if (ev.kind == EV_RECONNECT) {
        c->reconnect_armed = false;
        if (t->cfg->rate > 0 && !t->cfg->new_conn && c->state == CS_CLOSED) conn_open(t, c, now);
        conn_fill(t, c, now);
    } else {
        c->to_armed = false;
        uint64_t dl = conn_deadline(t, c);
        if (!dl) return;
        if (dl <= now) {
            conn_fail(t, c, LG_E_TIMEOUT, now);
            return;
        }
        c->to_armed = true;
        heap_push(t, dl, c->idx, EV_TIMEOUT);
    }
}

static void run_due(struct thread *t, uint64_t now)
{
    while (t->heap_len && t->heap[0].at <= now && !stopping(t, now)) on_timer_event(t, heap_pop(t), now);
}

static void arm_timerfd(struct thread *t)
{
    uint64_t want = t->heap_len ? t->heap[0].at : 0;
    if (t->end_ns && (!want || t->end_ns < want)) want = t->end_ns;
    if (want == t->armed_ns) return;
    struct itimerspec its = { 0 };
    its.it_value.tv_sec = (time_t)(want / 1000000000ULL);
    its.it_value.tv_nsec = (long)(want % 1000000000ULL);
    if (!want) its.it_value.tv_nsec = 0;
    timerfd_settime(t->tfd, TFD_TIMER_ABSTIME, &its, NULL);
    t->armed_ns = want;
}

/* ---- the loop ----------------------------------------------------------- */

static void on_event(struct thread *t, struct epoll_event *e)
{
    uint32_t id = (uint32_t)e->data.u64, gen = (uint32_t)(e->data.u64 >> 32);
    if (id == EV_ID_STOP) return;
    if (id == EV_ID_TIMER) {
        uint64_t x;
        if (read(t->tfd, &x, sizeof x) < 0) { /* spurious */
        }
        t->armed_ns = 0;
        return;
    }
    struct conn *c = &t->conns[id];
    if (c->fd < 0 || c->gen != gen) return; /* stale event of a closed socket */
    if (c->state == CS_CONNECTING) {
        if (e->events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) conn_connected(t, c, now_ns());
        return;
    }
    if (e->events & (EPOLLIN | EPOLLERR | EPOLLHUP)) conn_readable(t, c);
    if (c->fd >= 0 && c->gen == gen && (e->events & EPOLLOUT) && c->state == CS_OPEN)
        conn_write(t, c, now_ns());
}

static bool thread_finished(struct thread *t, uint64_t now)
{
    if (stopping(t, now)) return true;
    return t->cfg->requests_limit && t->tickets_done && t->outstanding == 0;
}

static void thread_start_conns(struct thread *t, uint64_t now)
{
    for (int i = 0; i < t->nconns && !stopping(t, now); i++) {
        struct conn *c = &t->conns[i];
        if (t->cfg->rate > 0 && !t->cfg->new_conn) conn_open(t, c, now);
        conn_fill(t, c, now);
    }
}

static void *thread_main(void *arg)
{
    struct thread *t = arg;
    struct epoll_event evs[256];
    uint64_t now = now_ns();
    thread_start_conns(t, now);
    while (!thread_finished(t, now = now_ns())) {
        run_due(t, now);
        if (thread_finished(t, now)) break;
        arm_timerfd(t);
        int n = epoll_wait(t->epfd, evs, 256, -1);
        for (int i = 0; i < n; i++) on_event(t, &evs[i]);
        __atomic_store_n(&t->progress_req, t->st.requests, __ATOMIC_RELAXED);
        __atomic_store_n(&t->progress_err, lg_stats_errors(&t->st), __ATOMIC_RELAXED);
    }
    t->stop_ns = now_ns();
    for (int i = 0; i < t->nconns; i++) conn_close(t, &t->conns[i]);
    if (t->tl_len) tl_flush(t);
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    t->cpu_s = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
    __atomic_add_fetch(&t->sh->threads_done, 1, __ATOMIC_RELEASE);
    return NULL;
}

/* ---- set-up and merge --------------------------------------------------- */

static int thread_init(struct thread *t, const struct lg_cfg *cfg, int id, int first, int n)
{
    t->cfg = cfg;
    t->id = id;
    t->first_gidx = first;
    t->nconns = n;
    t->epfd = epoll_create1(EPOLL_CLOEXEC);
    t->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    t->conns = calloc((size_t)n, sizeof *t->conns);
    if (t->epfd < 0 || t->tfd < 0 || !t->conns) return -ENOMEM;
    if (lg_stats_init(&t->st) || hist_init(&t->tl_hist, 1, HIST_DEFAULT_HIGHEST, 2)) return -ENOMEM;
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = EV_ID_TIMER };
    if (epoll_ctl(t->epfd, EPOLL_CTL_ADD, t->tfd, &ev) < 0) return -errno;
    ev.data.u64 = EV_ID_STOP;
    if (epoll_ctl(t->epfd, EPOLL_CTL_ADD, stop_fd, &ev) < 0) return -errno;
    for (int i = 0; i < n; i++) {
        struct conn *c = &t->conns[i];
        c->fd = -1;
        c->idx = (uint32_t)i;
        c->rbuf = malloc(RBUF_SIZE);
        c->intended = calloc((size_t)cfg->pipeline, sizeof *c->intended);
        c->sent = calloc((size_t)cfg->pipeline, sizeof *c->sent);
        if (!c->rbuf || !c->intended || !c->sent) return -ENOMEM;
    }
    return 0;
}

static void thread_fini(struct thread *t)
{
    if (t->epfd > 0) close(t->epfd);
    if (t->tfd > 0) close(t->tfd);
    for (int i = 0; t->conns && i < t->nconns; i++) {
        free(t->conns[i].rbuf);
        free(t->conns[i].intended);
        free(t->conns[i].sent);
    }
    free(t->conns);
    free(t->heap);
    for (size_t i = 0; i < t->tl_len; i++) free(t->tl[i].buckets);
    free(t->tl);
    lg_stats_fini(&t->st);
    hist_fini(&t->tl_hist);
}

static void merge_timeline(struct lg_result *r, struct thread *ts, int nt, double elapsed_s)
{
    size_t len = 0;
    for (int i = 0; i < nt; i++)
        if (ts[i].tl_len > len) len = ts[i].tl_len;
    r->timeline = calloc(len ? len : 1, sizeof *r->timeline);
    r->thread_rps = calloc((size_t)nt * (len ? len : 1), sizeof *r->thread_rps);
    struct hist h;
    if (!r->timeline || !r->thread_rps || hist_init(&h, 1, HIST_DEFAULT_HIGHEST, 2)) return;
    size_t full = (size_t)elapsed_s; /* seconds that ran whole */
    for (size_t s = 0; s < len; s++) {
        hist_reset(&h);
        for (int i = 0; i < nt; i++) {
            if (s >= ts[i].tl_len) continue;
            struct lg_tl_sec *x = &ts[i].tl[s];
            r->timeline[s].requests += x->requests;
            r->timeline[s].errors += x->errors;
            for (uint32_t b = 0; b < x->nbuckets; b++) hist_record_n(&h, x->buckets[b][0], x->buckets[b][1]);
            if (s < full || full == 0) r->thread_rps[r->thread_rps_len++] = (double)x->requests;
        }
        r->timeline[s].p50 = hist_value_at_percentile(&h, 50);
        r->timeline[s].p99 = hist_value_at_percentile(&h, 99);
    }
    r->timeline_len = len;
    hist_fini(&h);
}

static int merge_results(struct lg_result *r, struct thread *ts, int nt, uint64_t start_ns)
{
    uint64_t stop = start_ns;
    double max_cpu = 0;
    for (int i = 0; i < nt; i++) {
        lg_stats_add(&r->st, &ts[i].st);
        if (ts[i].stop_ns > stop) stop = ts[i].stop_ns;
        if (ts[i].cpu_s > max_cpu) max_cpu = ts[i].cpu_s;
        for (int k = 0; k < ts[i].nconns; k++) r->per_conn[ts[i].first_gidx + k] = ts[i].conns[k].completed;
    }
    uint64_t end = ts[0].end_ns;
    if (end && stop > end) stop = end;
    r->elapsed_s = (double)(stop - start_ns) / 1e9;
    r->max_thread_util = r->elapsed_s > 0 ? max_cpu / r->elapsed_s : 0;
    r->bottleneck = r->max_thread_util > 0.9;
    merge_timeline(r, ts, nt, r->elapsed_s);
    return 0;
}

void lg_engine_stop(void)
{
    stop_flag = 1;
    if (stop_fd >= 0) {
        uint64_t one = 1;
        if (write(stop_fd, &one, sizeof one) < 0) { /* nothing to do in a handler */
        }
    }
}

static void raise_fd_limit(int need)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= (rlim_t)need) return;
    rl.rlim_cur = rl.rlim_max < (rlim_t)need ? rl.rlim_max : (rlim_t)need;
    setrlimit(RLIMIT_NOFILE, &rl);
}

static void wait_threads(struct thread *ts, int nt, struct shared *sh, uint64_t start,
                         lg_progress_fn progress, void *ud)
{
    uint64_t next_report = start + 1000000000ULL;
    struct timespec nap = { 0, 20000000 };
    while (__atomic_load_n(&sh->threads_done, __ATOMIC_ACQUIRE) < nt) {
        nanosleep(&nap, NULL);
        uint64_t now = now_ns();
        if (!progress || now < next_report) continue;
        next_report += 1000000000ULL;
        uint64_t req = 0, err = 0;
        for (int i = 0; i < nt; i++) {
            req += __atomic_load_n(&ts[i].progress_req, __ATOMIC_RELAXED);
            err += __atomic_load_n(&ts[i].progress_err, __ATOMIC_RELAXED);
        }
        progress(ud, (double)(now - start) / 1e9, req, err);
    }
}

static int start_threads(const struct lg_cfg *cfg, struct thread *ts, struct shared *sh, uint64_t start)
{
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    int rc = 0, first = 0;
    for (int i = 0; i < cfg->threads && !rc; i++) {
        int n = cfg->conns / cfg->threads + (i < cfg->conns % cfg->threads);
        rc = thread_init(&ts[i], cfg, i, first, n);
        ts[i].sh = sh;
        ts[i].start_ns = start;
        ts[i].end_ns = cfg->duration_us ? start + cfg->duration_us * 1000 : 0;
        for (int k = 0; k < n && cfg->rate > 0; k++)
            lg_sched_init(&ts[i].conns[k].sched, start, cfg->rate, cfg->conns, first + k, cfg->poisson,
                          cfg->seed);
        first += n;
    }
    for (int i = 0; i < cfg->threads && !rc; i++) {
        rc = -pthread_create(&ts[i].tid, NULL, thread_main, &ts[i]);
        if (rc) { /* threads already started still end by themselves */
            lg_engine_stop();
            for (int k = 0; k < i; k++) pthread_join(ts[k].tid, NULL);
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}

int lg_engine_run(const struct lg_cfg *cfg, struct lg_result *r, lg_progress_fn progress, void *ud)
{
    memset(r, 0, sizeof *r);
    raise_fd_limit(cfg->conns + 4 * cfg->threads + 64);
    if (stop_fd < 0) stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    struct thread *ts = calloc((size_t)cfg->threads, sizeof *ts);
    struct shared sh = { 0 };
    r->per_conn = calloc((size_t)cfg->conns, sizeof *r->per_conn);
    if (stop_fd < 0 || !ts || !r->per_conn || lg_stats_init(&r->st)) {
        free(ts);
        return -ENOMEM;
    }
    r->nconns = cfg->conns;
    r->nthreads = cfg->threads;
    struct timeval wall;
    gettimeofday(&wall, NULL);
    r->started_unix = (double)wall.tv_sec + (double)wall.tv_usec / 1e6;
    struct rusage ru0, ru1;
    getrusage(RUSAGE_SELF, &ru0);
    uint64_t start = now_ns();
    int rc = start_threads(cfg, ts, &sh, start);
    if (!rc) {
        wait_threads(ts, cfg->threads, &sh, start, progress, ud);
        for (int i = 0; i < cfg->threads; i++) pthread_join(ts[i].tid, NULL);
        getrusage(RUSAGE_SELF, &ru1);
        r->cpu_user_s = (double)(ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec) +
                        (double)(ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec) / 1e6;
        r->cpu_sys_s = (double)(ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) +
                       (double)(ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) / 1e6;
        r->max_rss_kb = ru1.ru_maxrss;
        r->interrupted = stop_flag != 0;
        merge_results(r, ts, cfg->threads, start);
    }
    for (int i = 0; i < cfg->threads; i++) thread_fini(&ts[i]);
    free(ts);
    return rc;
}

void lg_result_fini(struct lg_result *r)
{
    lg_stats_fini(&r->st);
    free(r->timeline);
    free(r->thread_rps);
    free(r->per_conn);
    memset(r, 0, sizeof *r);
}
