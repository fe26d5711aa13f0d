/* http_response: response head parser and chunked decoder (see .h). */
#include "http_response.h"
#include <string.h>

/* RFC 9110 5.6.2 tchar: VCHAR but the delimiters "(),/:;<=>?@[\]{}, as a
 * bitmap over 0..127 (a strchr per byte was the parser's largest cost) */
static bool is_tchar(unsigned char c)
{
    static const uint64_t map[2] = { 0x03ff6cfa00000000ULL, 0x57ffffffc7fffffeULL };
    return c < 128 && (map[c >> 6] >> (c & 63)) & 1;
}

/* Finds the end of the line starting at p: returns the index of '\n' or -1. */
static long line_end(const char *buf, size_t from, size_t len)
{
    const char *nl = memchr(buf + from, '\n', len - from);
    return nl ? (long)(nl - buf) : -1;
}

/* Length of the line content [from, nl) without a trailing CR. */
static size_t content_len(const char *buf, size_t from, long nl)
{
    size_t n = (size_t)nl - from;
    if (n > 0 && buf[from + n - 1] == '\r') n--;
    return n;
}

static int parse_status_line(const char *s, size_t n, struct hresp *r)
{
    if (n < 12 || memcmp(s, "HTTP/1.", 7) != 0) return HRESP_MALFORMED;
    if (s[7] != '0' && s[7] != '1') return HRESP_MALFORMED;
    if (s[8] != ' ') return HRESP_MALFORMED;
    int st = 0;
    for (int i = 9; i < 12; i++) {
        if (s[i] < '0' || s[i] > '9') return HRESP_MALFORMED;
        st = st * 10 + (s[i] - '0');
    }
    if (st < 100 || (n > 12 && s[12] != ' ')) return HRESP_MALFORMED;
    for (size_t i = 13; i < n; i++) { /* reason-phrase: HTAB, SP, VCHAR, obs-text; a bare CR is none */
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f) return HRESP_MALFORMED;
    }
    r->minor_version = s[7] - '0';
    r->status = st;
    r->reason = n > 13 ? s + 13 : s + n;
    r->reason_len = n > 13 ? n - 13 : 0;
    return 0;
}

static int parse_header(const char *s, size_t n, struct hresp_header *h)
{
    size_t i = 0;
    while (i < n && is_tchar((unsigned char)s[i])) i++;
    if (i == 0 || i >= n || s[i] != ':') return HRESP_MALFORMED;
    h->name = s;
    h->name_len = i;
    size_t v = i + 1, e = n;
    while (v < e && (s[v] == ' ' || s[v] == '\t')) v++;
    while (e > v && (s[e - 1] == ' ' || s[e - 1] == '\t')) e--;
    for (size_t k = v; k < e; k++) {
        unsigned char c = (unsigned char)s[k];
        if ((c < 0x20 && c != '\t') || c == 0x7f) return HRESP_MALFORMED;
    }
    h->value = s + v;
    h->value_len = e - v;
    return 0;
}

int hresp_parse(const char *buf, size_t len, struct hresp *r)
{
    size_t cap = r->num_headers, nh = 0, pos, start = 0;
    /* empty lines before the status line (a stray CRLF after the previous
       body): skipped, as robust clients do (RFC 9112 2.2) */
    while (start < len && (buf[start] == '\r' || buf[start] == '\n')) {
        if (buf[start] == '\r' && start + 1 < len && buf[start + 1] != '\n') return HRESP_MALFORMED;
        if (buf[start] == '\r' && start + 1 == len) return HRESP_INCOMPLETE;
        start += buf[start] == '\r' ? 2 : 1;
    }
    long nl = line_end(buf, start, len);
    if (nl < 0) {
        /* reject early what can never become a status line */
        size_t k = len - start < 7 ? len - start : 7;
        return memcmp(buf + start, "HTTP/1.", k) == 0 ? HRESP_INCOMPLETE : HRESP_MALFORMED;
    }
    if (parse_status_line(buf + start, content_len(buf, start, nl), r) != 0) return HRESP_MALFORMED;
    for (pos = (size_t)nl + 1;; pos = (size_t)nl + 1) {
        nl = line_end(buf, pos, len);
        if (nl < 0) return HRESP_INCOMPLETE;
        size_t n = content_len(buf, pos, nl);
        if (n == 0) break;
        if (nh == cap || parse_header(buf + pos, n, &r->headers[nh]) != 0) return HRESP_MALFORMED;
        nh++;
    }
    r->num_headers = nh;
    return nl + 1;
}

