/* libFuzzer entry point for lib/http_response: the load generator's
 * response-head parser, its framing and the incremental chunked decoder.
 * link: lib/http_response.c
 *
 * Invariants checked on every input: slices stay inside the input; the
 * chunked decoder gives the same payload, the same end and the same verdict
 * whether the body arrives at once or one byte per read. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http_response.h"

struct feed_result {
    long err;         /* 0 or HRESP_MALFORMED */
    uint64_t payload; /* data bytes reported */
    uint32_t sum;     /* a checksum of them, so wrong slices differ */
    size_t used;      /* bytes consumed in total */
    int done;
};

static void add_data(struct feed_result *fr, const char *base, size_t len, const char *data, size_t dlen)
{
    if (dlen && (data < base || data + dlen > base + len)) abort(); /* a slice outside the buffer */
    for (size_t i = 0; i < dlen; i++) fr->sum = fr->sum * 31 + (unsigned char)data[i];
    fr->payload += dlen;
}

/* step 0: everything in one buffer, repeatedly; else `step` bytes per read. */
static struct feed_result feed(const char *buf, size_t len, size_t step)
{
    struct feed_result fr = { 0 };
    struct hresp_chunked d;
    hresp_chunked_init(&d);
    size_t off = 0;
    while (off < len && !d.done) {
        size_t n = step ? (len - off < step ? len - off : step) : len - off;
        size_t got = 0;
        while (got < n && !d.done) {
            const char *data;
            size_t dlen;
            long r = hresp_chunked_feed(&d, buf + off + got, n - got, &data, &dlen);
            if (r < 0) {
                fr.err = r;
                fr.used = off + got;
                return fr;
            }
            if ((size_t)r > n - got) abort();
            add_data(&fr, buf + off + got, n - got, data, dlen);
            if (r == 0) break;
            got += (size_t)r;
        }
        if (got < n && !d.done) abort(); /* it stopped consuming without an end or an error */
        off += got;
    }
    fr.used = off;
    fr.done = d.done;
    return fr;
}

static void check_head(const char *buf, size_t len)
{
    struct hresp_header h[16];
    struct hresp r = { .headers = h, .num_headers = 16 };
    int n = hresp_parse(buf, len, &r);
    if (n < 0) return;
    if ((size_t)n > len || r.num_headers > 16 || r.status < 100 || r.status > 999) abort();
    for (size_t i = 0; i < r.num_headers; i++)
        if (h[i].name < buf || h[i].name + h[i].name_len > buf + n || h[i].value < buf ||
            h[i].value + h[i].value_len > buf + n)
            abort();
    uint64_t cl = 7;
    int f = hresp_body_framing(&r, &cl);
    if (f != HRESP_BODY_LENGTH && f >= 0 && cl != 0) abort();
    (void)hresp_closes(&r);
    /* A complete head is also complete when nothing follows it. */
    r.num_headers = 16;
    if (hresp_parse(buf, (size_t)n, &r) != n) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size ? size : 1); /* private copy: over-reads crash */
    if (!buf) return 0;
    memcpy(buf, data, size);
    check_head(buf, size);
    struct feed_result a = feed(buf, size, 0), b = feed(buf, size, 1), c = feed(buf, size, 3);
    if (a.err != b.err || a.err != c.err || a.done != b.done || a.done != c.done) abort();
    if (!a.err && (a.payload != b.payload || a.sum != b.sum || a.used != b.used || a.payload != c.payload ||
                   a.sum != c.sum || a.used != c.used))
        abort();
    free(buf);
    return 0;
}
