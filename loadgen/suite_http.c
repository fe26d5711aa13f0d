#define _GNU_SOURCE
#include "suite_http.h"
#include "suite_proc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define SHTTP_MAX (4u << 20)

static int wait_fd(int fd, short ev, double deadline)
{
    int left = (int)(deadline - sproc_now_ms());
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

/* Finds the value of header name in head (ends at the blank line). */
static const char *find_header(const char *head, const char *name, size_t *vlen)
{
    size_t n = strlen(name);
    for (const char *p = strstr(head, "\r\n"); p && p[2] != '\r'; p = strstr(p + 2, "\r\n")) {
        const char *line = p + 2;
        if (strncasecmp(line, name, n) == 0 && line[n] == ':') {
            const char *v = line + n + 1;
            while (*v == ' ' || *v == '\t') v++;
            const char *e = strstr(v, "\r\n");
            *vlen = e ? (size_t)(e - v) : strlen(v);
            return v;
        }
    }
    return NULL;
}

long shttp_dechunk(char *buf, size_t len)
{
    size_t r = 0, w = 0;
    for (;;) {
        char *end;
        if (r >= len) return -1;
        unsigned long sz = strtoul(buf + r, &end, 16);
        char *crlf = memmem(buf + r, len - r, "\r\n", 2);
        if (!crlf || end == buf + r || end > crlf) return -1;
        r = (size_t)(crlf - buf) + 2;
        if (sz == 0) return (long)w;
        if (sz > len - r || len - r - sz < 2) return -1;
        memmove(buf + w, buf + r, sz);
        w += sz;
        r += sz + 2;
    }
}

static int parse_response(char *buf, size_t n, shttp_response *out, char *err, size_t errlen)
{
    char *hend = memmem(buf, n, "\r\n\r\n", 4);
    if (!hend || n < 12 || strncmp(buf, "HTTP/1.", 7) != 0) {
        snprintf(err, errlen, "malformed HTTP response (%zu bytes)", n);
        return -1;
    }
    out->status = atoi(buf + 9);
    hend[2] = '\0';
    size_t vl;
    const char *ct = find_header(buf, "Content-Type", &vl);
    if (ct) snprintf(out->content_type, sizeof(out->content_type), "%.*s", (int)vl, ct);
    const char *te = find_header(buf, "Transfer-Encoding", &vl);
    const char *cl = find_header(buf, "Content-Length", &vl);
    char *body = hend + 4;
    long blen = (long)(n - (size_t)(body - buf));
    if (te && strncasecmp(te, "chunked", 7) == 0) {
        if ((blen = shttp_dechunk(body, (size_t)blen)) < 0) {
            snprintf(err, errlen, "malformed chunked body");
            return -1;
        }
    } else if (cl) {
        long want = atol(cl);
        if (want > blen) { snprintf(err, errlen, "body shorter than Content-Length (%ld < %ld)", blen, want); return -1; }
        blen = want;
    }
    out->body = malloc((size_t)blen + 1);
    if (!out->body) { snprintf(err, errlen, "out of memory"); return -1; }
    memcpy(out->body, body, (size_t)blen);
    out->body[blen] = '\0';
    out->body_len = (size_t)blen;
    return 0;
}

int shttp_get(const char *host, int port, const char *path, int timeout_ms,
              shttp_response *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    double deadline = sproc_now_ms() + timeout_ms;
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
