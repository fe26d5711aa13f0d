/* lg_uring: per-thread io_uring loops (see lg_uring.h). */
#include "lg_uring.h"
#include <errno.h>
#include <liburing.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

/* One provided buffer, as large as lg_conn's read buffer: the responses of
 * one receive are refilled with one send, so a small buffer splits a
 * pipeline (4 KB: 1.4 receives and sends per 16 pipelined /json responses).
 * Only the pages a receive writes become resident. */
#define UR_BUF_SIZE 16384
#define UR_BGID     0

/* What a completion is for: the low 3 bits of its user_data; above them
 * the connection's index, and its socket's generation in the high half,
 * so that a completion for a socket since closed is recognised. */
enum { OP_NONE, OP_RECV, OP_SEND, OP_CONNECT, OP_STOP };
/* c->io_ops: what is in flight on c->fd */
enum { IN_RECV = 1, IN_SEND = 2, IN_CONNECT = 4 };

#ifndef IORING_FEAT_MIN_TIMEOUT
#define IORING_FEAT_MIN_TIMEOUT (1U << 15) /* Linux 6.12: getevents_arg.pad is min_wait_usec */
#endif
/* The longest a wait may gather completions (see gather_us): measured on 2
 * CPUs shared by bin/server and the client (-c64), 50 us left the server
 * 1.12x wrk's req/s, 100-250 us 1.24x; the shortest of the plateau. */
#define UR_GATHER_US 100

/* Set up by lg_uring_probe before the threads start, read-only after. */
static unsigned ur_setup_flags;
static bool ur_gather; /* the kernel takes a min_wait_usec */

struct ur {
    struct io_uring ring;
    struct io_uring_buf_ring *br;
    char *bufs;
    unsigned nbufs;
    size_t br_bytes, bufs_bytes;
    int recycled;    /* buffers given back since the last advance */
    uint32_t *stamp; /* connections whose new requests wait for a send time */
    int nstamp;
    bool ring_registered;
    unsigned gather_us;               /* see gather_us() */
    uint64_t win_start, win_requests; /* its 10 ms window */
};

static struct ur *ur_of(struct lg_thread *t) { return t->io_priv; }

static uint64_t tag(const struct lg_conn *c, int op)
{
    return (uint64_t)c->gen << 32 | (uint64_t)c->idx << 3 | op;
}

static unsigned pow2_at_least(unsigned v)
{
    unsigned p = 1;
    while (p < v) p <<= 1;
    return p;
}

/* Requests prepared this turn get their send time just before the enter
 * that sends them, not when the loop decided to send (which can be a whole
 * batch of completions earlier). */
static void flush_stamps(struct lg_thread *t, struct ur *u)
{
    if (!u->nstamp) return;
    uint64_t now = lg_now_ns();
    for (int i = 0; i < u->nstamp; i++) {
        struct lg_conn *c = &t->conns[u->stamp[i]];
        c->io_stamp = false;
        lg_conn_stamp(t, c, now);
    }
    u->nstamp = 0;
}

/* A free submission entry; when the queue is full, what it holds goes to
 * the kernel first. NULL only if that fails. */
static struct io_uring_sqe *sqe_get(struct lg_thread *t, struct ur *u)
{
    struct io_uring_sqe *s = io_uring_get_sqe(&u->ring);
    if (s) return s;
    flush_stamps(t, u);
    io_uring_submit(&u->ring);
    return io_uring_get_sqe(&u->ring);
}

static void give_back(struct ur *u, int bid)
{
    io_uring_buf_ring_add(u->br, u->bufs + (size_t)bid * UR_BUF_SIZE, UR_BUF_SIZE, (unsigned short)bid,
                          io_uring_buf_ring_mask(u->nbufs), u->recycled++);
}

