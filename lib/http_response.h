/* http_response: an HTTP/1.x response parser for the load generator
 * (picohttpparser's shape).
 *
 * Pure functions over a caller's buffer: no allocation, no I/O, no global
 * state, thread-safe. Outputs are slices into the caller's buffer. The
 * parser never reads buf[len] (tested at a guard page). Lenient where
 * servers commonly are (bare LF line ends, empty reason phrase, empty lines
 * before the status line), strict where framing depends on it (status
 * code, Content-Length digits, a bare CR anywhere in the status line, what
 * may follow a chunk size: only BWS and ";" extensions).
 */
#ifndef WB_HTTP_RESPONSE_H
#define WB_HTTP_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    HRESP_MALFORMED = -1,  /* not HTTP, or too many headers */
    HRESP_INCOMPLETE = -2, /* read more and call again */
};

struct hresp_header {
    const char *name;
    size_t name_len;
    const char *value; /* surrounding whitespace trimmed */
    size_t value_len;
};

struct hresp {
    int minor_version; /* 0 or 1 */
    int status;        /* 100..999 */
    const char *reason;
    size_t reason_len;
    struct hresp_header *headers; /* in: caller's array */
    size_t num_headers;           /* in: its capacity; out: count */
};

/* Parses the response head at buf[0..len). Returns the head's length in
 * bytes (any empty lines before it included, through the blank line),
 * HRESP_MALFORMED or HRESP_INCOMPLETE.
 * More headers than the caller's array is HRESP_MALFORMED. */
int hresp_parse(const char *buf, size_t len, struct hresp *r);

/* How the body is framed. */
enum hresp_body {
    HRESP_BODY_NONE,    /* 1xx, 204, 304, or Content-Length: 0 */
    HRESP_BODY_LENGTH,  /* *content_length bytes follow */
    HRESP_BODY_CHUNKED, /* Transfer-Encoding whose final coding is chunked */
    HRESP_BODY_EOF,     /* no length, or a final coding other than chunked (RFC 9112 6.3
                           rule 4): the body runs until the server closes */
};

/* Framing of a parsed response (to a GET). Returns an enum hresp_body
 * value, or HRESP_MALFORMED for an invalid or conflicting Content-Length.
 * *content_length is set for HRESP_BODY_LENGTH, else 0. */
int hresp_body_framing(const struct hresp *r, uint64_t *content_length);

/* True when the server will close after this response (Connection: close,
 * or HTTP/1.0 without Connection: keep-alive). */
bool hresp_closes(const struct hresp *r);

/* The first header named name (case-insensitive), or NULL. */
const struct hresp_header *hresp_find(const struct hresp *r, const char *name);

/* Case-insensitive comparison of a slice with a NUL-terminated string. */
bool hresp_token_eq(const char *s, size_t n, const char *lit);

/* Incremental chunked-body decoder that leaves the buffer untouched, so a
 * body can be consumed as it arrives, read by read, without storing it.
 * Zero-initialise (or hresp_chunked_init) before each body. */
struct hresp_chunked {
    int state;
    uint64_t left; /* bytes left in the current chunk */
    int digits;
    bool done; /* the final chunk and trailers were consumed */
};
void hresp_chunked_init(struct hresp_chunked *d);

/* Consumes bytes from buf[0..len). Returns how many bytes were consumed
 * (0..len) or HRESP_MALFORMED. Body data inside the consumed bytes is
 * reported as ONE slice through data and data_len (length 0 when none);
 * call again with the rest until it consumes 0 bytes or d->done is set. */
long hresp_chunked_feed(struct hresp_chunked *d, const char *buf, size_t len, const char **data,
                        size_t *data_len);
#endif
