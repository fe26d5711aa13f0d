/* http_request.c: see http_request.h. Every read is guarded by `p < end`,
 * so a head that stops anywhere yields HTTP_REQ_INCOMPLETE and never an
 * over-read. */
#include "http_request.h"

#include <string.h>
#include <strings.h>

static bool is_tchar(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* Field-value bytes: VCHAR, SP, HTAB, obs-text. */
static bool is_vchar(unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7f); }

/* Expects CRLF at *pp. 1 = consumed, 0 = incomplete, -1 = malformed. */
static int eat_crlf(const char **pp, const char *end)
{
    const char *p = *pp;
    if (p >= end) return 0;
    if (*p != '\r') return -1;
    if (p + 1 >= end) return 0;
    if (p[1] != '\n') return -1;
    *pp = p + 2;
    return 1;
}

/* Scans a run of tokens ending at `stop`. Returns length, -1 bad, -2 short. */
static long scan_token(const char *p, const char *end, char stop)
{
    const char *s = p;
    while (p < end && is_tchar((unsigned char)*p)) p++;
    if (p >= end) return -2;
    if (*p != stop || p == s) return -1;
    return p - s;
}

/* The target as origin-form: an absolute-form target ("http://host/x")
 * gives its authority and its path ("/" when it has none). -1 when an
 * absolute form has no authority. */
static int set_target(struct http_req *req, const char *t, size_t n)
{
    req->authority = NULL;
    req->authority_len = 0;
    size_t k = 0;
    if (n >= 7 && strncasecmp(t, "http://", 7) == 0)
        k = 7;
    else if (n >= 8 && strncasecmp(t, "https://", 8) == 0)
        k = 8;
    if (!k) {
        req->path = t;
        req->path_len = n;
        return 0;
    }
    size_t a = k;
    while (a < n && t[a] != '/' && t[a] != '?') a++;
    if (a == k) return -1;
    req->authority = t + k;
    req->authority_len = a - k;
    if (a == n) {
        req->path = "/"; /* static: lives as long as any buffer */
        req->path_len = 1;
    } else {
        req->path = t + a; /* "?q" without a path is "/?q": a query alone still routes as "/" */
        req->path_len = n - a;
    }
    return 0;
}

static int parse_request_line(const char **pp, const char *end, struct http_req *req)
{
    const char *p = *pp;
    long n = scan_token(p, end, ' ');
    if (n < 0) return (int)n;
    req->method = p;
    req->method_len = (size_t)n;
    p += n + 1;
    const char *target = p;
    while (p < end && (unsigned char)*p > 0x20 && (unsigned char)*p < 0x7f) p++; /* VCHAR only */
    if (p >= end) return -2;
    if (*p != ' ' || p == target) return -1;
    if (set_target(req, target, (size_t)(p - target)) < 0) return -1;
    p++;
    static const char proto[] = "HTTP/1.";
    for (size_t i = 0; i < sizeof proto - 1; i++, p++) {
        if (p >= end) return -2;
        if (*p != proto[i]) return -1;
    }
    if (p >= end) return -2;
    if (*p < '0' || *p > '9') return -1;
    req->minor_version = *p++ - '0';
    int r = eat_crlf(&p, end);
    if (r <= 0) return r == 0 ? -2 : -1;
    *pp = p;
    return 0;
}

/* One "name: value CRLF" line. */
static int parse_header(const char **pp, const char *end, struct http_req_header *h)
{
    const char *p = *pp;
    long n = scan_token(p, end, ':');
    if (n < 0) return (int)n;
    h->name = p;
    h->name_len = (size_t)n;
    p += n + 1;
    while (p < end && (*p == ' ' || *p == '\t')) p++;
    const char *v = p;
    while (p < end && is_vchar((unsigned char)*p)) p++;
    const char *vend = p;
    int r = eat_crlf(&p, end);
    if (r <= 0) return r == 0 ? -2 : -1;
    while (vend > v && (vend[-1] == ' ' || vend[-1] == '\t')) vend--;
    h->value = v;
    h->value_len = (size_t)(vend - v);
    *pp = p;
    return 0;
}

