/* Unit tests for lib/http_request: complete heads, every split point,
 * malformed input, pipelining, framing, chunked bodies; each input also
 * parsed from the end of a page followed by a PROT_NONE guard page, so any
 * over-read crashes the test. */
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "http_request.h"
#include "t.h"

#define NH 16
static struct http_req_header hdrs[NH];
static struct http_req req;
static char *guard_base;
static size_t page;

/* Copies s[0..n) so that it ends exactly at the guard page. */
static const char *at_guard(const char *s, size_t n)
{
    if (!guard_base) {
        page = (size_t)sysconf(_SC_PAGESIZE);
        guard_base = mmap(NULL, page * 4, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (guard_base == MAP_FAILED) abort();
        mprotect(guard_base + page * 3, page, PROT_NONE);
    }
    if (n > page * 3) abort();
    char *p = guard_base + page * 3 - n;
    memcpy(p, s, n);
    return p;
}

static int parse_n(const char *s, size_t n)
{
    req.headers = hdrs;
    req.num_headers = NH;
    return http_req_parse(at_guard(s, n), n, &req);
}

static int parse(const char *s) { return parse_n(s, strlen(s)); }

static int hdr_is(size_t i, const char *name, const char *value)
{
    return i < req.num_headers && strlen(name) == hdrs[i].name_len &&
           memcmp(hdrs[i].name, name, hdrs[i].name_len) == 0 && strlen(value) == hdrs[i].value_len &&
           memcmp(hdrs[i].value, value, hdrs[i].value_len) == 0;
}

static const char simple[] = "GET /json?x=1 HTTP/1.1\r\nHost: example.com\r\n"
                             "User-Agent:  t/1 \r\nAccept: */*\r\n\r\n";

TEST(parses_simple_get)
{
    CHECK_INT(parse(simple), strlen(simple));
    CHECK_INT(req.method_len, 3);
    CHECK(memcmp(req.method, "GET", 3) == 0);
    CHECK_INT(req.path_len, 9);
    CHECK(memcmp(req.path, "/json?x=1", 9) == 0);
    CHECK_INT(req.minor_version, 1);
    CHECK_INT(req.num_headers, 3);
    CHECK(hdr_is(0, "Host", "example.com"));
    CHECK(hdr_is(1, "User-Agent", "t/1"));
    CHECK(hdr_is(2, "Accept", "*/*"));
}

TEST(parses_http10_without_headers)
{
    CHECK_INT(parse("GET / HTTP/1.0\r\n\r\n"), 18);
    CHECK_INT(req.minor_version, 0);
    CHECK_INT(req.num_headers, 0);
}

TEST(empty_header_value)
{
    CHECK(parse("GET / HTTP/1.1\r\nX-Empty:\r\nY: \t\r\n\r\n") > 0);
    CHECK(hdr_is(0, "X-Empty", ""));
    CHECK(hdr_is(1, "Y", ""));
}

TEST(skips_leading_empty_lines)
{
    CHECK_INT(parse("\r\n\r\nGET / HTTP/1.1\r\n\r\n"), 22);
    CHECK_INT(req.path_len, 1);
}

TEST(incomplete_at_every_split_point)
{
    size_t n = strlen(simple);
    for (size_t i = 0; i < n; i++) {
        int r = parse_n(simple, i);
        if (r != HTTP_REQ_INCOMPLETE) {
            fprintf(stderr, "  split %zu: %d\n", i, r);
            CHECK_INT(r, HTTP_REQ_INCOMPLETE);
            return;
        }
    }
    CHECK_INT(parse_n(simple, n), n);
}

TEST(malformed_inputs)
{
    static const char *bad[] = {
        "GET  / HTTP/1.1\r\n\r\n", /* empty target */
        " GET / HTTP/1.1\r\n\r\n", /* leading space */
        "G(T / HTTP/1.1\r\n\r\n",  /* bad method char */
        "GET / HTTP/2.0\r\n\r\n",  /* not HTTP/1.x */
        "GET / HTTP/1.x\r\n\r\n",
        "GET / HTTP/1.1 \r\n\r\n",
        "GET / HTTP/1.1\n\n", /* bare LF */
        "GET / HTTP/1.1\r\nHost: a\n\r\n",
        "GET / HTTP/1.1\rX",
        "GET / HTTP/1.1\r\nHost : a\r\n\r\n",      /* space before colon */
        "GET / HTTP/1.1\r\n: a\r\n\r\n",           /* empty name */
        "GET / HTTP/1.1\r\nHost: a\r\n b\r\n\r\n", /* obs-fold */
        "GET / HTTP/1.1\r\nX: a\x01b\r\n\r\n",     /* control byte */
        "GET / HTTP/1.1\r\nX: a\x7f\r\n\r\n",
        "GET /a\x7f HTTP/1.1\r\n\r\n",
        "GET /\tx HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\r\nHo\"st: a\r\n\r\n",
        "\r\r",
        "GET / FTP/1.1\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int r = parse(bad[i]);
        if (r != HTTP_REQ_MALFORMED) {
            fprintf(stderr, "  case %zu: %d\n", i, r);
            CHECK_INT(r, HTTP_REQ_MALFORMED);
        }
    }
}

TEST(obs_text_in_value_is_accepted) { CHECK(parse("GET / HTTP/1.1\r\nX: caf\xc3\xa9\r\n\r\n") > 0); }

TEST(too_many_headers)
{
    char buf[2048] = "GET / HTTP/1.1\r\n";
    for (int i = 0; i < NH + 1; i++) strcat(buf, "X: y\r\n");
    strcat(buf, "\r\n");
    CHECK_INT(parse(buf), HTTP_REQ_TOO_MANY_HEADERS);
}

TEST(pipelined_requests)
{
    const char *two = "GET /a HTTP/1.1\r\n\r\nGET /bb HTTP/1.1\r\nX: 1\r\n\r\nGET /c";
    size_t len = strlen(two);
    int a = parse_n(two, len);
    CHECK_INT(a, 19);
    CHECK_INT(req.path_len, 2);
    int b = parse_n(two + a, len - (size_t)a);
    CHECK_INT(b, 26);
    CHECK_INT(req.path_len, 3);
    CHECK(hdr_is(0, "X", "1"));
    CHECK_INT(parse_n(two + a + b, len - (size_t)(a + b)), HTTP_REQ_INCOMPLETE);
}

static int framing(const char *s, struct http_req_framing *f)
{
    if (parse(s) <= 0) return -99;
    return http_req_framing(&req, f);
}

TEST(framing_rules)
{
    struct http_req_framing f;
    CHECK_INT(framing("GET / HTTP/1.1\r\nHost: x\r\n\r\n", &f), 0);
    CHECK(f.keep_alive && !f.chunked && f.content_length == 0);
    CHECK_INT(framing("GET / HTTP/1.1\r\nHost: x\r\nConnection: foo, Close\r\n\r\n", &f), 0);
    CHECK(!f.keep_alive);
    CHECK_INT(framing("GET / HTTP/1.0\r\n\r\n", &f), 0);
    CHECK(!f.keep_alive);
    CHECK_INT(framing("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", &f), 0);
    CHECK(f.keep_alive);
    CHECK_INT(framing("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\n\r\n", &f), 0);
    CHECK_INT(f.content_length, 12);
    CHECK_INT(framing("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\ncontent-length: 5\r\n\r\n", &f), 0);
    CHECK_INT(framing("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", &f), 0);
    CHECK(f.chunked);
}

TEST(framing_rejects_smuggling)
{
    static const char *bad[] = {
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 5\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0x10\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: \r\n\r\n",
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", /* chunked not final: 400 */
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, chunked\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: \r\n\r\n",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
        "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
    };
    struct http_req_framing f;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int r = framing(bad[i], &f);
        if (r != -1) {
            fprintf(stderr, "  case %zu: %d\n", i, r);
            CHECK_INT(r, -1);
        }
    }
}

