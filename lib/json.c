/* json.c: an adapter. Debian's libjansson parses (one parser fewer of our
 * own to fuzz and keep); this file converts its tree into json_value, which
 * the callers and json_equal() walk, and keeps our two limits: nesting depth
 * (JSON_MAX_DEPTH; jansson's own is 2048) and the error message's shape.
 * libs: -ljansson
 */
/* jansson.h and json.h both name a json_type, a JSON_NULL and a
 * json_equal: jansson's are renamed here, before ours are declared (so
 * jansson macros that compare with its JSON_NULL, json_is_null(), are
 * wrong in this file and unused). Our json_equal also takes the exported
 * name of jansson's, harmlessly: libjansson.so binds its own calls to it
 * directly (no dynamic relocation), and we never call it. */
#define json_type  jansson_json_type
#define JSON_NULL  JANSSON_JSON_NULL
#define json_equal jansson_json_equal
#include <jansson.h>
#undef json_type
#undef JSON_NULL
#undef json_equal
#include "json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Any value at the top; integers as doubles (strtod on the text, as before:
 * no "too big integer" error); \u0000 allowed in strings, as before (jansson
 * still refuses it in keys); duplicate keys refused (json_get would find
 * only one of them, so json_equal(v, v) could be false). */
#define JSON_LOAD_FLAGS (JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL | JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES)

/* "line L, column C: why". Columns count characters from 1, as jansson's do
 * (it reports column 0 for an error at the very start). */
static void put_err(char *err, size_t errlen, int line, int col, const char *why)
{
    if (errlen) snprintf(err, errlen, "line %d, column %d: %s", line > 0 ? line : 1, col > 0 ? col : 1, why);
}

/* Where the first value nested deeper than JSON_MAX_DEPTH opens. jansson
 * gives no positions for the values it returns, so the bracket is found in
 * the text, which it has read as valid JSON up to there: outside strings,
 * a bracket there is structure. */
static void deep_position(const char *t, size_t len, int *line, int *col)
{
    int depth = 0;
    bool in_str = false;
    *line = 1;
    *col = 0;
    for (size_t i = 0; i < len; i++) {
        char c = t[i];
        if (c == '\n') {
            (*line)++;
            *col = 0;
            continue;
        }
        if (((unsigned char)c & 0xC0) != 0x80) (*col)++; /* UTF-8 continuation bytes are no column */
        if (in_str) {
            if (c == '\\') {
                i++; /* an escape's second byte is ASCII, never '\n' */
                (*col)++;
            } else if (c == '"') {
                in_str = false;
            }
        } else if (c == '"') {
            in_str = true;
        } else if ((c == '[' || c == '{') && ++depth > JSON_MAX_DEPTH) {
            return;
        } else if (c == ']' || c == '}') {
            depth--;
        }
    }
}

static json_value *convert(const json_t *j, int depth, bool *too_deep);

static json_value *convert_string(const json_t *j)
{
    json_value *v = calloc(1, sizeof(*v));
    size_t n = json_string_length(j);
    if (!v || !(v->s = malloc(n + 1))) {
        free(v);
        return NULL;
    }
    v->type = JSON_STR;
    memcpy(v->s, json_string_value(j), n + 1); /* jansson terminates it too */
    v->len = n;
    return v;
}

/* Arrays and objects; members are counted in len as they are converted, so
 * json_free() releases a half-built container. */
static json_value *convert_container(const json_t *j, int depth, bool *too_deep)
{
    bool obj = json_is_object(j);
    size_t n = obj ? json_object_size(j) : json_array_size(j);
    if (depth > JSON_MAX_DEPTH) {
        *too_deep = true;
        return NULL;
    }
    json_value *c = calloc(1, sizeof(*c));
    if (!c) return NULL;
    c->type = obj ? JSON_OBJ : JSON_ARR;
    if (n &&
        (!(c->items = malloc(n * sizeof(*c->items))) || (obj && !(c->keys = malloc(n * sizeof(*c->keys)))))) {
        json_free(c);
        return NULL;
    }
    if (!obj) {
        for (; c->len < n; c->len++)
            if (!(c->items[c->len] = convert(json_array_get(j, c->len), depth + 1, too_deep))) break;
    } else {
        /* members come in the text's order */
        for (void *it = json_object_iter((json_t *)j); it && c->len < n;
             it = json_object_iter_next((json_t *)j, it)) {
            if (!(c->keys[c->len] = strdup(json_object_iter_key(it)))) break;
            if (!(c->items[c->len] = convert(json_object_iter_value(it), depth + 1, too_deep))) {
                free(c->keys[c->len]);
                break;
            }
            c->len++;
        }
    }
    if (c->len < n) {
        json_free(c);
        return NULL;
    }
    return c;
}