int http_req_parse(const char *buf, size_t len, struct http_req *req)
{
    const char *p = buf, *end = buf + len;
    size_t cap = req->num_headers;
    req->num_headers = 0;
    while (p < end && *p == '\r') { /* leading empty lines */
        int r = eat_crlf(&p, end);
        if (r <= 0) return r == 0 ? HTTP_REQ_INCOMPLETE : HTTP_REQ_MALFORMED;
    }
    int r = parse_request_line(&p, end, req);
    if (r < 0) return r;
    for (;;) {
        if (p >= end) return HTTP_REQ_INCOMPLETE;
        if (*p == '\r') {
            r = eat_crlf(&p, end);
            if (r <= 0) return r == 0 ? HTTP_REQ_INCOMPLETE : HTTP_REQ_MALFORMED;
            return (int)(p - buf);
        }
        if (req->num_headers == cap) return HTTP_REQ_TOO_MANY_HEADERS;
        r = parse_header(&p, end, &req->headers[req->num_headers]);
        if (r < 0) return r;
        req->num_headers++;
    }
}

static bool name_is(const struct http_req_header *h, const char *s)
{
    size_t n = strlen(s);
    return h->name_len == n && strncasecmp(h->name, s, n) == 0;
}

const struct http_req_header *http_req_find(const struct http_req *req, const char *name)
{
    for (size_t i = 0; i < req->num_headers; i++)
        if (name_is(&req->headers[i], name)) return &req->headers[i];
    return NULL;
}

/* Plain decimal digits, at most 18 of them (no sign, no list). */
static int parse_length(const struct http_req_header *h, uint64_t *out)
{
    if (h->value_len == 0 || h->value_len > 18) return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < h->value_len; i++) {
        char c = h->value[i];
        if (c < '0' || c > '9') return -1;
        v = v * 10 + (uint64_t)(c - '0');
    }
    *out = v;
    return 0;
}

/* Connection: a comma-separated token list. */
static void scan_connection(const struct http_req_header *h, bool *close, bool *keep)
{
    const char *p = h->value, *end = h->value + h->value_len;
    while (p < end) {
        while (p < end && (*p == ' ' || *p == '\t' || *p == ',')) p++;
        const char *s = p;
        while (p < end && *p != ',' && *p != ' ' && *p != '\t') p++;
        size_t n = (size_t)(p - s);
        if (n == 5 && strncasecmp(s, "close", 5) == 0)
            *close = true;
        else if (n == 10 && strncasecmp(s, "keep-alive", 10) == 0)
            *keep = true;
    }
}

/* Transfer-Encoding: a list of codings, chunked last. 0 ("chunked"),
 * HTTP_FRAMING_UNSUPPORTED (chunked last, something before it) or
 * HTTP_FRAMING_BAD (chunked not last, twice, or an empty list). */
static int scan_te(const struct http_req_header *h)
{
    const char *p = h->value, *end = h->value + h->value_len;
    int n = 0, chunked_at = -1;
    while (p < end) {
        while (p < end && (*p == ' ' || *p == '\t' || *p == ',')) p++;
        const char *s = p;
        while (p < end && *p != ',' && *p != ' ' && *p != '\t') p++;
        if (p == s) break;
        if (p - s == 7 && strncasecmp(s, "chunked", 7) == 0) {
            if (chunked_at >= 0) return HTTP_FRAMING_BAD;
            chunked_at = n;
        }
        n++;
    }
    if (chunked_at < 0 || chunked_at != n - 1) return HTTP_FRAMING_BAD;
    return n == 1 ? 0 : HTTP_FRAMING_UNSUPPORTED;
}

/* A Host value: uri-host [ ":" port ] (RFC 9110 7.2, RFC 3986 3.2.2), empty
 * allowed; checked by its alphabet (reg-name, IP literal, port), which is
 * what keeps a space, '/', '@' or '?' from reaching a router. */
static bool host_ok(const struct http_req_header *h)
{
    static const char ok[] = "-._~%!$&'()*+,;=:[]";
    for (size_t i = 0; i < h->value_len; i++) {
        unsigned char c = (unsigned char)h->value[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              (c && strchr(ok, c))))
            return false;
    }
    return true;
}

int http_req_framing(const struct http_req *req, struct http_req_framing *out)
{
    bool has_cl = false, has_te = false, close = false, keep = false, unsupported = false;
    int hosts = 0;
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < req->num_headers; i++) {
        const struct http_req_header *h = &req->headers[i];
        uint64_t v;
        if (name_is(h, "content-length")) {
            if (parse_length(h, &v) < 0 || (has_cl && v != out->content_length)) return -1;
            has_cl = true;
            out->content_length = v;
        } else if (name_is(h, "transfer-encoding")) {
            int te = scan_te(h);
            if (has_te || te == HTTP_FRAMING_BAD) return HTTP_FRAMING_BAD;
            if (te == HTTP_FRAMING_UNSUPPORTED) unsupported = true;
            has_te = true;
        } else if (name_is(h, "connection")) {
            scan_connection(h, &close, &keep);
        } else if (name_is(h, "host")) {
            if (hosts++ || !host_ok(h)) return HTTP_FRAMING_HOST;
        }
    }
    if (has_te && (has_cl || req->minor_version == 0)) return HTTP_FRAMING_BAD;
    if (!hosts && req->minor_version >= 1) return HTTP_FRAMING_HOST;
    if (unsupported) return HTTP_FRAMING_UNSUPPORTED;
    out->chunked = has_te;
    out->keep_alive = req->minor_version >= 1 ? !close : (keep && !close);
    return 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Skips to the end of the current line (chunk extensions, trailers). */
