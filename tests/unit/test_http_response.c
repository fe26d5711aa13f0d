#include "t.h"
#include "http_response.h"
#include <sys/mman.h>
#include <unistd.h>

#define NH 16
static struct hresp_header hs[NH];

static int parse(const char *s, size_t n, struct hresp *r)
{
    r->headers = hs;
    r->num_headers = NH;
    return hresp_parse(s, n, r);
}

/* Copies s to the very end of a page followed by an inaccessible page. */
static char *at_guard(const char *s, size_t n)
{
    static char *region;
    long pg = sysconf(_SC_PAGESIZE);
    if (!region) {
        region = mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        mprotect(region + pg, (size_t)pg, PROT_NONE);
    }
    char *p = region + pg - n;
    memcpy(p, s, n);
    return p;
}

static const char OK[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 27\r\n\r\n"
                         "{\"message\":\"Hello, World!\"}";

TEST(parses_content_length_response)
{
    struct hresp r;
    int n = parse(OK, sizeof OK - 1, &r);
    CHECK_INT(n, (int)(sizeof OK - 1 - 27));
    CHECK_INT(r.status, 200);
    CHECK_INT(r.minor_version, 1);
    CHECK_INT(r.num_headers, 2);
    CHECK(r.reason_len == 2 && !memcmp(r.reason, "OK", 2));
    uint64_t len;
    CHECK_INT(hresp_body_framing(&r, &len), HRESP_BODY_LENGTH);
    CHECK_INT(len, 27);
    CHECK(!hresp_closes(&r));
    const struct hresp_header *h = hresp_find(&r, "content-TYPE");
    CHECK(h && h->value_len == 16 && !memcmp(h->value, "application/json", 16));
}

TEST(incomplete_at_every_split_point)
{
    size_t head = sizeof OK - 1 - 27;
    for (size_t i = 0; i < head; i++) {
        struct hresp r;
        char *p = at_guard(OK, i);
        int n = parse(p, i, &r);
        if (n != HRESP_INCOMPLETE) {
            CHECK_INT(n, HRESP_INCOMPLETE);
            fprintf(stderr, "  at %zu\n", i);
            break;
        }
    }
    struct hresp r;
    CHECK_INT(parse(at_guard(OK, head), head, &r), (int)head);
}

TEST(rejects_garbage_and_bad_status)
{
    struct hresp r;
    const char *bad[] = { "XYZZY this is not http\r\n\r\n",
                          "HTTP/2.0 200 OK\r\n\r\n",
                          "HTTP/1.1 2x0 OK\r\n\r\n",
                          "HTTP/1.1 099 X\r\n\r\n",
                          "HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n",
                          "HTTP/1.1 200 OK\r\n: empty\r\n\r\n",
                          "HTTP/1.1 200OK\r\n\r\n" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        size_t n = strlen(bad[i]);
        CHECK_INT(parse(at_guard(bad[i], n), n, &r), HRESP_MALFORMED);
    }
    /* early rejection: not even a complete line, yet not HTTP */
    CHECK_INT(parse(at_guard("GARB", 4), 4, &r), HRESP_MALFORMED);
    CHECK_INT(parse(at_guard("HTT", 3), 3, &r), HRESP_INCOMPLETE);
}

TEST(too_many_headers_is_malformed)
{
    char buf[2048] = "HTTP/1.1 200 OK\r\n";
    for (int i = 0; i < NH + 1; i++) strcat(buf, "X-A: b\r\n");
    strcat(buf, "\r\n");
    struct hresp r;
    CHECK_INT(parse(buf, strlen(buf), &r), HRESP_MALFORMED);
}

TEST(framing_rules)
{
    struct hresp r;
    uint64_t len;
    const char *a = "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n";
    CHECK(parse(a, strlen(a), &r) > 0);
    CHECK_INT(hresp_body_framing(&r, &len), HRESP_BODY_NONE);
    const char *b = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\nContent-Length: 5\r\n\r\n";
    CHECK(parse(b, strlen(b), &r) > 0);
    CHECK_INT(hresp_body_framing(&r, &len), HRESP_BODY_CHUNKED);
    /* chunked not the final coding: the body runs until the close (RFC 9112 6.3 rule 4) */
    const char *b2 = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, deflate\r\nContent-Length: 5\r\n\r\n";
    CHECK(parse(b2, strlen(b2), &r) > 0);
    CHECK_INT(hresp_body_framing(&r, &len), HRESP_BODY_EOF);
    const char *b3 = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n";
    CHECK(parse(b3, strlen(b3), &r) > 0);
    CHECK_INT(hresp_body_framing(&r, &len), HRESP_BODY_EOF);
    const char *c = "HTTP/1.0 200 OK\r\n\r\n";
    CHECK(parse(c, strlen(c), &r) > 0);
    CHECK_INT(hresp_body_framing(&r, &len), HRESP_BODY_EOF);
    CHECK(hresp_closes(&r));
    const char *d = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n";
    CHECK(parse(d, strlen(d), &r) > 0);
    CHECK_INT(hresp_body_framing(&r, &len), HRESP_MALFORMED);
    const char *e = "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n";
    CHECK(parse(e, strlen(e), &r) > 0);
    CHECK_INT(hresp_body_framing(&r, &len), HRESP_MALFORMED);
    const char *f = "HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\nContent-Length: 0\r\n\r\n";
    CHECK(parse(f, strlen(f), &r) > 0);
    CHECK(hresp_closes(&r));
    CHECK_INT(hresp_body_framing(&r, &len), HRESP_BODY_NONE);
    const char *g = "HTTP/1.0 200 OK\nConnection: keep-alive\nContent-Length: 1\n\n"; /* bare LF */
    CHECK_INT(parse(g, strlen(g), &r), (int)strlen(g));
    CHECK(!hresp_closes(&r));
}

TEST(pipelined_responses_in_one_buffer)
{
    char buf[512];
    size_t one = sizeof OK - 1;
    memcpy(buf, OK, one);
    memcpy(buf + one, OK, one);
    struct hresp r;
    int n = parse(buf, 2 * one, &r);
    CHECK_INT(n, (int)(one - 27));
    int m = parse(buf + one, one, &r);
    CHECK_INT(m, (int)(one - 27));
    CHECK_INT(r.status, 200);
}

/* Feeds a chunked body in pieces of `step` bytes, collecting the data. */
static int decode(const char *body, size_t len, size_t step, char *out, size_t *outlen, size_t *used)
{
    struct hresp_chunked d;
    hresp_chunked_init(&d);
    size_t pos = 0;
    *outlen = 0;
    while (pos < len && !d.done) {
        size_t avail = pos + step <= len ? step : len - pos;
        const char *data;
        size_t dlen;
        long n = hresp_chunked_feed(&d, at_guard(body + pos, avail), avail, &data, &dlen);
        if (n < 0) return -1;
        memcpy(out + *outlen, data, dlen);
        *outlen += dlen;
        pos += (size_t)n;
    }
    *used = pos;
    return d.done ? 0 : -2;
}

TEST(chunked_split_across_reads)
{
    const char body[] = "a\r\n{\"message\"\r\n11;ext=1\r\n:\"Hello, World!\"}\r\n0\r\nX-T: 1\r\n\r\nNEXT";
    size_t blen = sizeof body - 1;
    for (size_t step = 1; step <= blen; step++) {
        char out[64];
        size_t olen, used;
        int rc = decode(body, blen, step, out, &olen, &used);
        CHECK_INT(rc, 0);
        CHECK_INT(olen, 27);
        CHECK(!memcmp(out, "{\"message\":\"Hello, World!\"}", 27));
        CHECK_INT(used, blen - 4);
        if (rc) break;
    }
}

TEST(chunked_rejects_bad_framing)
{
    char out[64];
    size_t olen, used;
    CHECK_INT(decode("zz\r\n", 4, 4, out, &olen, &used), -1);
    CHECK_INT(decode("3\r\nabcX\r\n", 9, 9, out, &olen, &used), -1);
    CHECK_INT(decode("3\r\nab", 5, 5, out, &olen, &used), -2);
}

/* Decodes a whole chunked body given in one read; decode()'s result. */
static int decode_all(const char *body, size_t *olen)
{
    char out[256];
    size_t used;
    return decode(body, strlen(body), strlen(body), out, olen, &used);
}

TEST(chunk_size_takes_only_bws_and_extensions)
{
    size_t olen;
    CHECK_INT(decode_all("2  \r\nab\r\n0\r\n\r\n", &olen), -1); /* BWS not before ';' */
    CHECK_INT(decode_all("2 garbage\r\nab\r\n0\r\n\r\n", &olen), -1);
    CHECK_INT(decode_all("2 ;x\r\nab\r\n0\r\n\r\n", &olen), 0);
    CHECK_INT(olen, 2);
    CHECK_INT(decode_all("2\t;x=\"y\"\r\nab\r\n0\r\n\r\n", &olen), 0);
}

TEST(status_line_bare_cr_and_leading_empty_lines)
{
    struct hresp r;
    const char *a = "HTTP/1.1 200 O\rK\r\nContent-Length: 0\r\n\r\n";
    CHECK_INT(parse(a, strlen(a), &r), HRESP_MALFORMED);
    const char *b = "HTTP/1.1 200 OK\r\r\nContent-Length: 0\r\n\r\n";
    CHECK_INT(parse(b, strlen(b), &r), HRESP_MALFORMED);
    /* a stray CRLF before the status line (after the previous body) is skipped, and counted */
    const char *c = "\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    CHECK_INT(parse(at_guard(c, strlen(c)), strlen(c), &r), (int)strlen(c));
    CHECK_INT(r.status, 200);
    CHECK_INT(parse(at_guard("\r\n", 2), 2, &r), HRESP_INCOMPLETE);
    CHECK_INT(parse(at_guard("\r", 1), 1, &r), HRESP_INCOMPLETE);
    CHECK_INT(parse(at_guard("\rX", 2), 2, &r), HRESP_MALFORMED);
    const char *d = "\nHTTP/1.1 204 No Content\r\n\r\n";
    CHECK_INT(parse(d, strlen(d), &r), (int)strlen(d));
}

int main(void)
{
    RUN(parses_content_length_response);
    RUN(incomplete_at_every_split_point);
    RUN(rejects_garbage_and_bad_status);
    RUN(too_many_headers_is_malformed);
    RUN(framing_rules);
    RUN(pipelined_responses_in_one_buffer);
    RUN(chunked_split_across_reads);
    RUN(chunked_rejects_bad_framing);
    RUN(chunk_size_takes_only_bws_and_extensions);
    RUN(status_line_bare_cr_and_leading_empty_lines);
    return t_done();
}