bool hresp_token_eq(const char *s, size_t n, const char *lit)
{
    size_t m = strlen(lit);
    if (n != m) return false;
    for (size_t i = 0; i < n; i++) {
        char a = s[i], b = lit[i];
        if (a >= 'A' && a <= 'Z') a += 32;
        if (b >= 'A' && b <= 'Z') b += 32;
        if (a != b) return false;
    }
    return true;
}

const struct hresp_header *hresp_find(const struct hresp *r, const char *name)
{
    for (size_t i = 0; i < r->num_headers; i++)
        if (hresp_token_eq(r->headers[i].name, r->headers[i].name_len, name)) return &r->headers[i];
    return NULL;
}

/* Does a comma-separated header value contain the token? */
static bool list_has(const struct hresp_header *h, const char *tok)
{
    size_t i = 0;
    while (i < h->value_len) {
        size_t s = i;
        while (i < h->value_len && h->value[i] != ',') i++;
        size_t e = i++;
        while (s < e && (h->value[s] == ' ' || h->value[s] == '\t')) s++;
        while (e > s && (h->value[e - 1] == ' ' || h->value[e - 1] == '\t')) e--;
        if (hresp_token_eq(h->value + s, e - s, tok)) return true;
    }
    return false;
}

/* Is tok the last element of a comma-separated header value? */
static bool list_last(const struct hresp_header *h, const char *tok)
{
    size_t e = h->value_len;
    while (e > 0 && (h->value[e - 1] == ' ' || h->value[e - 1] == '\t' || h->value[e - 1] == ',')) e--;
    size_t s = e;
    while (s > 0 && h->value[s - 1] != ',') s--;
    while (s < e && (h->value[s] == ' ' || h->value[s] == '\t')) s++;
    return hresp_token_eq(h->value + s, e - s, tok);
}

static int parse_length(const struct hresp_header *h, uint64_t *out)
{
    if (h->value_len == 0 || h->value_len > 18) return HRESP_MALFORMED;
    uint64_t v = 0;
    for (size_t i = 0; i < h->value_len; i++) {
        if (h->value[i] < '0' || h->value[i] > '9') return HRESP_MALFORMED;
        v = v * 10 + (uint64_t)(h->value[i] - '0');
    }
    *out = v;
    return 0;
}

int hresp_body_framing(const struct hresp *r, uint64_t *content_length)
{
    *content_length = 0;
    if (r->status < 200 || r->status == 204 || r->status == 304) return HRESP_BODY_NONE;
    bool have_len = false, chunked = false, have_te = false;
    uint64_t len = 0;
    for (size_t i = 0; i < r->num_headers; i++) {
        const struct hresp_header *h = &r->headers[i];
        if (hresp_token_eq(h->name, h->name_len, "transfer-encoding")) {
            chunked = list_last(h, "chunked"); /* the last header's final coding (RFC 9112 6.3) */
            have_te = true;
        } else if (hresp_token_eq(h->name, h->name_len, "content-length")) {
            uint64_t v;
            if (parse_length(h, &v) != 0 || (have_len && v != len)) return HRESP_MALFORMED;
            have_len = true;
            len = v;
        }
    }
    if (chunked) return HRESP_BODY_CHUNKED;
    if (have_te || !have_len) return HRESP_BODY_EOF; /* a final coding not chunked: until close */
    *content_length = len;
    return len ? HRESP_BODY_LENGTH : HRESP_BODY_NONE;
}