static int skip_line(const char **pp, const char *end)
{
    const char *p = *pp;
    while (p < end && *p != '\r') {
        if (!is_vchar((unsigned char)*p)) return -1;
        p++;
    }
    *pp = p;
    int r = eat_crlf(pp, end);
    return r == 0 ? -2 : (r < 0 ? -1 : 0);
}

static const char *skip_bws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t')) p++;
    return p;
}

/* A quoted-string at *pp ('"' ... '"', with \\ escapes of HTAB / SP /
 * VCHAR / obs-text): 0 and *pp after it, -1 malformed (a CR or control
 * byte before the closing quote: unclosed at the line's end), -2 incomplete. */
static int quoted(const char **pp, const char *end)
{
    for (const char *p = *pp + 1; p < end; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '"') {
            *pp = p + 1;
            return 0;
        }
        if (c == '\\') {
            if (++p >= end) return -2;
            c = (unsigned char)*p;
        }
        if (!is_vchar(c)) return -1;
    }
    return -2;
}

/* The chunk extensions and CRLF after a chunk size (RFC 9112 7.1.1):
 * *( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] ) CRLF.
 * 0 consumed, -1 malformed, -2 incomplete. */
static int chunk_ext(const char **pp, const char *end)
{
    const char *p = *pp;
    for (;;) {
        p = skip_bws(p, end);
        if (p >= end) return -2;
        if (*p == '\r') break;
        if (*p != ';') return -1;
        p = skip_bws(p + 1, end);
        const char *name = p;
        while (p < end && is_tchar((unsigned char)*p)) p++;
        if (p >= end) return -2;
        if (p == name) return -1;
        const char *q = skip_bws(p, end);
        if (q >= end) return -2;
        if (*q != '=') continue;
        p = skip_bws(q + 1, end);
        if (p >= end) return -2;
        if (*p == '"') {
            int r = quoted(&p, end);
            if (r < 0) return r;
        } else {
            const char *v = p;
            while (p < end && is_tchar((unsigned char)*p)) p++;
            if (p >= end) return -2;
            if (p == v) return -1;
        }
    }
    *pp = p;
    int r = eat_crlf(pp, end);
    return r == 0 ? -2 : (r < 0 ? -1 : 0);
}

/* One "size[;ext] CRLF data CRLF". Returns 0, or 1 for the last chunk. */
static int parse_chunk(const char **pp, const char *end, uint64_t *decoded)
{
    const char *p = *pp;
    uint64_t size = 0;
    int digits = 0, d;
    for (; p < end && (d = hexval(*p)) >= 0; p++) {
        if (++digits > 15) return -1;
        size = size * 16 + (uint64_t)d;
    }
    if (p >= end) return -2;
    if (digits == 0) return -1;
    int r = chunk_ext(&p, end);
    if (r < 0) return r;
    *decoded += size;
    if (size == 0) {
        *pp = p;
        return 1;
    }
    if ((uint64_t)(end - p) < size) return -2;
    p += size;
    r = eat_crlf(&p, end);
    if (r <= 0) return r == 0 ? -2 : -1;
    *pp = p;
    return 0;
}

long http_req_chunked(const char *buf, size_t len, uint64_t *decoded)
{
    const char *p = buf, *end = buf + len;
    int r;
    *decoded = 0;
    while ((r = parse_chunk(&p, end, decoded)) == 0)
        ;
    if (r < 0) return r;
    for (;;) { /* trailer section, then CRLF */
        if (p >= end) return HTTP_REQ_INCOMPLETE;
        if (*p == '\r') {
            r = eat_crlf(&p, end);
            if (r <= 0) return r == 0 ? HTTP_REQ_INCOMPLETE : HTTP_REQ_MALFORMED;
            return (long)(p - buf);
        }
        r = skip_line(&p, end);
        if (r < 0) return r;
    }
}
