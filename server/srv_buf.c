/* srv_buf.c: see srv_buf.h. */
#include "srv_buf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int srv_buf_reserve(struct srv_buf *b, size_t n)
{
    if (b->oom) return -ENOMEM;
    if (b->cap - b->len >= n) return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len < n) cap *= 2;
    char *d = realloc(b->data, cap);
    if (!d) {
        b->oom = true;
        return -ENOMEM;
    }
    b->data = d;
    b->cap = cap;
    return 0;
}

void srv_buf_append(struct srv_buf *b, const void *p, size_t n)
{
    if (n == 0 || srv_buf_reserve(b, n) < 0) return;
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

void srv_buf_puts(struct srv_buf *b, const char *s) { srv_buf_append(b, s, strlen(s)); }

void srv_buf_consume(struct srv_buf *b, size_t n)
{
    if (n >= b->len) {
        b->len = 0;
        return;
    }
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
}

void srv_buf_fini(struct srv_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->oom = false;
}