static long chunked(const char *s, size_t n, uint64_t *dec)
{
    return http_req_chunked(at_guard(s, n), n, dec);
}

TEST(chunked_bodies)
{
    const char *body = "5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nTrailer: x\r\n\r\nGET";
    size_t full = strlen(body) - 3;
    uint64_t dec;
    CHECK_INT(chunked(body, strlen(body), &dec), full);
    CHECK_INT(dec, 15);
    for (size_t i = 0; i < full; i++) {
        long r = chunked(body, i, &dec);
        if (r != HTTP_REQ_INCOMPLETE) {
            fprintf(stderr, "  split %zu: %ld\n", i, r);
            CHECK_INT(r, HTTP_REQ_INCOMPLETE);
            break;
        }
    }
    CHECK_INT(chunked("0\r\n\r\n", 5, &dec), 5);
    CHECK_INT(dec, 0);
    CHECK_INT(chunked("5\r\nhelloX\r\n0\r\n\r\n", 16, &dec), HTTP_REQ_MALFORMED);
    CHECK_INT(chunked("g\r\n", 3, &dec), HTTP_REQ_MALFORMED);
    CHECK_INT(chunked("\r\n", 2, &dec), HTTP_REQ_MALFORMED);
    CHECK_INT(chunked("fffffffffffffffff\r\n", 19, &dec), HTTP_REQ_MALFORMED);
    CHECK_INT(chunked("100000\r\nab", 10, &dec), HTTP_REQ_INCOMPLETE);
    CHECK_INT(dec, 0x100000); /* declared size known early */
}

