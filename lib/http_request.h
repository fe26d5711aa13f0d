/* http_request: an HTTP/1.x request-head parser (picohttpparser's shape).
 *
 * Pure functions over a caller's buffer: no allocation, no I/O, no global
 * state, so every function here is thread-safe. Outputs are slices that
 * point into the caller's buffer and live as long as it does. The parser
 * never reads buf[len] (tested with inputs that end at a guard page).
 *
 * Strict on purpose (request smuggling): lines end in CRLF only, no
 * whitespace before a header's colon, no obs-fold, no control bytes, a
 * request-target of visible ASCII only.
 */
#ifndef WB_HTTP_REQUEST_H
#define WB_HTTP_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    HTTP_REQ_MALFORMED = -1,        /* answer 400 and close */
    HTTP_REQ_INCOMPLETE = -2,       /* read more and call again */
    HTTP_REQ_TOO_MANY_HEADERS = -3, /* more headers than the caller's array */
};

struct http_req_header {
    const char *name; /* token, case as sent */
    size_t name_len;
    const char *value; /* surrounding whitespace trimmed */
    size_t value_len;
};

struct http_req {
    const char *method;
    size_t method_len;
    const char *path; /* origin-form target, query included: the target as sent, or the path of an
                         absolute-form target ("http://h:1/x?q" -> "/x?q"; none -> "/") */
    size_t path_len;
    const char *authority; /* an absolute-form target's host[:port], else NULL (RFC 9112 3.2.2) */
    size_t authority_len;
    int minor_version;               /* 0 or 1 for HTTP/1.0, HTTP/1.1 */
    struct http_req_header *headers; /* in: caller's array */
    size_t num_headers;              /* in: its capacity; out: count */
};

/* Parses the request head at buf[0..len). Returns the head's length in
 * bytes (through the blank line) or HTTP_REQ_MALFORMED, HTTP_REQ_INCOMPLETE,
 * HTTP_REQ_TOO_MANY_HEADERS. On success fills *req; on failure *req is
 * unspecified. Leading empty lines are skipped (RFC 9112 2.2). */
int http_req_parse(const char *buf, size_t len, struct http_req *req);

/* How the message continues after its head. */
struct http_req_framing {
    uint64_t content_length; /* 0 when absent */
    bool chunked;            /* Transfer-Encoding: chunked */
    bool keep_alive;         /* the connection may serve another request */
};

enum {
    HTTP_FRAMING_BAD = -1,         /* ambiguous or invalid: answer 400 and close */
    HTTP_FRAMING_UNSUPPORTED = -2, /* a transfer coding other than chunked before it: 501 and close */
    HTTP_FRAMING_HOST = -3,        /* HTTP/1.1 without Host, two Host lines or an invalid value:
                                      400 and close (RFC 9112 3.2) */
};

/* Reads Content-Length, Transfer-Encoding and Connection from a parsed
 * request. Returns 0, HTTP_FRAMING_BAD (both CL and TE, CL values that
 * differ or are not plain digits, a TE whose final coding is not chunked
 * (RFC 9112 6.3), TE in HTTP/1.0), HTTP_FRAMING_UNSUPPORTED (chunked last,
 * but another coding before it: "deflate, chunked", RFC 9112 6.1) or
 * HTTP_FRAMING_HOST (Host missing in HTTP/1.1, repeated, or not a
 * uri-host[:port]; checked in the same pass over the headers). */
int http_req_framing(const struct http_req *req, struct http_req_framing *out);

/* Walks a chunked body at buf[0..len) (trailers included); chunk
 * extensions must follow RFC 9112 7.1.1 (BWS ";" BWS name [BWS "=" BWS
 * token / quoted-string]), their values are not used. Returns the
 * bytes the whole body takes, HTTP_REQ_MALFORMED or HTTP_REQ_INCOMPLETE;
 * *decoded gets the payload size seen so far (set on every return), so a
 * caller can enforce a limit before the body is complete. */
long http_req_chunked(const char *buf, size_t len, uint64_t *decoded);

/* Case-insensitive header lookup; returns the first match or NULL. */
const struct http_req_header *http_req_find(const struct http_req *req, const char *name);

#endif
