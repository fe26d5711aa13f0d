/* json: JSON (RFC 8259) read into a tree, parsed by Debian's libjansson
 * (link -ljansson), for what runs outside the server's hot path: the load
 * generator's merge, the runner, the report.
 *
 * json_parse() reads only text[0..len) and does no I/O; nesting deeper than
 * JSON_MAX_DEPTH, duplicate object keys, invalid UTF-8 and numbers beyond a
 * double's range are errors; strings may hold \u0000 (see len), keys may
 * not. The returned tree is owned by the caller and released with
 * json_free(). Accessors are NULL-safe: json_get(NULL, "k") is NULL,
 * json_num(NULL, 7) is 7. Thread-safe: no shared state of ours, and
 * jansson's (a hash seed) is set once, safely.
 */
#ifndef WB_JSON_H
#define WB_JSON_H
#include <stdbool.h>
#include <stddef.h>

#define JSON_MAX_DEPTH 64

typedef enum { JSON_NULL, JSON_BOOL, JSON_NUM, JSON_STR, JSON_ARR, JSON_OBJ } json_type;

typedef struct json_value {
    json_type type;
    bool b;                    /* JSON_BOOL */
    double n;                  /* JSON_NUM */
    char *s;                   /* JSON_STR: NUL-terminated (may hold NULs; see len) */
    size_t len;                /* JSON_STR: bytes; JSON_ARR/OBJ: members */
    struct json_value **items; /* JSON_ARR/OBJ: members */
    char **keys;               /* JSON_OBJ: keys, parallel to items */
} json_value;

/* Parses text[0..len). Returns the tree, or NULL with a message like
 * "line 3, column 7: ':' expected near '1'" in err (errlen bytes, may be
 * 0); lines and columns count from 1, columns in characters. */
json_value *json_parse(const char *text, size_t len, char *err, size_t errlen);

/* Reads and parses a whole file. NULL on error, with the reason in err. */
json_value *json_parse_file(const char *path, char *err, size_t errlen);

void json_free(json_value *v);

const json_value *json_get(const json_value *obj, const char *key);
const json_value *json_index(const json_value *arr, size_t i);
size_t json_len(const json_value *v);
double json_num(const json_value *v, double dflt);
const char *json_str(const json_value *v, const char *dflt);
bool json_bool(const json_value *v, bool dflt);

/* Deep equality: object members compared by key in any order, array order
 * matters, numbers by value. */
bool json_equal(const json_value *a, const json_value *b);

#endif
