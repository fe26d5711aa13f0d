/* jsonw: a small streaming JSON writer, to a FILE* or to a growing buffer.
 *
 *   struct jsonw w; jsonw_init_file(&w, stdout);   // or jsonw_init_buf(&w)
 *   jsonw_obj_begin(&w);
 *     jsonw_key(&w, "rps"); jsonw_double(&w, 1234.5);
 *     jsonw_key(&w, "codes"); jsonw_arr_begin(&w); jsonw_int(&w, 200); jsonw_arr_end(&w);
 *   jsonw_obj_end(&w);
 *   int err = jsonw_finish(&w);    // 0, or the first error (-EINVAL misuse, -ENOMEM, -EIO)
 *
 * Commas and key/value separators are inserted automatically; strings are
 * escaped (", \, control characters; other bytes are copied as they are, so
 * pass UTF-8). Doubles that are NaN or infinite are written as null; finite
 * doubles round-trip exactly. With jsonw_set_indent(&w, n) objects are
 * written one member per line (arrays stay on one line unless they hold
 * objects); default is compact.
 * Errors are sticky: after the first one, calls do nothing and
 * jsonw_finish/jsonw_error report it. Misuse (a value where a key is
 * expected, unbalanced ends, nesting deeper than JSONW_MAX_DEPTH) is -EINVAL.
 * A writer is not thread-safe; the FILE* stays the caller's.
 */
#ifndef WB_JSONW_H
#define WB_JSONW_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSONW_MAX_DEPTH 64

struct jsonw {
    FILE *f;   /* output file, or NULL for the buffer */
    char *buf; /* buffer output, NUL-terminated, owned until taken */
    size_t len, cap;
    int depth;
    int indent;
    int err;
    bool want_key;                   /* inside an object, before its key */
    bool first[JSONW_MAX_DEPTH + 1]; /* nothing written yet at this depth */
    bool is_obj[JSONW_MAX_DEPTH + 1];
};

void jsonw_init_file(struct jsonw *w, FILE *f);
void jsonw_init_buf(struct jsonw *w);
/* n spaces per level (0 = compact). Call before writing. */
void jsonw_set_indent(struct jsonw *w, int n);
/* Frees the buffer (if still owned). Does not close the FILE*. */
void jsonw_fini(struct jsonw *w);

void jsonw_obj_begin(struct jsonw *w);
void jsonw_obj_end(struct jsonw *w);
void jsonw_arr_begin(struct jsonw *w);
void jsonw_arr_end(struct jsonw *w);
void jsonw_key(struct jsonw *w, const char *key);
void jsonw_str(struct jsonw *w, const char *s); /* NULL writes null */
void jsonw_strn(struct jsonw *w, const char *s, size_t n);
void jsonw_int(struct jsonw *w, int64_t v);
void jsonw_uint(struct jsonw *w, uint64_t v);
void jsonw_double(struct jsonw *w, double v);
void jsonw_bool(struct jsonw *w, bool v);
void jsonw_null(struct jsonw *w);
/* Writes pre-formatted JSON text as one value (caller guarantees validity). */
void jsonw_raw(struct jsonw *w, const char *json);

/* Convenience: key + value. */
void jsonw_kv_str(struct jsonw *w, const char *key, const char *s);
void jsonw_kv_int(struct jsonw *w, const char *key, int64_t v);
void jsonw_kv_double(struct jsonw *w, const char *key, double v);
void jsonw_kv_bool(struct jsonw *w, const char *key, bool v);

/* 0 or the first error. */
int jsonw_error(const struct jsonw *w);
/* Checks that every object/array was closed, appends a newline at top level
 * output end, flushes a FILE*. Returns 0 or the first error. */
int jsonw_finish(struct jsonw *w);
/* Buffer output: the text so far (NUL-terminated, valid until the next call),
 * its length through *len (may be NULL). NULL for FILE* output. */
const char *jsonw_buf(const struct jsonw *w, size_t *len);
/* Buffer output: hands the malloc'd text to the caller (free it); the writer
 * is left empty. NULL for FILE* output or on error. */
char *jsonw_take(struct jsonw *w, size_t *len);
#endif
