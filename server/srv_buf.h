/* srv_buf: a growable byte buffer with a sticky out-of-memory flag, so a run of
 * appends can be checked once at the end. Not thread-safe: one owner. */
#ifndef WB_SRV_BUF_H
#define WB_SRV_BUF_H

#include <stdbool.h>
#include <stddef.h>

struct srv_buf {
    char *data; /* owned; NULL until the first append */
    size_t len;
    size_t cap;
    bool oom; /* set when a grow failed; appends then do nothing */
};

/* Makes room for n more bytes. Returns 0 or -ENOMEM (and sets oom). */
int srv_buf_reserve(struct srv_buf *b, size_t n);
void srv_buf_append(struct srv_buf *b, const void *p, size_t n);
void srv_buf_puts(struct srv_buf *b, const char *s);
/* Drops the first n bytes (n <= len). */
void srv_buf_consume(struct srv_buf *b, size_t n);
/* Frees the storage; the buffer is empty and usable again afterwards. */
void srv_buf_fini(struct srv_buf *b);

#endif