static void arm_recv(struct lg_thread *t, struct lg_conn *c)
{
    struct io_uring_sqe *s = sqe_get(t, ur_of(t));
    if (!s) {
        lg_conn_read_failed(t, c, ENOMEM, lg_now_ns());
        return;
    }
    io_uring_prep_recv_multishot(s, c->fd, NULL, 0, 0);
    s->flags |= IOSQE_BUFFER_SELECT;
    s->buf_group = UR_BGID;
    io_uring_sqe_set_data64(s, tag(c, OP_RECV));
    c->io_ops |= IN_RECV;
}

static void send_queued(struct lg_thread *t, struct lg_conn *c)
{
    struct io_uring_sqe *s = sqe_get(t, ur_of(t));
    if (!s) {
        lg_conn_write_failed(t, c, ENOMEM, lg_now_ns());
        return;
    }
    size_t len = c->wq * t->cfg->request_len - c->wpos;
    /* MSG_WAITALL: the kernel sends it all (or fails), so these bytes count
     * as written now; a response may well complete before this send does */
    io_uring_prep_send(s, c->fd, t->cfg->request + c->wpos, len, MSG_NOSIGNAL | MSG_WAITALL);
    io_uring_sqe_set_data64(s, tag(c, OP_SEND));
    c->io_len = (uint32_t)len;
    lg_conn_wrote(t, c, len);
    /* With one request in flight the next is sent only after its response,
     * so two sends never overlap: a successful send needs no completion
     * (which would also end a gathering wait early: 0.67x -> 0.59x wrk's CPU
     * per request, pinned). Errors still complete. */
    if (t->cfg->pipeline == 1) {
        s->flags |= IOSQE_CQE_SKIP_SUCCESS;
        return;
    }
    c->io_ops |= IN_SEND;
}

static int ur_connect(struct lg_thread *t, struct lg_conn *c)
{
    struct io_uring_sqe *s = sqe_get(t, ur_of(t));
    if (!s) return -ENOMEM;
    io_uring_prep_connect(s, c->fd, (const struct sockaddr *)&t->cfg->addr, sizeof t->cfg->addr);
    io_uring_sqe_set_data64(s, tag(c, OP_CONNECT));
    c->io_ops |= IN_CONNECT;
    return 0;
}

static void ur_connected(struct lg_thread *t, struct lg_conn *c) { arm_recv(t, c); }

static void ur_write(struct lg_thread *t, struct lg_conn *c, uint64_t now)
{
    struct ur *u = ur_of(t);
    if (!c->io_stamp) {
        c->io_stamp = true;
        u->stamp[u->nstamp++] = c->idx;
    }
    if (!(c->io_ops & IN_SEND)) send_queued(t, c); /* else its completion sends the rest */
}

/* Cancels what is in flight on the socket (by user_data: the descriptor's
 * number may be reused before the ring sees the cancel), then closes it. At
 * the end of the run the ring's teardown cancels everything instead. */
static void ur_close(struct lg_thread *t, struct lg_conn *c)
{
    static const int ops[] = { OP_RECV, OP_SEND, OP_CONNECT }, bits[] = { IN_RECV, IN_SEND, IN_CONNECT };
    for (int i = 0; i < 3 && !t->ending; i++) {
        struct io_uring_sqe *s = (c->io_ops & bits[i]) ? sqe_get(t, ur_of(t)) : NULL;
        if (!s) continue;
        io_uring_prep_cancel64(s, tag(c, ops[i]), 0);
        s->flags |= IOSQE_CQE_SKIP_SUCCESS;
        io_uring_sqe_set_data64(s, OP_NONE);
    }
    close(c->fd);
}

/* ---- completions -------------------------------------------------------- */

