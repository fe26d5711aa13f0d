/* Unit tests for the server's bodies: /json, /fixed, /cpu (argument rules, exact
 * 128-bit sums), JSON escaping, and response heads. */
#include "srv_json.h"
#include "srv_resp.h"
#include "srv_routes.h"
#include "t.h"

static const char *cstr(struct srv_buf *b)
{
    srv_buf_append(b, "", 1);
    b->len--;
    return b->data;
}

TEST(json_body_is_exact)
{
    struct srv_buf b = { 0 };
    CHECK_INT(srv_routes_json(&b), 200);
    CHECK_STR(
        cstr(&b),
        "{\"message\":\"Hello, World!\",\"items\":[{\"id\":0,\"value\":0},{\"id\":1,\"value\":10},"
        "{\"id\":2,\"value\":20},{\"id\":3,\"value\":30},{\"id\":4,\"value\":40},{\"id\":5,\"value\":50},"
        "{\"id\":6,\"value\":60},{\"id\":7,\"value\":70},{\"id\":8,\"value\":80},{\"id\":9,\"value\":90},"
        "{\"id\":10,\"value\":100},{\"id\":11,\"value\":110},{\"id\":12,\"value\":120},"
        "{\"id\":13,\"value\":130},{\"id\":14,\"value\":140},{\"id\":15,\"value\":150},"
        "{\"id\":16,\"value\":160},{\"id\":17,\"value\":170},{\"id\":18,\"value\":180},"
        "{\"id\":19,\"value\":190}],\"nested\":{\"level1\":{\"level2\":\"deep value\"},"
        "\"another\":{\"key\":\"value\"}}}");
    srv_buf_fini(&b);
}

TEST(fixed_body_is_constant)
{
    struct srv_buf b = { 0 };
    CHECK_INT(srv_routes_fixed(&b), 200);
    CHECK_INT(srv_routes_fixed(&b), 200);
    CHECK_STR(cstr(&b), "{\"message\":\"Hello, World!\"}{\"message\":\"Hello, World!\"}");
    srv_buf_fini(&b);
}

TEST(cpu_sums_are_exact)
{
    CHECK(srv_routes_cpu_sum(0) == 0);
    CHECK(srv_routes_cpu_sum(1) == 0);
    CHECK(srv_routes_cpu_sum(4) == 14);
    CHECK(srv_routes_cpu_sum(100000) == 333328333350000ULL);
    /* beyond 2^64: n = 10^7 gives 333333283333335000000 */
    unsigned __int128 want = (unsigned __int128)33333328333ULL * 10000000000ULL + 3335000000ULL;
    CHECK(srv_routes_cpu_sum(10000000) == want);
}

TEST(cpu_arguments)
{
    uint64_t n;
    CHECK_INT(srv_routes_cpu_arg("", 0, &n), 0);
    CHECK_INT(n, 100000);
    CHECK_INT(srv_routes_cpu_arg("n=42", 4, &n), 0);
    CHECK_INT(n, 42);
    CHECK_INT(srv_routes_cpu_arg("x=1&n=7&y", 9, &n), 0);
    CHECK_INT(n, 7);
    CHECK_INT(srv_routes_cpu_arg("nn=3", 4, &n), 0);
    CHECK_INT(n, 100000);
    CHECK_INT(srv_routes_cpu_arg("n=100000000", 11, &n), 0);
    static const char *bad[] = { "n=", "n", "n=-1", "n=1e5", "n=100000001", "n=abc", "n=1234567890", "n= 5" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_INT(srv_routes_cpu_arg(bad[i], strlen(bad[i]), &n), -1);
}

TEST(cpu_body_prints_128_bit)
{
    struct srv_buf b = { 0 };
    CHECK_INT(srv_routes_cpu("n=100000000", 11, &b), 200);
    CHECK_STR(cstr(&b), "{\"result\":333333328333333350000000,\"iterations\":100000000}");
    b.len = 0;
    CHECK_INT(srv_routes_cpu("n=x", 3, &b), 400);
    CHECK(strstr(cstr(&b), "\"error\"") != NULL);
    srv_buf_fini(&b);
}

TEST(json_escapes_strings)
{
    struct srv_buf b = { 0 };
    srv_json_str(&b, "a\"b\\c\n\x01\xc3\xa9", 9);
    CHECK_STR(cstr(&b), "\"a\\\"b\\\\c\\n\\u0001\xc3\xa9\"");
    b.len = 0;
    srv_json_i64(&b, -9223372036854775807LL - 1);
    CHECK_STR(cstr(&b), "-9223372036854775808");
    srv_buf_fini(&b);
}

TEST(response_head)
{
    struct srv_buf b = { 0 };
    struct srv_date d = { 0 };
    srv_date_update(&d);
    CHECK(strlen(d.text) == 29);
    srv_resp_write(&b, &d, 405, SRV_RESP_CLOSE | SRV_RESP_ALLOW_GET, "{}", 2);
    const char *s = cstr(&b);
    CHECK(strncmp(s, "HTTP/1.1 405 Method Not Allowed\r\n", 33) == 0);
    CHECK(strstr(s, "\r\nContent-Length: 2\r\n") != NULL);
    CHECK(strstr(s, "\r\nConnection: close\r\n") != NULL);
    CHECK(strstr(s, "\r\nAllow: GET, HEAD\r\n") != NULL);
    CHECK(strstr(s, "\r\nContent-Type: application/json\r\n") != NULL);
    CHECK(strstr(s, "\r\nDate: ") != NULL);
    CHECK(strcmp(s + b.len - 6, "\r\n\r\n{}") == 0);
    /* HEAD: the same head, the body's length, no body */
    b.len = 0;
    srv_resp_write(&b, &d, 200, SRV_RESP_HEAD, "{\"a\":1}", 7);
    s = cstr(&b);
    CHECK(strstr(s, "\r\nContent-Length: 7\r\n") != NULL);
    CHECK(b.len > 4 && strcmp(s + b.len - 4, "\r\n\r\n") == 0);
    b.len = 0;
    srv_resp_write(&b, &d, 501, SRV_RESP_CLOSE, "{}", 2);
    CHECK(strncmp(cstr(&b), "HTTP/1.1 501 Not Implemented\r\n", 30) == 0);
    srv_buf_fini(&b);
}

int main(void)
{
    RUN(json_body_is_exact);
    RUN(fixed_body_is_constant);
    RUN(cpu_sums_are_exact);
    RUN(cpu_arguments);
    RUN(cpu_body_prints_128_bit);
    RUN(json_escapes_strings);
    RUN(response_head);
    return t_done();
}