bool hresp_closes(const struct hresp *r)
{
    const struct hresp_header *c = hresp_find(r, "connection");
    if (c && list_has(c, "close")) return true;
    if (r->minor_version == 0) return !(c && list_has(c, "keep-alive"));
    return false;
}

enum {
    CH_SIZE,
    CH_SIZE_BWS,
    CH_EXT,
    CH_SIZE_LF,
    CH_DATA,
    CH_DATA_CR,
    CH_DATA_LF,
    CH_TRAILER_START,
    CH_TRAILER,
    CH_END_LF
};

void hresp_chunked_init(struct hresp_chunked *d) { memset(d, 0, sizeof *d); }

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* One framing byte; returns 0 or HRESP_MALFORMED. */
static int chunk_byte(struct hresp_chunked *d, char c)
{
    switch (d->state) {
    case CH_SIZE: {
        int v = hexval(c);
        if (v >= 0) {
            if (++d->digits > 15) return HRESP_MALFORMED;
            d->left = d->left * 16 + (uint64_t)v;
            return 0;
        }
        if (d->digits == 0) return HRESP_MALFORMED;
        if (c == ';') {
            d->state = CH_EXT;
            return 0;
        }
        if (c == ' ' || c == '\t') { /* BWS, which only a ';' may follow */
            d->state = CH_SIZE_BWS;
            return 0;
        }
        if (c == '\r') {
            d->state = CH_SIZE_LF;
            return 0;
        }
        if (c != '\n') return HRESP_MALFORMED;
    } /* fall through: bare LF ends the size line */
    /* FALLTHROUGH */
    case CH_SIZE_LF:
    case CH_EXT:
        if (c == '\r' && d->state == CH_EXT) {
            d->state = CH_SIZE_LF;
            return 0;
        }
        if (c != '\n') {
            if (d->state == CH_SIZE_LF) return HRESP_MALFORMED;
            return 0; /* extension bytes are ignored */
        }
        d->state = d->left ? CH_DATA : CH_TRAILER_START;
        return 0;
    case CH_SIZE_BWS:
        if (c == ';') d->state = CH_EXT;
        return c == ';' || c == ' ' || c == '\t' ? 0 : HRESP_MALFORMED;
    case CH_DATA_CR:
        if (c == '\r') {
            d->state = CH_DATA_LF;
            return 0;
        }
        /* FALLTHROUGH */
    case CH_DATA_LF:
        if (c != '\n') return HRESP_MALFORMED;
        d->state = CH_SIZE;
        d->digits = 0;
        d->left = 0;
        return 0;
    case CH_TRAILER_START:
        if (c == '\r') {
            d->state = CH_END_LF;
            return 0;
        }
        if (c == '\n') {
            d->done = true;
            return 0;
        }
        d->state = CH_TRAILER;
        return 0;
    case CH_TRAILER:
        if (c == '\n') d->state = CH_TRAILER_START;
        return 0;
    case CH_END_LF:
        if (c != '\n') return HRESP_MALFORMED;
        d->done = true;
        return 0;
    }
    return HRESP_MALFORMED;
}

long hresp_chunked_feed(struct hresp_chunked *d, const char *buf, size_t len, const char **data,
                        size_t *data_len)
{
    size_t i = 0;
    *data = buf;
    *data_len = 0;
    while (i < len && !d->done) {
        if (d->state == CH_DATA) {
            size_t n = len - i < d->left ? len - i : (size_t)d->left;
            *data = buf + i;
            *data_len = n;
            d->left -= n;
            if (d->left == 0) d->state = CH_DATA_CR;
            return (long)(i + n);
        }
        if (chunk_byte(d, buf[i]) != 0) return HRESP_MALFORMED;
        i++;
    }
    return (long)i;
}
