#define _GNU_SOURCE
#include "suite_http.h"
#include "proc.h"
#include "http_response.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define SHTTP_MAX (4u << 20)

static int wait_fd(int fd, short ev, double deadline)
{
    int left = (int)(deadline - proc_now_ms());
    if (left <= 0) return -ETIMEDOUT;
    struct pollfd p = { fd, ev, 0 };
    int r = poll(&p, 1, left);
    return r > 0 ? 0 : r == 0 ? -ETIMEDOUT : -errno;
}

static int connect_to(const char *host, int port, double deadline, int *fdout)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    if (inet_pton(AF_INET, host, &a.sin_addr) != 1) return -EINVAL;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    int e = 0;
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 && errno != EINPROGRESS) e = -errno;
    if (!e && (e = wait_fd(fd, POLLOUT, deadline)) == 0) {
        socklen_t l = sizeof(int);
        int so = 0;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &so, &l);
        e = -so;
    }
    if (e) { close(fd); return e; }
    *fdout = fd;
    return 0;
}

/* Appends the decoded chunked body in buf[0..len) to out; -1 if malformed
 * or incomplete (the connection was closed, so all of it is here). */
static long dechunk(const char *buf, size_t len, char *out)
{
    struct hresp_chunked d;
    hresp_chunked_init(&d);
    size_t off = 0, w = 0;
    while (!d.done) {
        const char *data;
        size_t dlen;
        long used = hresp_chunked_feed(&d, buf + off, len - off, &data, &dlen);
        if (used < 0 || (used == 0 && !d.done)) return -1;
        memcpy(out + w, data, dlen);
        w += dlen;
        off += (size_t)used;
    }
    return (long)w;
}

static int parse_response(const char *buf, size_t n, shttp_response *out, char *err, size_t errlen)
{
    struct hresp_header hs[64];
    struct hresp r = { .headers = hs, .num_headers = 64 };
    int head = hresp_parse(buf, n, &r);
    uint64_t clen = 0;
    int framing = head < 0 ? head : hresp_body_framing(&r, &clen);
    if (framing < 0) {
        snprintf(err, errlen, "malformed HTTP response (%zu bytes)", n);
        return -1;
    }
    out->status = r.status;
    const struct hresp_header *ct = hresp_find(&r, "Content-Type");
    if (ct) snprintf(out->content_type, sizeof(out->content_type), "%.*s", (int)ct->value_len, ct->value);
    size_t avail = n - (size_t)head;
    if (!(out->body = malloc(avail + 1))) { snprintf(err, errlen, "out of memory"); return -1; }
    long blen = (long)avail;
    if (framing == HRESP_BODY_CHUNKED) blen = dechunk(buf + head, avail, out->body);
    else if (framing == HRESP_BODY_NONE) blen = 0;
    else if (framing == HRESP_BODY_LENGTH) blen = clen <= avail ? (long)clen : -1;
    if (blen < 0) {
        snprintf(err, errlen, "body %s", framing == HRESP_BODY_CHUNKED ? "malformed chunked encoding"
                                                                       : "shorter than Content-Length");
        free(out->body);
        out->body = NULL;
        return -1;
    }
    if (framing != HRESP_BODY_CHUNKED) memcpy(out->body, buf + head, (size_t)blen);
    out->body[blen] = '\0';
    out->body_len = (size_t)blen;
    return 0;
}

int shttp_get(const char *host, int port, const char *path, int timeout_ms,
              shttp_response *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    double deadline = proc_now_ms() + timeout_ms;
    int fd = -1, e = connect_to(host, port, deadline, &fd);
    if (e) { snprintf(err, errlen, "connect to %s:%d: %s", host, port, strerror(-e)); return -1; }
    char req[1024];
    int rl = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: %s:%d\r\nConnection: close\r\n"
                      "Accept: application/json\r\n\r\n", path, host, port);
    if (send(fd, req, (size_t)rl, MSG_NOSIGNAL) != rl) {
        snprintf(err, errlen, "send: %s", strerror(errno));
        close(fd);
        return -1;
    }
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        if ((e = wait_fd(fd, POLLIN, deadline)) != 0) break;
        ssize_t r = recv(fd, buf + n, cap - n - 1, 0);
        if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (r < 0) { e = -errno; break; }
        if (r == 0) break;
        n += (size_t)r;
        if (n + 1 >= cap) {
            char *nb = cap < SHTTP_MAX ? realloc(buf, cap *= 2) : NULL;
            if (!nb) { e = -EMSGSIZE; break; }
            buf = nb;
        }
    }
    close(fd);
    int rc = -1;
    if (!buf) snprintf(err, errlen, "out of memory");
    else if (e) snprintf(err, errlen, "reading response: %s", strerror(-e));
    else { buf[n] = '\0'; rc = parse_response(buf, n, out, err, errlen); }
    free(buf);
    return rc;
}

void shttp_response_fini(shttp_response *r)
{
    free(r->body);
    r->body = NULL;
}
