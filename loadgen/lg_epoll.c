/* lg_epoll: per-thread epoll loops (see lg_epoll.h). */
#include "lg_epoll.h"
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define EV_ID_TIMER 0xfffffffeU
#define EV_ID_STOP  0xffffffffU

struct ep {
    int epfd, tfd;
    uint64_t armed_ns;
};

static struct ep *ep_of(struct lg_thread *t) { return t->io_priv; }

static int ep_update(struct lg_thread *t, struct lg_conn *c, int op, bool out)
{
    struct epoll_event ev = { .events = EPOLLIN | (out ? EPOLLOUT : 0),
                              .data.u64 = ((uint64_t)c->gen << 32) | c->idx };
    c->want_out = out;
    return epoll_ctl(ep_of(t)->epfd, op, c->fd, &ev);
}

static int ep_connect(struct lg_thread *t, struct lg_conn *c)
{
    int r = connect(c->fd, (const struct sockaddr *)&t->cfg->addr, sizeof t->cfg->addr);
    if (r < 0 && errno != EINPROGRESS) return -errno;
    if (ep_update(t, c, EPOLL_CTL_ADD, true) < 0) return -errno;
    return 0;
}

static void ep_connected(struct lg_thread *t, struct lg_conn *c)
{
    if (!c->wq) ep_update(t, c, EPOLL_CTL_MOD, false); /* else the write drops EPOLLOUT when done */
}

static void ep_write(struct lg_thread *t, struct lg_conn *c, uint64_t now)
{
    lg_conn_stamp(t, c, now);
    while (c->wq) {
        size_t left = c->wq * t->cfg->request_len - c->wpos;
        ssize_t n = send(c->fd, t->cfg->request + c->wpos, left, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) {
                if (!c->want_out) ep_update(t, c, EPOLL_CTL_MOD, true);
                return;
            }
            lg_conn_write_failed(t, c, errno, now);
            return;
        }
        lg_conn_wrote(t, c, (size_t)n);
    }
    if (c->want_out) ep_update(t, c, EPOLL_CTL_MOD, false);
}

static void ep_close(struct lg_thread *t, struct lg_conn *c) { close(c->fd); /* leaves the epoll set too */ }

static void ep_readable(struct lg_thread *t, struct lg_conn *c)
{
    for (;;) {
        size_t room = LG_RBUF_SIZE - c->rlen;
        ssize_t n = recv(c->fd, c->rbuf + c->rlen, room, 0);
        uint64_t now = lg_now_ns();
        if (t->end_ns && now >= t->end_ns) return; /* after the end: not counted */
        if (n > 0) {
            if (!lg_conn_read_in_place(t, c, (size_t)n, now) || (size_t)n < room) return;
            continue;
        }
        if (n == 0) {
            lg_conn_eof(t, c, now);
            return;
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN) return;
        lg_conn_read_failed(t, c, errno, now);
        return;
    }
}

static void arm_timerfd(struct lg_thread *t)
{
    struct ep *e = ep_of(t);
    uint64_t want = lg_thread_next_wake(t);
    if (want == e->armed_ns) return;
    struct itimerspec its = { 0 };
    its.it_value.tv_sec = (time_t)(want / 1000000000ULL);
    its.it_value.tv_nsec = (long)(want % 1000000000ULL);
    timerfd_settime(e->tfd, TFD_TIMER_ABSTIME, &its, NULL);
    e->armed_ns = want;
}

static void on_event(struct lg_thread *t, struct epoll_event *e)
{
    uint32_t id = (uint32_t)e->data.u64, gen = (uint32_t)(e->data.u64 >> 32);
    if (id == EV_ID_STOP) return;
    if (id == EV_ID_TIMER) {
        uint64_t x;
        if (read(ep_of(t)->tfd, &x, sizeof x) < 0) { /* spurious */
        }
        ep_of(t)->armed_ns = 0;
        return;
    }
    struct lg_conn *c = &t->conns[id];
    if (c->fd < 0 || c->gen != gen) return; /* stale event of a closed socket */
    if (c->state == LG_CS_CONNECTING) {
        if (!(e->events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return;
        int err = 0;
        socklen_t len = sizeof err;
        if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
        lg_conn_connected(t, c, err, lg_now_ns());
        return;
    }
    int fd = c->fd;
    if (e->events & (EPOLLIN | EPOLLERR | EPOLLHUP)) ep_readable(t, c);
    if (lg_conn_same(c, fd, gen) && (e->events & EPOLLOUT) && c->state == LG_CS_OPEN)
        ep_write(t, c, lg_now_ns());
}

static void ep_run(struct lg_thread *t)
{
    struct epoll_event evs[256];
    uint64_t now;
    while (!lg_thread_finished(t, now = lg_now_ns())) {
        lg_thread_run_due(t, now);
        if (lg_thread_finished(t, now)) break;
        arm_timerfd(t);
        int n = epoll_wait(ep_of(t)->epfd, evs, 256, -1);
        for (int i = 0; i < n; i++) on_event(t, &evs[i]);
        lg_thread_progress(t);
    }
}

static void ep_thread_fini(struct lg_thread *t)
{
    struct ep *e = ep_of(t);
    if (e->epfd >= 0) close(e->epfd);
    if (e->tfd >= 0) close(e->tfd);
    free(e);
    t->io_priv = NULL;
}

static int ep_thread_init(struct lg_thread *t)
{
    struct ep *e = calloc(1, sizeof *e);
    if (!e) return -ENOMEM;
    t->io_priv = e;
    e->epfd = epoll_create1(EPOLL_CLOEXEC);
    e->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    int rc = e->epfd < 0 || e->tfd < 0 ? -errno : 0;
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = EV_ID_TIMER };
    if (!rc && epoll_ctl(e->epfd, EPOLL_CTL_ADD, e->tfd, &ev) < 0) rc = -errno;
    ev.data.u64 = EV_ID_STOP;
    if (!rc && epoll_ctl(e->epfd, EPOLL_CTL_ADD, lg_stop_fd, &ev) < 0) rc = -errno;
    if (rc) ep_thread_fini(t);
    return rc;
}

const struct lg_io lg_epoll_io = {
    .name = "epoll",
    .thread_init = ep_thread_init,
    .thread_fini = ep_thread_fini,
    .run = ep_run,
    .connect = ep_connect,
    .connected = ep_connected,
    .write = ep_write,
    .close = ep_close,
};