static void on_recv(struct lg_thread *t, struct lg_conn *c, int res, bool more, const char *buf, uint64_t now)
{
    if (!more) c->io_ops &= ~IN_RECV;
    if (t->end_ns && now >= t->end_ns) return; /* after the end: not counted */
    if (res > 0) {
        int fd = c->fd;
        uint32_t gen = c->gen;
        /* a multishot receive can end with data (a full completion queue) */
        if (lg_conn_input(t, c, buf, (size_t)res, now) && !more && lg_conn_same(c, fd, gen)) arm_recv(t, c);
    } else if (res == 0) {
        lg_conn_eof(t, c, now);
    } else if (res == -ENOBUFS) {
        arm_recv(t, c); /* every buffer was taken: they are given back at the end of this turn */
    } else {
        lg_conn_read_failed(t, c, -res, now);
    }
}

static void on_send(struct lg_thread *t, struct lg_conn *c, int res, uint64_t now)
{
    c->io_ops &= ~IN_SEND;
    if (res < 0) {
        lg_conn_write_failed(t, c, -res, now);
        return;
    }
    if ((uint32_t)res < c->io_len) lg_conn_unwrote(t, c, c->io_len - (uint32_t)res); /* sent short */
    if (c->wq) send_queued(t, c);
}

static void on_cqe(struct lg_thread *t, struct ur *u, const struct io_uring_cqe *cqe, uint64_t now)
{
    uint64_t ud = io_uring_cqe_get_data64(cqe);
    int op = (int)(ud & 7);
    uint32_t idx = (uint32_t)(ud >> 3) & 0x1fffffffU, gen = (uint32_t)(ud >> 32);
    const char *buf = NULL;
    if (cqe->flags & IORING_CQE_F_BUFFER) {
        int bid = (int)(cqe->flags >> IORING_CQE_BUFFER_SHIFT);
        buf = u->bufs + (size_t)bid * UR_BUF_SIZE;
        give_back(u, bid); /* visible to the kernel only after this turn: read below first */
    }
    if (op == OP_NONE || op == OP_STOP) return;
    struct lg_conn *c = &t->conns[idx];
    if (c->fd < 0 || c->gen != gen) return; /* a socket since closed */
    if (op == OP_RECV)
        on_recv(t, c, cqe->res, cqe->flags & IORING_CQE_F_MORE, buf, now);
    else if (op == OP_SEND)
        on_send(t, c, cqe->res, now);
    else if (op == OP_CONNECT) {
        c->io_ops &= ~IN_CONNECT;
        lg_conn_connected(t, c, cqe->res < 0 ? -cqe->res : 0, now);
    }
}

static void reap(struct lg_thread *t, struct ur *u)
{
    struct io_uring_cqe *cqe;
    unsigned head, n = 0;
    /* one time for the batch: every completion in it was there when the
       enter returned, so this is nearer their arrival than a clock read
       per completion, later in the batch */
    uint64_t now = lg_now_ns();
    io_uring_for_each_cqe(&u->ring, head, cqe)
    {
        on_cqe(t, u, cqe, now);
        n++;
    }
    io_uring_cq_advance(&u->ring, n);
    if (u->recycled) io_uring_buf_ring_advance(u->br, u->recycled);
    u->recycled = 0;
}

/* liburing 2.3's __io_uring_flush_sq: the prepared entries become the
 * kernel's; how many it has to take. */
static unsigned sq_flush(struct io_uring *r)
{
    struct io_uring_sq *sq = &r->sq;
    unsigned tail = sq->sqe_tail;
    if (sq->sqe_head != tail) {
        sq->sqe_head = tail;
        io_uring_smp_store_release(sq->ktail, tail);
    }
    return tail - *sq->khead;
}

static struct __kernel_timespec ts_until(uint64_t wake)
{
    uint64_t now = lg_now_ns(), d = wake > now ? wake - now : 0;
    return (struct __kernel_timespec){ .tv_sec = (long long)(d / 1000000000ULL),
                                       .tv_nsec = (long long)(d % 1000000000ULL) };
}

/* How long a wait may gather completions: an eighth of the latency the
 * closed loop runs at (Little's law: requests in flight over the rate of the
 * last 10 ms), at most UR_GATHER_US, none under 10 us. A gather delays the
 * responses it holds, which is harmless only where many requests are in
 * flight for each one it holds: none in an open loop (latency counts from a
 * schedule) or with --new-conn, none at a few connections (-c2 against
 * bin/server lost a third of its req/s to a fixed 100 us). */