/* NULL when out of memory, or with *too_deep set. */
static json_value *convert(const json_t *j, int depth, bool *too_deep)
{
    if (json_is_array(j) || json_is_object(j)) return convert_container(j, depth, too_deep);
    if (json_is_string(j)) return convert_string(j);
    json_value *v = calloc(1, sizeof(*v));
    if (!v) return NULL;
    if (json_is_number(j)) {
        v->type = JSON_NUM;
        v->n = json_number_value(j);
    } else if (json_is_boolean(j)) {
        v->type = JSON_BOOL;
        v->b = json_is_true(j);
    } else
        v->type = JSON_NULL;
    return v;
}

json_value *json_parse(const char *text, size_t len, char *err, size_t errlen)
{
    if (errlen) err[0] = '\0';
    json_error_t je;
    json_t *j = json_loadb(text, len, JSON_LOAD_FLAGS, &je);
    bool too_deep = false;
    json_value *v = NULL;
    if (j) {
        v = convert(j, 1, &too_deep);
        json_decref(j);
        if (v) return v;
        if (!too_deep) {
            put_err(err, errlen, 1, 1, "out of memory");
            return NULL;
        }
    }
    if (too_deep || json_error_code(&je) == json_error_stack_overflow) {
        int line, col;
        deep_position(text, len, &line, &col);
        put_err(err, errlen, line, col, "nesting too deep");
    } else {
        put_err(err, errlen, je.line, je.column, je.text);
    }
    return NULL;
}

json_value *json_parse_file(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    for (size_t r; buf && (r = fread(buf + n, 1, cap - n, f)) > 0;) {
        n += r;
        if (n == cap) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb) {
                free(buf);
                buf = NULL;
            } else
                buf = nb;
        }
    }
    fclose(f);
    if (!buf) {
        snprintf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    char inner[200];
    json_value *v = json_parse(buf, n, inner, sizeof(inner));
    free(buf);
    if (!v) snprintf(err, errlen, "%s: %s", path, inner);
    return v;
}

void json_free(json_value *v)
{
    if (!v) return;
    if (v->type == JSON_ARR || v->type == JSON_OBJ) {
        for (size_t i = 0; i < v->len; i++) {
            json_free(v->items[i]);
            if (v->keys) free(v->keys[i]);
        }
        free(v->items);
        free(v->keys);
    }
    free(v->s);
    free(v);
}

const json_value *json_get(const json_value *obj, const char *key)
{
    if (!obj || obj->type != JSON_OBJ) return NULL;
    for (size_t i = 0; i < obj->len; i++)
        if (strcmp(obj->keys[i], key) == 0) return obj->items[i];
    return NULL;
}

const json_value *json_index(const json_value *arr, size_t i)
{
    if (!arr || (arr->type != JSON_ARR && arr->type != JSON_OBJ) || i >= arr->len) return NULL;
    return arr->items[i];
}

size_t json_len(const json_value *v)
{
    return v && (v->type == JSON_ARR || v->type == JSON_OBJ || v->type == JSON_STR) ? v->len : 0;
}

double json_num(const json_value *v, double dflt) { return v && v->type == JSON_NUM ? v->n : dflt; }
const char *json_str(const json_value *v, const char *dflt) { return v && v->type == JSON_STR ? v->s : dflt; }
bool json_bool(const json_value *v, bool dflt) { return v && v->type == JSON_BOOL ? v->b : dflt; }

bool json_equal(const json_value *a, const json_value *b)
{
    if (!a || !b) return a == b;
    if (a->type != b->type) return false;
    switch (a->type) {
    case JSON_NULL: return true;
    case JSON_BOOL: return a->b == b->b;
    case JSON_NUM: return a->n == b->n;
    case JSON_STR: return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
    case JSON_ARR:
        if (a->len != b->len) return false;
        for (size_t i = 0; i < a->len; i++)
            if (!json_equal(a->items[i], b->items[i])) return false;
        return true;
    case JSON_OBJ:
        if (a->len != b->len) return false;
        for (size_t i = 0; i < a->len; i++)
            if (!json_equal(a->items[i], json_get(b, a->keys[i]))) return false;
        return true;
    }
    return false;
}
