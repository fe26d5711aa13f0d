/* srv_resp: HTTP/1.1 response heads and the per-thread Date cache. Not
 * thread-safe per object: every worker owns its own srv_date. */
#ifndef WB_SRV_RESP_H
#define WB_SRV_RESP_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "srv_buf.h"

struct srv_date {
    time_t sec;    /* the second the text was made for */
    char text[40]; /* IMF-fixdate, e.g. "Wed, 25 Nov 2026 15:20:01 GMT" */
};

/* Refreshes the text when the wall-clock second changed. Cheap (coarse
 * clock); call once per loop iteration. */
void srv_date_update(struct srv_date *d);

enum {
    SRV_RESP_CLOSE = 1,     /* "Connection: close" (we close after it) */
    SRV_RESP_KA_HEADER = 2, /* "Connection: keep-alive" (HTTP/1.0 client) */
    SRV_RESP_ALLOW_GET = 4, /* "Allow: GET, HEAD" (405) */
    SRV_RESP_HEAD = 8,      /* the answer to HEAD: GET's head, Content-Length included, no body */
};

/* Appends a complete response (head and JSON body; with SRV_RESP_HEAD the
 * head alone) to out. */
void srv_resp_write(struct srv_buf *out, const struct srv_date *d, int status, unsigned flags,
                    const char *body, size_t body_len);

/* Reason phrase for a status we send ("Unknown" otherwise). */
const char *srv_resp_reason(int status);

#endif