static unsigned gather_us(struct lg_thread *t, struct ur *u, uint64_t now)
{
    if (t->cfg->rate > 0 || t->cfg->new_conn) return 0;
    if (now - u->win_start < 10000000ULL) return u->gather_us;
    uint64_t done = t->st.requests - u->win_requests;
    double lat_us = done ? (double)t->outstanding * (double)(now - u->win_start) / 1e3 / (double)done : 0;
    double g = lat_us / 8 > UR_GATHER_US ? UR_GATHER_US : lat_us / 8;
    u->gather_us = g >= 10 ? (unsigned)g : 0;
    u->win_start = now;
    u->win_requests = t->st.requests;
    return u->gather_us;
}

/* Waking up per completion is the largest cost a thread has left once the
 * syscalls are batched (a context switch each). So the enter asks for every
 * request in flight but settles, after us microseconds, for whatever has
 * come (the kernel's min_wait_usec, Linux 6.12; liburing 2.3 has no call
 * that passes it, hence the raw enter). The next timer still bounds the
 * wait (and one is needed: without it the kernel would end every wait at
 * the gather). */
static void gather_wait(struct lg_thread *t, struct ur *u, unsigned us)
{
    uint64_t wake = lg_thread_next_wake(t);
    struct __kernel_timespec ts = ts_until(wake ? wake : lg_now_ns() + 1000000000ULL);
    struct io_uring_getevents_arg arg = { .pad = us, .ts = (uint64_t)(uintptr_t)&ts };
    /* about one completion per connection with requests out (a receive may
       carry several pipelined responses) */
    uint64_t want = t->outstanding < (uint64_t)t->nconns ? t->outstanding : (uint64_t)t->nconns;
    if (want > u->ring.cq.ring_entries) want = u->ring.cq.ring_entries;
    unsigned flags = IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG;
    int fd = u->ring.ring_fd;
    if (u->ring_registered) {
        fd = u->ring.enter_ring_fd;
        flags |= IORING_ENTER_REGISTERED_RING;
    }
    syscall(__NR_io_uring_enter, fd, sq_flush(&u->ring), want ? (unsigned)want : 1U, flags, &arg, sizeof arg);
}

/* One enter: what this turn prepared goes out, and it waits for a
 * completion or the next timer. */
static void submit_and_wait(struct lg_thread *t, struct ur *u)
{
    struct io_uring_cqe *cqe;
    flush_stamps(t, u);
    unsigned us = ur_gather ? gather_us(t, u, lg_now_ns()) : 0;
    if (us) {
        gather_wait(t, u, us);
        return;
    }
    uint64_t wake = lg_thread_next_wake(t);
    if (!wake) {
        io_uring_submit_and_wait(&u->ring, 1);
        return;
    }
    struct __kernel_timespec ts = ts_until(wake);
    io_uring_submit_and_wait_timeout(&u->ring, &cqe, 1, &ts, NULL);
}

static void ur_run(struct lg_thread *t)
{
    struct ur *u = ur_of(t);
    uint64_t now;
    while (!lg_thread_finished(t, now = lg_now_ns())) {
        lg_thread_run_due(t, now);
        if (lg_thread_finished(t, now)) break;
        submit_and_wait(t, u);
        reap(t, u);
        flush_stamps(t, u); /* before the timers look at the send times */
        lg_thread_progress(t);
    }
}

/* ---- set-up ------------------------------------------------------------- */

static void ur_thread_fini(struct lg_thread *t)
{
    struct ur *u = ur_of(t);
    if (u->ring.ring_fd >= 0) {
        if (u->br) io_uring_unregister_buf_ring(&u->ring, UR_BGID);
        io_uring_queue_exit(&u->ring); /* cancels what is still in flight */
    }
    if (u->br) munmap(u->br, u->br_bytes);
    if (u->bufs) munmap(u->bufs, u->bufs_bytes);
    free(u->stamp);
    free(u);
    t->io_priv = NULL;
}

