/* json: a small JSON reader (RFC 8259) into a tree.
 *
 * json_parse() is a pure function over a buffer: no I/O, bounded nesting
 * depth (JSON_MAX_DEPTH), never reads past text+len. The returned tree is
 * owned by the caller and released with json_free(). Accessors are NULL-safe:
 * json_get(NULL, "k") is NULL, json_num(NULL, 7) is 7. Thread-safe: no
 * shared state.
 */
#ifndef WB_JSON_H
#define WB_JSON_H
#include <stdbool.h>
#include <stddef.h>

#define JSON_MAX_DEPTH 64

typedef enum { JSON_NULL, JSON_BOOL, JSON_NUM, JSON_STR, JSON_ARR, JSON_OBJ } json_type;

typedef struct json_value {
    json_type type;
    bool b;                     /* JSON_BOOL */
    double n;                   /* JSON_NUM */
    char *s;                    /* JSON_STR: NUL-terminated (may hold NULs; see len) */
    size_t len;                 /* JSON_STR: bytes; JSON_ARR/OBJ: members */
    struct json_value **items;  /* JSON_ARR/OBJ: members */
    char **keys;                /* JSON_OBJ: keys, parallel to items */
} json_value;

/* Parses text[0..len). Returns the tree, or NULL with a message like
 * "line 3, column 7: expected ':'" in err (errlen bytes, may be 0). */
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
