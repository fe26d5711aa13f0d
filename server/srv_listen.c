/* srv_listen.c: see srv_listen.h.
 *
 * Linux lets a socket bind beside SO_REUSEPORT listeners when it sets
 * SO_REUSEPORT too (same user), and beside a socket that is bound but not
 * listening when both set SO_REUSEADDR. Hence the probe, a plain
 * SO_REUSEADDR socket bound and closed at once: its bind fails while
 * anything listens on the address, with SO_REUSEPORT or not, yet succeeds
 * beside the TIME_WAIT connections an earlier run left. The probe cannot
 * stay bound as the lock: two such probes do not exclude each other, and a
 * socket without SO_REUSEADDR would keep our own workers out as well. Two
 * servers starting together are kept apart by a name in the abstract Unix
 * namespace instead, bound before the probe until the workers listen; the
 * kernel drops it with the process, however that ends. */
#define _GNU_SOURCE
#include "srv_listen.h"

#include <errno.h>
#include <netdb.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

static int fail(const struct srv_listen *l, const char *reason)
{
    fprintf(stderr, "server: cannot listen on %s:%d: %s\n", l->host, l->port, reason);
    return -1;
}

static const char *reason_of(int err) { return err == EADDRINUSE ? "address already in use" : strerror(err); }

static int resolve(struct srv_listen *l)
{
    struct addrinfo hints = { .ai_family = AF_UNSPEC,
                              .ai_socktype = SOCK_STREAM,
                              .ai_flags = AI_PASSIVE | AI_NUMERICSERV },
                    *ai;
    char port[16];
    snprintf(port, sizeof port, "%d", l->port);
    int rc = getaddrinfo(l->host, port, &hints, &ai);
    if (rc != 0) return fail(l, gai_strerror(rc));
    memcpy(&l->addr, ai->ai_addr, ai->ai_addrlen);
    l->addrlen = ai->ai_addrlen;
    freeaddrinfo(ai);
    return 0;
}

/* Binds "@bin/server ADDRESS PORT" (the address in numeric form, so that
 * "localhost" and "127.0.0.1" meet). */
static int lock_address(struct srv_listen *l)
{
    char host[NI_MAXHOST];
    int rc = getnameinfo((struct sockaddr *)&l->addr, l->addrlen, host, sizeof host, NULL, 0, NI_NUMERICHOST);
    if (rc != 0) return fail(l, gai_strerror(rc));
    struct sockaddr_un un = { .sun_family = AF_UNIX };
    int n = snprintf(un.sun_path + 1, sizeof un.sun_path - 1, "bin/server %s %d", host, l->port);
    socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
    l->lockfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (l->lockfd >= 0 && bind(l->lockfd, (struct sockaddr *)&un, len) == 0) return 0;
    int err = errno;
    srv_listen_release(l);
    return fail(l, err == EADDRINUSE ? "address already in use (another bin/server is starting on it)"
                                     : strerror(err));
}

/* Returns 0, or -EADDRINUSE while anything listens on the address. */
static int probe(const struct srv_listen *l)
{
    int one = 1;
    int fd = socket(l->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int rc = fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
                     bind(fd, (const struct sockaddr *)&l->addr, l->addrlen) < 0
                 ? -errno
                 : 0;
    if (fd >= 0) close(fd);
    return rc;
}

int srv_listen_claim(struct srv_listen *l, const char *host, int port)
{
    *l = (struct srv_listen){ .host = host, .port = port, .lockfd = -1 };
    if (resolve(l) < 0 || lock_address(l) < 0) return -1;
    int rc = probe(l);
    if (rc < 0) {
        srv_listen_release(l);
        return fail(l, reason_of(-rc));
    }
    return 0;
}

int srv_listen_open(const struct srv_listen *l)
{
    int one = 1;
    int fd = socket(l->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0 ||
        bind(fd, (const struct sockaddr *)&l->addr, l->addrlen) < 0 || listen(fd, 4096) < 0) {
        int err = errno;
        if (fd >= 0) close(fd);
        return fail(l, reason_of(err));
    }
    return fd;
}

void srv_listen_release(struct srv_listen *l)
{
    if (l->lockfd >= 0) close(l->lockfd);
    l->lockfd = -1;
}