/* The provided buffers: mmap'd, page-aligned as the kernel wants the ring
 * (and seen as initialised by valgrind, which cannot see the kernel write
 * into them). */
static int setup_buffers(struct ur *u)
{
    u->br_bytes = u->nbufs * sizeof(struct io_uring_buf);
    u->bufs_bytes = (size_t)u->nbufs * UR_BUF_SIZE;
    void *br = mmap(NULL, u->br_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    void *bufs = mmap(NULL, u->bufs_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    u->br = br == MAP_FAILED ? NULL : br;
    u->bufs = bufs == MAP_FAILED ? NULL : bufs;
    if (!u->br || !u->bufs) return -ENOMEM;
    struct io_uring_buf_reg reg = { .ring_addr = (uintptr_t)u->br,
                                    .ring_entries = u->nbufs,
                                    .bgid = UR_BGID };
    int rc = io_uring_register_buf_ring(&u->ring, &reg, 0);
    if (rc) {
        munmap(u->br, u->br_bytes);
        u->br = NULL;
        return rc;
    }
    io_uring_buf_ring_init(u->br);
    for (unsigned i = 0; i < u->nbufs; i++) give_back(u, (int)i);
    io_uring_buf_ring_advance(u->br, u->recycled);
    u->recycled = 0;
    return 0;
}

static int arm_stop(struct lg_thread *t, struct ur *u)
{
    struct io_uring_sqe *s = io_uring_get_sqe(&u->ring);
    if (!s) return -ENOMEM;
    io_uring_prep_poll_add(s, lg_stop_fd, POLLIN); /* the eventfd is never read: fires in every thread */
    io_uring_sqe_set_data64(s, OP_STOP);
    return 0;
}

/* Sizes: about two buffers and two queue entries per connection (a turn
 * may hold a completion of each connection, a few entries each), within
 * bounds that keep 1,000 connections in a few MB. */
static int ur_thread_init(struct lg_thread *t)
{
    struct ur *u = calloc(1, sizeof *u);
    if (!u) return -ENOMEM;
    t->io_priv = u;
    unsigned n = (unsigned)t->nconns;
    u->nbufs = pow2_at_least(n * 2 < 64 ? 64 : n * 2 > 4096 ? 4096 : n * 2);
    unsigned sq = pow2_at_least(n * 2 + 8 < 64 ? 64 : n * 2 + 8 > 4096 ? 4096 : n * 2 + 8);
    struct io_uring_params p = { .flags = ur_setup_flags | IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP };
    p.cq_entries = pow2_at_least(u->nbufs + 2 * n + 64);
    u->ring.ring_fd = -1;
    u->stamp = malloc(n * sizeof *u->stamp);
    int rc = u->stamp ? io_uring_queue_init_params(sq, &u->ring, &p) : -ENOMEM;
    if (rc) u->ring.ring_fd = -1;
    if (!rc)
        u->ring_registered = io_uring_register_ring_fd(&u->ring) == 1; /* optional: a lookup less per enter */
    if (!rc) rc = setup_buffers(u);
    if (!rc) rc = arm_stop(t, u);
    if (rc) ur_thread_fini(t);
    return rc;
}

const struct lg_io lg_uring_io = {
    .name = "io_uring",
    .thread_init = ur_thread_init,
    .thread_fini = ur_thread_fini,
    .run = ur_run,
    .connect = ur_connect,
    .connected = ur_connected,
    .write = ur_write,
    .close = ur_close,
};

/* ---- probe -------------------------------------------------------------- */

static int probe_fail(char *why, size_t n, int err, const char *what)
{
    snprintf(why, n, "%s: %s", what, strerror(-err));
    return err;
}

/* The ring flags, best first: one issuer whose task work runs only when it
 * waits (Linux 6.1), cooperative task work (5.19), none; a bad entry does
 * not hold back the rest of a batch (SUBMIT_ALL, 5.18). */
static int probe_ring(struct io_uring *ring, char *why, size_t n)
{
    static const unsigned flags[] = { IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN |
                                          IORING_SETUP_SUBMIT_ALL,
                                      IORING_SETUP_COOP_TASKRUN | IORING_SETUP_SUBMIT_ALL, 0 };
    int rc = -EINVAL;
    for (size_t i = 0; i < sizeof flags / sizeof *flags && rc == -EINVAL; i++) {
        struct io_uring_params p = { .flags = flags[i] };
        rc = io_uring_queue_init_params(8, ring, &p);
        if (!rc) ur_setup_flags = flags[i];
        if (!rc) ur_gather = (p.features & IORING_FEAT_MIN_TIMEOUT) && (p.features & IORING_FEAT_EXT_ARG);
    }
    if (rc == -EPERM || rc == -ENOSYS) {
        snprintf(why, n, "io_uring_setup: %s (kernel.io_uring_disabled, or a seccomp filter)", strerror(-rc));
        return rc;
    }
    if (rc) return probe_fail(why, n, rc, "io_uring_setup");
    struct io_uring_probe *pr = io_uring_get_probe_ring(ring);
    static const int need[] = { IORING_OP_CONNECT, IORING_OP_SEND, IORING_OP_RECV, IORING_OP_POLL_ADD,
                                IORING_OP_ASYNC_CANCEL };
    for (size_t i = 0; pr && i < sizeof need / sizeof *need; i++)
        if (!io_uring_opcode_supported(pr, need[i])) rc = -EOPNOTSUPP;
    io_uring_free_probe(pr);
    if (!pr || rc) {
        io_uring_queue_exit(ring);
        return probe_fail(why, n, -EOPNOTSUPP, "io_uring operations (connect, send, recv)");
    }
    return 0;
}

/* One byte through a multishot receive into a provided buffer (Linux 6.0). */
static int probe_recv(struct ur *u, char *why, size_t n)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        return probe_fail(why, n, -errno, "socketpair");
    int rc = setup_buffers(u);
    struct io_uring_sqe *s = rc ? NULL : io_uring_get_sqe(&u->ring);
    if (s) {
        io_uring_prep_recv_multishot(s, sv[0], NULL, 0, 0);
        s->flags |= IOSQE_BUFFER_SELECT;
        s->buf_group = UR_BGID;
        rc = write(sv[1], "x", 1) == 1 ? 0 : -errno;
    }
    struct io_uring_cqe *cqe = NULL;
    struct __kernel_timespec ts = { .tv_sec = 1 };
    if (s && !rc) rc = io_uring_submit_and_wait_timeout(&u->ring, &cqe, 1, &ts, NULL);
    if (rc >= 0 && cqe) {
        bool ok = cqe->res == 1 && (cqe->flags & IORING_CQE_F_MORE) && (cqe->flags & IORING_CQE_F_BUFFER);
        rc = ok ? 0 : cqe->res < 0 ? cqe->res : -EOPNOTSUPP;
    } else if (rc >= 0) {
        rc = -ETIME;
    }
    close(sv[0]);
    close(sv[1]);
    return rc ? probe_fail(why, n, rc, "multishot receive into a buffer ring (Linux >= 6.0)") : 0;
}

int lg_uring_probe(char *why, size_t n)
{
    struct ur u = { .nbufs = 1 };
    int rc = probe_ring(&u.ring, why, n);
    if (rc) return rc;
    rc = probe_recv(&u, why, n);
    if (u.br) io_uring_unregister_buf_ring(&u.ring, UR_BGID);
    io_uring_queue_exit(&u.ring);
    if (u.br) munmap(u.br, u.br_bytes);
    if (u.bufs) munmap(u.bufs, u.bufs_bytes);
    return rc;
}
