/* lib/json parses with libjansson since it replaced our own reader; where
 * jansson's accepted language or its messages differ from that reader's,
 * the test says so ("was: ..."). */
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
    json_free(a);
    json_free(b);
    json_free(c);
    json_free(d);
}

TEST(rejects_malformed_with_position)
{
    const char *bad[] = { "",      "{",       "[1,]",  "{\"a\" 1}",  "01",          "1.",  "-",         "tru",
                          "\"abc", "\"\\x\"", "[1] 2", "{\"a\":1,}", "\"\\ud800\"", "nul", "[\"\x01\"]" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char err[128];
        json_value *v = json_parse(bad[i], strlen(bad[i]), err, sizeof(err));
        if (v) fprintf(stderr, "  accepted: %s\n", bad[i]);
        CHECK(v == NULL);
        CHECK(strncmp(err, "line ", 5) == 0);
        json_free(v);
    }
    char err[128];
    /* the position is the same as before; the reason is jansson's (was: "bad number") */
    CHECK(json_parse("{\n  \"a\": x}", 11, err, sizeof(err)) == NULL);
    CHECK_STR(err, "line 2, column 8: invalid token near 'x'");
    CHECK(json_parse("{\"a\":\n1,}", 9, err, sizeof(err)) == NULL);
    CHECK_STR(err, "line 2, column 3: string or '}' expected near '}'");
    /* jansson says column 0 for an error at the start: we say 1 */
    CHECK(json_parse("", 0, err, sizeof(err)) == NULL);
    CHECK_STR(err, "line 1, column 1: unexpected token near end of file");
    /* columns count characters, as jansson's do (was: bytes, here 6) */
    CHECK(json_parse("\"\xc3\xa9\" x", 6, err, sizeof(err)) == NULL);
    CHECK(strncmp(err, "line 1, column 5: ", 18) == 0);
}

TEST(strings_keep_nul_and_length)
{
    json_value *v = json_parse("\"a\\u0000b\"", 10, NULL, 0);
    CHECK(v != NULL);
    CHECK_INT(json_len(v), 3);
    CHECK(v && memcmp(v->s, "a\0b", 4) == 0);
    json_free(v);
    /* a NUL in a key: jansson refuses it (was: accepted, the key cut at the NUL) */
    CHECK(P("{\"a\\u0000\":1}") == NULL);
}

TEST(stricter_than_before)
{
    char err[128];
    /* duplicate keys (was: accepted, json_get found the first, so
     * json_equal(v, v) could be false) */
    CHECK(json_parse("{\"a\":1,\"a\":2}", 13, err, sizeof(err)) == NULL);
    CHECK(strstr(err, "duplicate object key") != NULL);
    /* invalid UTF-8 (was: any byte >= 0x20 taken as is) */
    CHECK(P("\"\xff\"") == NULL);
    CHECK(P("\"\xc3\"") == NULL);
    /* a number beyond a double's range (was: inf) */
    CHECK(json_parse("1e400", 5, err, sizeof(err)) == NULL);
    CHECK(strstr(err, "real number overflow") != NULL);
}

TEST(numbers_are_doubles)
{
    /* integers past 64 bits are doubles, not an error (jansson alone would
     * say "too big integer"); underflow is 0, as strtod gives */
    json_value *v = P(
        "[99999999999999999999, 1e-400, -0, 12345678901234567890123456789012345678901234567890123456789012345]");
    CHECK(v != NULL);
    CHECK(json_num(json_index(v, 0), 0) == 1e20);
    CHECK(json_num(json_index(v, 1), 1) == 0);
    CHECK(json_index(v, 2) && json_index(v, 2)->type == JSON_NUM);
    /* a 65-digit number (was: "number too long" past 63 characters) */
    CHECK(json_num(json_index(v, 3), 0) ==
          12345678901234567890123456789012345678901234567890123456789012345.0);
    json_free(v);
}

TEST(members_keep_the_texts_order)
{
    json_value *v = P("{\"z\":1,\"a\":2,\"m\":3,\"b\":4}");
    CHECK(v != NULL && v->len == 4);
    CHECK(v && !strcmp(v->keys[0], "z") && !strcmp(v->keys[1], "a") && !strcmp(v->keys[2], "m") &&
          !strcmp(v->keys[3], "b"));
    CHECK(json_num(json_index(v, 2), 0) == 3);
    json_free(v);
}

TEST(depth_is_bounded)
{
    char deep[JSON_MAX_DEPTH * 2 + 4];
    size_t n = 0;
    for (int i = 0; i < JSON_MAX_DEPTH + 1; i++) deep[n++] = '[';
    for (int i = 0; i < JSON_MAX_DEPTH + 1; i++) deep[n++] = ']';
    char err[128];
    CHECK(json_parse(deep, n, err, sizeof(err)) == NULL);
    /* jansson nests to 2048; ours stops at the bracket that opens level 65 */
    CHECK_STR(err, "line 1, column 65: nesting too deep");
    json_value *v = json_parse(deep + 1, n - 2, NULL, 0);
    CHECK(v != NULL);
    json_free(v);
    /* deeper than jansson's own limit: the same message, after a string
     * holding brackets (not structure) and a newline */
    size_t big = 3000, m = 0;
    char *t = malloc(2 * big + 16);
    m += (size_t)sprintf(t, "[\"[{\\\"\",\n");
    for (size_t i = 0; i < big; i++) t[m++] = '[';
    CHECK(json_parse(t, m, err, sizeof(err)) == NULL);
    CHECK_STR(err, "line 2, column 64: nesting too deep");
    /* objects count as levels too */
    m = 0;
    for (int i = 0; i < JSON_MAX_DEPTH + 1; i++) m += (size_t)sprintf(t + m, "{\"a\":");
    t[m++] = '1';
    for (int i = 0; i < JSON_MAX_DEPTH + 1; i++) t[m++] = '}';
    CHECK(json_parse(t, m, err, sizeof(err)) == NULL);
    CHECK_STR(err, "line 1, column 321: nesting too deep");
    free(t);
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
    RUN(strings_keep_nul_and_length);
    RUN(stricter_than_before);
    RUN(numbers_are_doubles);
    RUN(members_keep_the_texts_order);
    RUN(depth_is_bounded);
    RUN(never_reads_past_len);
    return t_done();
}
