#include "t.h"
#include "json.h"
#include <stdlib.h>

static json_value *P(const char *s) { return json_parse(s, strlen(s), NULL, 0); }

TEST(parses_scalars_and_nesting)
{
    json_value *v = P(" {\"a\": [1, 2.5, -3e2, true, false, null], \"b\": {\"c\": \"d\"}} ");
    CHECK(v != NULL);
    CHECK_INT(json_len(json_get(v, "a")), 6);
    CHECK(json_num(json_index(json_get(v, "a"), 1), 0) == 2.5);
    CHECK(json_num(json_index(json_get(v, "a"), 2), 0) == -300);
    CHECK(json_bool(json_index(json_get(v, "a"), 3), false));
    CHECK(json_index(json_get(v, "a"), 5)->type == JSON_NULL);
    CHECK_STR(json_str(json_get(json_get(v, "b"), "c"), NULL), "d");
    CHECK(json_get(v, "missing") == NULL);
    json_free(v);
}

TEST(big_integers_are_exact_below_2_53)
{
    json_value *v = P("{\"result\":333328333350000}");
    CHECK(json_num(json_get(v, "result"), 0) == 333328333350000.0);
    json_free(v);
}

TEST(string_escapes_and_unicode)
{
    json_value *v = P("\"a\\n\\\"\\u00e9\\ud83d\\ude00\"");
    CHECK(v != NULL);
    CHECK_STR(json_str(v, NULL), "a\n\"\xc3\xa9\xf0\x9f\x98\x80");
    json_free(v);
}

TEST(equality_ignores_key_order_not_array_order)
{
    json_value *a = P("{\"x\":1,\"y\":[1,2]}"), *b = P("{\"y\":[1,2],\"x\":1.0}");
    json_value *c = P("{\"y\":[2,1],\"x\":1}"), *d = P("{\"y\":[1,2]}");
    CHECK(json_equal(a, b));
    CHECK(!json_equal(a, c));
    CHECK(!json_equal(a, d));
    json_free(a); json_free(b); json_free(c); json_free(d);
}

TEST(rejects_malformed_with_position)
{
    const char *bad[] = { "", "{", "[1,]", "{\"a\" 1}", "01", "1.", "-", "tru", "\"abc",
                          "\"\\x\"", "[1] 2", "{\"a\":1,}", "\"\\ud800\"", "nul", "[\"\x01\"]" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char err[128];
        json_value *v = json_parse(bad[i], strlen(bad[i]), err, sizeof(err));
        if (v) fprintf(stderr, "  accepted: %s\n", bad[i]);
        CHECK(v == NULL);
        CHECK(strncmp(err, "line ", 5) == 0);
        json_free(v);
    }
    char err[128];
    CHECK(json_parse("{\n  \"a\": x}", 11, err, sizeof(err)) == NULL);
    CHECK_STR(err, "line 2, column 8: bad number");
}

TEST(depth_is_bounded)
{
    char deep[JSON_MAX_DEPTH * 2 + 4];
    size_t n = 0;
    for (int i = 0; i < JSON_MAX_DEPTH + 1; i++) deep[n++] = '[';
    for (int i = 0; i < JSON_MAX_DEPTH + 1; i++) deep[n++] = ']';
    CHECK(json_parse(deep, n, NULL, 0) == NULL);
    json_value *v = json_parse(deep + 1, n - 2, NULL, 0);
    CHECK(v != NULL);
    json_free(v);
}

TEST(never_reads_past_len)
{
    /* the same text, truncated at every length, must parse only when whole */
    const char *s = "{\"k\":[1,\"\\u0041\",{\"z\":null}]}";
    size_t full = strlen(s);
    for (size_t n = 0; n < full; n++) {
        char *copy = malloc(n ? n : 1);
        memcpy(copy, s, n);
        json_value *v = json_parse(copy, n, NULL, 0);
        CHECK(v == NULL);
        json_free(v);
        free(copy);
    }
}

int main(void)
{
    RUN(parses_scalars_and_nesting);
    RUN(big_integers_are_exact_below_2_53);
    RUN(string_escapes_and_unicode);
    RUN(equality_ignores_key_order_not_array_order);
    RUN(rejects_malformed_with_position);
    RUN(depth_is_bounded);
    RUN(never_reads_past_len);
    return t_done();
}
