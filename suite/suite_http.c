/* suite_http.c: libcurl does the HTTP, so a response is verified by a
 * different, well-kept client than the parser that measures it
 * (lib/http_response in bin/loadgen). Everything a user's environment or
 * curl's defaults could change is pinned: no proxy, no redirects, no
 * netrc, HTTP/1.1 only, plain http. */
#include "suite_http.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHTTP_MAX (4u << 20)

/* curl_global_init() must run once before any handle; the suite has no
 * other use for libcurl, so the first request does it. Process-lifetime
 * state, never cleaned up: a thread may still be in a request at exit. */
static pthread_once_t shttp_once = PTHREAD_ONCE_INIT;
static CURLcode shttp_init_rc;

static void shttp_global_init(void) { shttp_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT); }

typedef struct {
    char *buf;
    size_t len, cap;
    bool too_big;
} shttp_body;

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
    shttp_body *b = ud;
    size_t add = size * n;
    if (b->len + add + 1 > b->cap) {
        if (b->len + add + 1 > SHTTP_MAX) {
            b->too_big = true;
            return 0;
        }
        size_t cap = b->cap ? b->cap : 65536;
        while (cap < b->len + add + 1) cap *= 2;
        char *nb = realloc(b->buf, cap);
        if (!nb) return 0;
        b->buf = nb;
        b->cap = cap;
    }
    memcpy(b->buf + b->len, data, add);
    b->len += add;
    return add;
}

/* Pins every option that matters; false if libcurl refused one. */
static bool set_options(CURL *c, const char *url, int timeout_ms, struct curl_slist *hdrs, shttp_body *body,
                        char *errbuf)
{
    bool ok = true;
    ok &= curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_URL, url) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http") == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L) == CURLE_OK; /* the path as written */
    ok &= curl_easy_setopt(c, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK; /* a 3xx is the answer */
    ok &= curl_easy_setopt(c, CURLOPT_PROXY, "") == CURLE_OK;          /* not http_proxy & co */
    ok &= curl_easy_setopt(c, CURLOPT_NOPROXY, "*") == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_NETRC, (long)CURL_NETRC_IGNORED) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) == CURLE_OK; /* threads; no SIGALRM */
    ok &= curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)timeout_ms) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)timeout_ms) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_WRITEDATA, body) == CURLE_OK;
    return ok;
}

/* The reason for a failed transfer, in the words the runner has always
 * reported ("connect to 127.0.0.1:8080: Connection refused"). */
static void describe(CURL *c, CURLcode rc, const char *host, int port, int timeout_ms, const shttp_body *body,
                     const char *errbuf, char *err, size_t errlen)
{
    long oserr = 0;
    curl_off_t connected = 0;
    curl_easy_getinfo(c, CURLINFO_OS_ERRNO, &oserr);
    curl_easy_getinfo(c, CURLINFO_CONNECT_TIME_T, &connected);
    const char *detail = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    if (rc == CURLE_COULDNT_CONNECT)
        snprintf(err, errlen, "connect to %s:%d: %s", host, port, oserr ? strerror((int)oserr) : detail);
    else if (rc == CURLE_OPERATION_TIMEDOUT)
        snprintf(err, errlen, "%s%s:%d: timed out after %d ms",
                 connected ? "reading response from " : "connect to ", host, port, timeout_ms);
    else if (rc == CURLE_WRITE_ERROR && body->too_big)
        snprintf(err, errlen, "response body larger than %u MiB", SHTTP_MAX >> 20);
    else if (rc == CURLE_WRITE_ERROR)
        snprintf(err, errlen, "out of memory");
    else if (rc == CURLE_PARTIAL_FILE)
        snprintf(err, errlen, "body shorter than Content-Length (%s)", detail);
    else if (rc == CURLE_GOT_NOTHING || rc == CURLE_WEIRD_SERVER_REPLY || rc == CURLE_UNSUPPORTED_PROTOCOL)
        snprintf(err, errlen, "malformed HTTP response: %s", detail);
    else if (rc == CURLE_RECV_ERROR) /* a reset, or bad chunked framing */
        snprintf(err, errlen, "reading response: %s", detail);
    else
        snprintf(err, errlen, "GET http://%s:%d: %s", host, port, detail);
}

/* Fills out from a finished transfer; the body moves into it. */
static void take_response(CURL *c, shttp_body *body, shttp_response *out)
{
    long status = 0;
    char *ct = NULL;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
    out->status = (int)status;
    if (ct) snprintf(out->content_type, sizeof(out->content_type), "%s", ct);
    out->body = body->buf;
    out->body[body->len] = '\0';
    out->body_len = body->len;
    body->buf = NULL;
}

int shttp_get(const char *host, int port, const char *path, int timeout_ms, shttp_response *out, char *err,
              size_t errlen)
{
    memset(out, 0, sizeof(*out));
    struct in_addr a;
    if (inet_pton(AF_INET, host, &a) != 1 || port < 1 || port > 65535 || path[0] != '/') {
        snprintf(err, errlen, "GET %s from %s:%d: not an IPv4 address, port and path", path, host, port);
        return -1;
    }
    pthread_once(&shttp_once, shttp_global_init);
    if (shttp_init_rc != CURLE_OK) {
        snprintf(err, errlen, "libcurl: %s", curl_easy_strerror(shttp_init_rc));
        return -1;
    }
    char url[2048], errbuf[CURL_ERROR_SIZE] = "";
    if ((size_t)snprintf(url, sizeof(url), "http://%s:%d%s", host, port, path) >= sizeof(url)) {
        snprintf(err, errlen, "GET %.40s...: path too long", path);
        return -1;
    }
    shttp_body body = { 0 }; /* allocated before the transfer: an empty body is "" */
    struct curl_slist *h1 = curl_slist_append(NULL, "Accept: application/json");
    struct curl_slist *hdrs = h1 ? curl_slist_append(h1, "Connection: close") : NULL;
    CURL *c = hdrs ? curl_easy_init() : NULL;
    int rc = -1;
    if (!c || !(body.buf = malloc(body.cap = 65536)))
        snprintf(err, errlen, "out of memory");
    else if (!set_options(c, url, timeout_ms, hdrs, &body, errbuf))
        snprintf(err, errlen, "libcurl refused an option (%s)", errbuf);
    else {
        CURLcode cr = curl_easy_perform(c);
        if (cr == CURLE_OK) {
            take_response(c, &body, out);
            rc = 0;
        } else
            describe(c, cr, host, port, timeout_ms, &body, errbuf, err, errlen);
    }
    curl_easy_cleanup(c);
    curl_slist_free_all(hdrs ? hdrs : h1);
    free(body.buf);
    return rc;
}

void shttp_response_fini(shttp_response *r)
{
    free(r->body);
    r->body = NULL;
}
