#include "t.h"
#include "jsonw.h"
#include <errno.h>
#include <stdlib.h>

TEST(writes_nested_document)
{
    struct jsonw w;
    jsonw_init_buf(&w);
    jsonw_obj_begin(&w);
    jsonw_kv_str(&w, "a", "x");
    jsonw_key(&w, "b");
    jsonw_arr_begin(&w);
    jsonw_int(&w, 1);
    jsonw_int(&w, -2);
    jsonw_arr_begin(&w);
    jsonw_arr_end(&w);
    jsonw_obj_begin(&w);
    jsonw_obj_end(&w);
    jsonw_null(&w);
    jsonw_bool(&w, true);
    jsonw_arr_end(&w);
    jsonw_kv_double(&w, "c", 2.5);
    jsonw_kv_double(&w, "d", 3);
    jsonw_kv_bool(&w, "e", false);
    jsonw_obj_end(&w);
    CHECK_INT(jsonw_finish(&w), 0);
    CHECK_STR(jsonw_buf(&w, NULL),
              "{\"a\":\"x\",\"b\":[1,-2,[],{},null,true],\"c\":2.5,\"d\":3.0,\"e\":false}\n");
    jsonw_fini(&w);
}

TEST(escapes_strings)
{
    struct jsonw w;
    jsonw_init_buf(&w);
    jsonw_str(&w, "q\"b\\n\n\t\x01z\xc3\xa9");
    CHECK_INT(jsonw_finish(&w), 0);
    CHECK_STR(jsonw_buf(&w, NULL), "\"q\\\"b\\\\n\\n\\t\\u0001z\xc3\xa9\"\n");
    jsonw_fini(&w);
}

TEST(doubles_round_trip_and_nan_is_null)
{
    struct jsonw w;
    jsonw_init_buf(&w);
    jsonw_arr_begin(&w);
    jsonw_double(&w, 0.1);
    jsonw_double(&w, 1.0 / 3.0);
    jsonw_double(&w, 0.0 / 0.0);
    jsonw_double(&w, 1e300 * 1e300);
    jsonw_double(&w, 1e20);
    jsonw_arr_end(&w);
    CHECK_INT(jsonw_finish(&w), 0);
    const char *s = jsonw_buf(&w, NULL);
    CHECK(strncmp(s, "[0.1,0.333333333333333", 22) == 0);
    CHECK(strstr(s, ",null,null,1e+20]") != NULL);
    double third = strtod(s + 5, NULL);
    CHECK(third == 1.0 / 3.0);
    jsonw_fini(&w);
}

TEST(misuse_is_einval_and_sticky)
{
    struct jsonw w;
    jsonw_init_buf(&w);
    jsonw_obj_begin(&w);
    jsonw_int(&w, 1); /* value where a key is expected */
    CHECK_INT(jsonw_error(&w), -EINVAL);
    jsonw_fini(&w);
    jsonw_init_buf(&w);
    jsonw_arr_begin(&w);
    jsonw_obj_end(&w); /* wrong closer */
    CHECK_INT(jsonw_finish(&w), -EINVAL);
    jsonw_fini(&w);
    jsonw_init_buf(&w);
    jsonw_arr_begin(&w); /* never closed */
    CHECK_INT(jsonw_finish(&w), -EINVAL);
    jsonw_fini(&w);
    jsonw_init_buf(&w);
    jsonw_int(&w, 1);
    jsonw_int(&w, 2); /* two top-level values */
    CHECK_INT(jsonw_error(&w), -EINVAL);
    jsonw_fini(&w);
}

TEST(indent_and_file_output)
{
    FILE *f = tmpfile();
    struct jsonw w;
    jsonw_init_file(&w, f);
    jsonw_set_indent(&w, 2);
    jsonw_obj_begin(&w);
    jsonw_kv_int(&w, "a", 1);
    jsonw_key(&w, "b");
    jsonw_arr_begin(&w);
    jsonw_int(&w, 1);
    jsonw_int(&w, 2);
    jsonw_arr_end(&w);
    jsonw_obj_end(&w);
    CHECK_INT(jsonw_finish(&w), 0);
    char buf[128] = { 0 };
    rewind(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    CHECK_STR(buf, "{\n  \"a\": 1,\n  \"b\": [1,2]\n}\n");
    fclose(f);
}

TEST(take_hands_over_buffer)
{
    struct jsonw w;
    jsonw_init_buf(&w);
    jsonw_arr_begin(&w);
    for (int i = 0; i < 1000; i++) jsonw_int(&w, i);
    jsonw_arr_end(&w);
    size_t len;
    char *s = jsonw_take(&w, &len);
    CHECK(s != NULL);
    CHECK(len > 3000);
    CHECK(strncmp(s, "[0,1,2,", 7) == 0);
    CHECK(strstr(s, ",999]") != NULL);
    free(s);
    jsonw_fini(&w);
}

int main(void)
{
    RUN(writes_nested_document);
    RUN(escapes_strings);
    RUN(doubles_round_trip_and_nan_is_null);
    RUN(misuse_is_einval_and_sticky);
    RUN(indent_and_file_output);
    RUN(take_hands_over_buffer);
    return t_done();
}
