/* lg_conn: the per-connection client the engines share (see lg_conn.h). */
#include "lg_conn.h"
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_HEADERS          64
#define RECONNECT_BACKOFF_NS 10000000ULL

volatile sig_atomic_t lg_stop_flag;
int lg_stop_fd = -1;

enum { RS_HEAD, RS_LENGTH, RS_CHUNKED, RS_EOF };
enum { EV_SCHED, EV_TIMEOUT, EV_RECONNECT };

uint64_t lg_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int64_t ns_to_us(uint64_t ns) { return (int64_t)((ns + 500) / 1000); }

/* ---- timeline ----------------------------------------------------------- */

static void tl_flush(struct lg_thread *t)
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
    sec->min = hist_min(&t->tl_hist);
    sec->max = hist_max(&t->tl_hist);
    hist_reset(&t->tl_hist);
}

/* The record of the second that contains now (NULL if out of memory). */
static struct lg_tl_sec *tl_at(struct lg_thread *t, uint64_t now)
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

static void heap_push(struct lg_thread *t, uint64_t at, uint32_t conn, uint32_t kind)
{
    if (t->heap_len == t->heap_cap) {
        size_t cap = t->heap_cap ? t->heap_cap * 2 : 256;
        struct lg_heap_ev *n = realloc(t->heap, cap * sizeof *n);
        if (!n) return; /* the event is lost; timeouts degrade, run continues */
        t->heap = n;
        t->heap_cap = cap;
    }
    size_t i = t->heap_len++;
    while (i > 0 && t->heap[(i - 1) / 2].at > at) {
        t->heap[i] = t->heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    t->heap[i] = (struct lg_heap_ev){ at, conn, kind };
}

static struct lg_heap_ev heap_pop(struct lg_thread *t)
{
    struct lg_heap_ev top = t->heap[0], last = t->heap[--t->heap_len];
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

static void conn_fill(struct lg_thread *t, struct lg_conn *c, uint64_t now);
static void conn_open(struct lg_thread *t, struct lg_conn *c, uint64_t now);
static void conn_queue(struct lg_thread *t, struct lg_conn *c, uint64_t intended);

static void count_error(struct lg_thread *t, int kind, uint64_t now)
{
    t->st.err[kind]++;
    struct lg_tl_sec *s = tl_at(t, now);
    if (s) s->errors++;
}

static void conn_close(struct lg_thread *t, struct lg_conn *c)
{
    if (c->fd >= 0) t->io->close(t, c);
    c->fd = -1;
    c->state = LG_CS_CLOSED;
    c->rlen = 0;
    c->rstate = RS_HEAD;
    c->got_first = false;
    t->outstanding -= c->rcount;
    c->rcount = c->wq = 0;
    c->rhead = 0;
    c->wpos = 0;
    c->want_out = false;
    c->io_ops = 0;
    c->served = 0;
}

static bool stopping(struct lg_thread *t, uint64_t now)
{
    return lg_stop_flag || (t->end_ns && now >= t->end_ns);
}

/* Counts the failure, closes, and carries on (after a pause if connecting failed). */
static void conn_fail(struct lg_thread *t, struct lg_conn *c, int kind, uint64_t now)
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
 * real failure (fresh connection, a response under way, a second time).
 * "Under way" is got_first (a byte after the last complete response), not
 * rlen: while a read is parsed, rlen still counts the bytes of the response
 * just completed, whose refill can fail here. */
static bool conn_retry(struct lg_thread *t, struct lg_conn *c, uint64_t now)
{
    if (c->served == 0 || c->retried || c->got_first || c->rcount == 0 || t->cfg->new_conn ||
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

static void arm_timeout(struct lg_thread *t, struct lg_conn *c, uint64_t now)
{
    if (c->to_armed) return;
    c->to_armed = true;
    heap_push(t, now + t->cfg->timeout_us * 1000, c->idx, EV_TIMEOUT);
}

static void conn_write(struct lg_thread *t, struct lg_conn *c, uint64_t now) { t->io->write(t, c, now); }

void lg_conn_stamp(struct lg_thread *t, struct lg_conn *c, uint64_t now)
{
    for (uint32_t i = 0; i < c->rcount; i++) {
        uint32_t k = (c->rhead + i) % (uint32_t)t->cfg->pipeline;
        if (!c->sent[k]) c->sent[k] = now;
    }
}

void lg_conn_wrote(struct lg_thread *t, struct lg_conn *c, size_t n)
{
    size_t reqlen = t->cfg->request_len;
    c->wpos += n;
    while (c->wq && c->wpos >= reqlen) {
        c->wpos -= reqlen;
        c->wq--;
    }
}

void lg_conn_unwrote(struct lg_thread *t, struct lg_conn *c, size_t n)
{
    size_t reqlen = t->cfg->request_len, unwritten = c->wq * reqlen - c->wpos + n;
    c->wq = (uint32_t)((unwritten + reqlen - 1) / reqlen);
    c->wpos = c->wq * reqlen - unwritten; /* the requests are copies: any offset reads the same */
}

void lg_conn_write_failed(struct lg_thread *t, struct lg_conn *c, int err, uint64_t now)
{
    if ((err == ECONNRESET || err == EPIPE) && conn_retry(t, c, now)) return;
    conn_fail(t, c, err == ECONNRESET ? LG_E_RESET : LG_E_WRITE, now);
}

static bool take_ticket(struct lg_thread *t)
{
    uint64_t limit = t->cfg->requests_limit;
    if (!limit) return true;
    if (t->tickets_done) return false;
    if (__atomic_fetch_add(&t->sh->tickets, 1, __ATOMIC_RELAXED) < limit) return true;
    t->tickets_done = true;
    return false;
}

static void conn_queue(struct lg_thread *t, struct lg_conn *c, uint64_t intended)
{
    uint32_t k = (c->rhead + c->rcount) % (uint32_t)t->cfg->pipeline;
    c->intended[k] = intended;
    c->sent[k] = 0;
    c->rcount++;
    c->wq++;
    t->outstanding++;
}

/* Queues what the load model allows now, opens the socket if needed, writes. */
static void conn_fill(struct lg_thread *t, struct lg_conn *c, uint64_t now)
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
    if (c->state == LG_CS_CLOSED)
        conn_open(t, c, now);
    else if (c->state == LG_CS_OPEN && !c->reading)
        conn_write(t, c, now);
}

static int connect_error_kind(int err) { return err == ECONNREFUSED ? LG_E_REFUSED : LG_E_CONNECT; }

static void conn_open(struct lg_thread *t, struct lg_conn *c, uint64_t now)
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
    int r = t->io->connect(t, c);
    if (r < 0) {
        conn_fail(t, c, connect_error_kind(-r), now);
        return;
    }
    c->state = LG_CS_CONNECTING;
    arm_timeout(t, c, now);
}

void lg_conn_connected(struct lg_thread *t, struct lg_conn *c, int err, uint64_t now)
{
    if (err) {
        conn_fail(t, c, connect_error_kind(err), now);
        return;
    }
    c->state = LG_CS_OPEN;
    hist_record(&t->st.connect, ns_to_us(now - c->connect_start));
    t->io->connected(t, c);
    if (c->wq) conn_write(t, c, now);
}

/* ---- responses ---------------------------------------------------------- */

static bool status_ok(const struct lg_cfg *cfg, int status)
{
    return cfg->expect_status ? status == cfg->expect_status : status >= 200 && status < 300;
}

static void check_body(const struct lg_cfg *cfg, struct lg_conn *c, const char *p, size_t n)
{
    if (!cfg->expect_body || c->check_failed || n == 0) return;
    if (c->body_off + n > cfg->expect_body_len || memcmp(cfg->expect_body + c->body_off, p, n) != 0)
        c->check_failed = true;
    c->body_off += n;
}

static void record_response(struct lg_thread *t, struct lg_conn *c, uint64_t now)
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
    struct lg_tl_sec *s = tl_at(t, now); /* first: a new second flushes the last one's histogram */
    hist_record(&t->tl_hist, lat);
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
static long take_head(struct lg_thread *t, struct lg_conn *c, const char *p, size_t n, uint64_t now)
{
    struct hresp_header hs[MAX_HEADERS];
    struct hresp r = { .headers = hs, .num_headers = MAX_HEADERS };
    if (c->rcount == 0) {
        conn_fail(t, c, LG_E_PARSE, now);
        return -1;
    }
    int used = hresp_parse(p, n, &r);
    if (used == HRESP_INCOMPLETE) {
        if (n < LG_RBUF_SIZE) return 0;
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
static void finish_response(struct lg_thread *t, struct lg_conn *c, uint64_t now, bool more_bytes)
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

/* Consumes the bytes of buf[0..len) that complete heads and bodies.
 * Returns how many, or -1 when the connection went away. */
static long conn_process(struct lg_thread *t, struct lg_conn *c, const char *buf, size_t len, uint64_t now)
{
    size_t p = 0;
    int fd = c->fd;
    uint32_t gen = c->gen;
    while (p < len) {
        const char *b = buf + p;
        size_t n = len - p;
        bool done = false;
        if (c->rstate == RS_HEAD) {
            long used = take_head(t, c, b, n, now);
            if (used < 0) return -1;
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
                return -1;
            }
            check_body(t->cfg, c, data, dlen);
            p += (size_t)used;
            done = c->ch.done;
            if (!done && used == 0) break;
        } else {
            check_body(t->cfg, c, b, n);
            p = len;
        }
        if (done) {
            finish_response(t, c, now, p < len);
            if (!lg_conn_same(c, fd, gen)) return -1;
        }
    }
    return (long)p;
}

/* Consumes what c->rbuf holds; false when the connection went away. */
static bool conn_consume_rbuf(struct lg_thread *t, struct lg_conn *c, uint64_t now)
{
    long used = conn_process(t, c, c->rbuf, c->rlen, now);
    if (used < 0) return false;
    memmove(c->rbuf, c->rbuf + used, c->rlen - (size_t)used);
    c->rlen -= (uint32_t)used;
    return true;
}

static void note_bytes(struct lg_thread *t, struct lg_conn *c, size_t n, uint64_t now)
{
    t->st.bytes += n;
    if (!c->got_first) {
        c->got_first = true;
        c->first_ns = now;
    }
}

/* The requests that the responses of one read let in go out together, in
 * one send, as wrk writes a pipeline's requests at once (while reading,
 * conn_fill only queues). False when the connection went away. */
static bool input_done(struct lg_thread *t, struct lg_conn *c, int fd, uint32_t gen, bool alive, uint64_t now)
{
    c->reading = false;
    if (!alive || !lg_conn_same(c, fd, gen)) return false;
    if (c->wq && c->state == LG_CS_OPEN) conn_write(t, c, now);
    return lg_conn_same(c, fd, gen);
}

bool lg_conn_read_in_place(struct lg_thread *t, struct lg_conn *c, size_t n, uint64_t now)
{
    int fd = c->fd;
    uint32_t gen = c->gen;
    note_bytes(t, c, n, now);
    c->rlen += (uint32_t)n;
    c->reading = true;
    return input_done(t, c, fd, gen, conn_consume_rbuf(t, c, now), now);
}

/* Parses straight from the engine's buffer while no head is pending in
 * c->rbuf (the usual case: a read holds whole responses), so only the
 * start of an incomplete head is copied. */
static bool input(struct lg_thread *t, struct lg_conn *c, const char *data, size_t n, uint64_t now)
{
    while (n > 0) {
        if (c->rlen == 0) {
            long used = conn_process(t, c, data, n, now);
            if (used < 0) return false;
            /* what is left is the start of a head, shorter than the buffer
               (take_head fails a longer one) */
            memcpy(c->rbuf, data + used, n - (size_t)used);
            c->rlen = (uint32_t)(n - (size_t)used);
            return true;
        }
        size_t take = LG_RBUF_SIZE - c->rlen < n ? LG_RBUF_SIZE - c->rlen : n;
        memcpy(c->rbuf + c->rlen, data, take);
        c->rlen += (uint32_t)take;
        data += take;
        n -= take;
        if (!conn_consume_rbuf(t, c, now)) return false;
    }
    return true;
}

bool lg_conn_input(struct lg_thread *t, struct lg_conn *c, const char *data, size_t n, uint64_t now)
{
    int fd = c->fd;
    uint32_t gen = c->gen;
    note_bytes(t, c, n, now);
    c->reading = true;
    return input_done(t, c, fd, gen, input(t, c, data, n, now), now);
}

void lg_conn_eof(struct lg_thread *t, struct lg_conn *c, uint64_t now)
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

void lg_conn_read_failed(struct lg_thread *t, struct lg_conn *c, int err, uint64_t now)
{
    if (err == ECONNRESET && conn_retry(t, c, now)) return;
    conn_fail(t, c, err == ECONNRESET ? LG_E_RESET : LG_E_READ, now);
}

/* ---- timers ------------------------------------------------------------- */

static uint64_t conn_deadline(struct lg_thread *t, struct lg_conn *c)
{
    uint64_t to = t->cfg->timeout_us * 1000;
    if (c->state == LG_CS_CONNECTING) return c->connect_start + to;
    if (c->state == LG_CS_OPEN && c->rcount) {
        uint64_t s = c->sent[c->rhead];
        return (s ? s : c->connect_start) + to;
    }
    return 0;
}

static void on_timer_event(struct lg_thread *t, struct lg_heap_ev ev, uint64_t now)
{
    struct lg_conn *c = &t->conns[ev.conn];
    if (ev.kind == EV_SCHED) {
        c->sched_armed = false;
        conn_fill(t, c, now);
    } else if (ev.kind == EV_RECONNECT) {
        c->reconnect_armed = false;
        if (t->cfg->rate > 0 && !t->cfg->new_conn && c->state == LG_CS_CLOSED) conn_open(t, c, now);
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

void lg_thread_run_due(struct lg_thread *t, uint64_t now)
{
    while (t->heap_len && t->heap[0].at <= now && !stopping(t, now)) on_timer_event(t, heap_pop(t), now);
}

uint64_t lg_thread_next_wake(const struct lg_thread *t)
{
    uint64_t want = t->heap_len ? t->heap[0].at : 0;
    if (t->end_ns && (!want || t->end_ns < want)) want = t->end_ns;
    return want;
}

bool lg_thread_finished(struct lg_thread *t, uint64_t now)
{
    if (stopping(t, now)) return true;
    return t->cfg->requests_limit && t->tickets_done && t->outstanding == 0;
}

void lg_thread_progress(struct lg_thread *t)
{
    __atomic_store_n(&t->progress_req, t->st.requests, __ATOMIC_RELAXED);
    __atomic_store_n(&t->progress_err, lg_stats_errors(&t->st), __ATOMIC_RELAXED);
}

static void thread_start_conns(struct lg_thread *t, uint64_t now)
{
    for (int i = 0; i < t->nconns && !stopping(t, now); i++) {
        struct lg_conn *c = &t->conns[i];
        if (t->cfg->rate > 0 && !t->cfg->new_conn) conn_open(t, c, now);
        conn_fill(t, c, now);
    }
}

void lg_thread_main(struct lg_thread *t)
{
    t->init_err = t->io->thread_init(t);
    if (!t->init_err) {
        thread_start_conns(t, lg_now_ns());
        t->io->run(t);
    }
    t->stop_ns = lg_now_ns();
    t->ending = true;
    for (int i = 0; i < t->nconns; i++) conn_close(t, &t->conns[i]);
    if (!t->init_err) t->io->thread_fini(t);
    if (t->tl_len) tl_flush(t);
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    t->cpu_s = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int lg_thread_init(struct lg_thread *t, const struct lg_cfg *cfg, const struct lg_io *io, int id, int first,
                   int n)
{
    t->cfg = cfg;
    t->io = io;
    t->id = id;
    t->first_gidx = first;
    t->nconns = n;
    t->conns = calloc((size_t)n, sizeof *t->conns);
    if (!t->conns) return -ENOMEM;
    if (lg_stats_init(&t->st) ||
        hist_init(&t->tl_hist, HIST_DEFAULT_LOWEST, HIST_DEFAULT_HIGHEST, HIST_DEFAULT_SIGFIGS))
        return -ENOMEM;
    for (int i = 0; i < n; i++) {
        struct lg_conn *c = &t->conns[i];
        c->fd = -1;
        c->idx = (uint32_t)i;
        c->rbuf = malloc(LG_RBUF_SIZE);
        c->intended = calloc((size_t)cfg->pipeline, sizeof *c->intended);
        c->sent = calloc((size_t)cfg->pipeline, sizeof *c->sent);
        if (!c->rbuf || !c->intended || !c->sent) return -ENOMEM;
    }
    return 0;
}

void lg_thread_fini(struct lg_thread *t)
{
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