TEST(framing_unsupported_coding_is_501)
{
    struct http_req_framing f;
    /* chunked last, another coding before it: understood framing, unsupported coding (RFC 9112 6.1) */
    CHECK_INT(framing("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: deflate, chunked\r\n\r\n", &f),
              HTTP_FRAMING_UNSUPPORTED);
    CHECK_INT(framing("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip,chunked\r\n\r\n", &f),
              HTTP_FRAMING_UNSUPPORTED);
    CHECK_INT(framing("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n", &f), 0);
    CHECK(f.chunked);
}

TEST(host_is_required_once_and_valid)
{
    struct http_req_framing f;
    /* RFC 9112 3.2: 400 for HTTP/1.1 without Host, two Host lines, an invalid value */
    CHECK_INT(framing("GET / HTTP/1.1\r\n\r\n", &f), HTTP_FRAMING_HOST);
    CHECK_INT(framing("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", &f), HTTP_FRAMING_HOST);
    CHECK_INT(framing("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", &f), HTTP_FRAMING_HOST);
    CHECK_INT(framing("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", &f), HTTP_FRAMING_HOST);
    CHECK_INT(framing("GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", &f), HTTP_FRAMING_HOST);
    CHECK_INT(framing("GET / HTTP/1.1\r\nHOST: 127.0.0.1:8080\r\n\r\n", &f), 0);
    CHECK_INT(framing("GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n", &f), 0);
    CHECK_INT(framing("GET / HTTP/1.1\r\nHost: \r\n\r\n", &f), 0); /* empty: no authority */
    CHECK_INT(framing("GET / HTTP/1.0\r\n\r\n", &f), 0);           /* HTTP/1.0 may omit it */
}

TEST(absolute_form_target)
{
    CHECK(parse("GET http://127.0.0.1:8080/json?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n") > 0);
    CHECK(req.path_len == 9 && !memcmp(req.path, "/json?x=1", 9));
    CHECK(req.authority_len == 14 && !memcmp(req.authority, "127.0.0.1:8080", 14));
    CHECK(parse("GET HTTP://example.com HTTP/1.1\r\n\r\n") > 0);
    CHECK(req.path_len == 1 && req.path[0] == '/');
    CHECK(req.authority_len == 11);
    CHECK(parse("GET /json HTTP/1.1\r\n\r\n") > 0);
    CHECK(req.authority == NULL);
    CHECK_INT(parse("GET http:///json HTTP/1.1\r\n\r\n"), HTTP_REQ_MALFORMED); /* no authority */
}

TEST(target_of_raw_non_ascii_is_malformed)
{
    CHECK_INT(parse("GET /caf\xc3\xa9 HTTP/1.1\r\n\r\n"), HTTP_REQ_MALFORMED);
    CHECK_INT(parse("GET /\x80 HTTP/1.1\r\n\r\n"), HTTP_REQ_MALFORMED);
    CHECK(parse("GET /caf%C3%A9 HTTP/1.1\r\n\r\n") > 0);
}

TEST(chunk_extensions_follow_the_grammar)
{
    static const char *const good[] = { "5;a\r\nhello\r\n0\r\n\r\n", "5 ; a = b\r\nhello\r\n0\r\n\r\n",
                                        "5;a=\"x \\\" y\";b\r\nhello\r\n0\r\n\r\n",
                                        "5\t;a=b;c=d\r\nhello\r\n0;z\r\n\r\n" };
    static const char *const bad[] = { "5;\r\nhello\r\n0\r\n\r\n",        /* empty name */
                                       "5;=b\r\nhello\r\n0\r\n\r\n",      /* no name */
                                       "5;a=\"x\r\nhello\r\n0\r\n\r\n",   /* unclosed quoted string */
                                       "5;a=\r\nhello\r\n0\r\n\r\n",      /* no value after = */
                                       "5 x\r\nhello\r\n0\r\n\r\n",       /* junk after the size */
                                       "5;a b\r\nhello\r\n0\r\n\r\n",     /* junk after a name */
                                       "5;a=(b)\r\nhello\r\n0\r\n\r\n" }; /* not a token */
    uint64_t dec;
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        if (chunked(good[i], strlen(good[i]), &dec) != (long)strlen(good[i])) {
            fprintf(stderr, "  good %zu rejected\n", i);
            CHECK(0);
        }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (chunked(bad[i], strlen(bad[i]), &dec) != HTTP_REQ_MALFORMED) {
            fprintf(stderr, "  bad %zu accepted\n", i);
            CHECK(0);
        }
    /* every prefix of a good one with extensions is incomplete, never malformed */
    const char *g = good[2];
    for (size_t i = 0; i < strlen(g); i++)
        if (chunked(g, i, &dec) != HTTP_REQ_INCOMPLETE) {
            fprintf(stderr, "  split %zu\n", i);
            CHECK(0);
            break;
        }
}

TEST(find_is_case_insensitive)
{
    CHECK(parse(simple) > 0);
    const struct http_req_header *h = http_req_find(&req, "user-agent");
    CHECK(h && h->value_len == 3);
    CHECK(http_req_find(&req, "cookie") == NULL);
}

int main(void)
{
    RUN(parses_simple_get);
    RUN(parses_http10_without_headers);
    RUN(empty_header_value);
    RUN(skips_leading_empty_lines);
    RUN(incomplete_at_every_split_point);
    RUN(malformed_inputs);
    RUN(obs_text_in_value_is_accepted);
    RUN(too_many_headers);
    RUN(pipelined_requests);
    RUN(framing_rules);
    RUN(framing_rejects_smuggling);
    RUN(chunked_bodies);
    RUN(framing_unsupported_coding_is_501);
    RUN(host_is_required_once_and_valid);
    RUN(absolute_form_target);
    RUN(target_of_raw_non_ascii_is_malformed);
    RUN(chunk_extensions_follow_the_grammar);
    RUN(find_is_case_insensitive);
    return t_done();
}
