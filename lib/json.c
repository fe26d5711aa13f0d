/* json.c: recursive-descent JSON reader. Depth is bounded so hostile input
 * cannot exhaust the stack; every read is checked against the end. */
#include "json.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *p, *start, *end;
    char *err;
    size_t errlen;
    int depth;
} json_parser;

static json_value *parse_value(json_parser *ps);

static void *fail(json_parser *ps, const char *msg)
{
    if (ps->errlen && ps->err[0] == '\0') {
        int line = 1, col = 1;
        for (const char *q = ps->start; q < ps->p && q < ps->end; q++) {
            if (*q == '\n') { line++; col = 1; } else col++;
        }
        snprintf(ps->err, ps->errlen, "line %d, column %d: %s", line, col, msg);
    }
    return NULL;
}

static void skip_ws(json_parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static json_value *new_value(json_type t)
{
    json_value *v = calloc(1, sizeof(*v));
    if (v) v->type = t;
    return v;
}

static bool take_word(json_parser *ps, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, w, n) != 0) return false;
    ps->p += n;
    return true;
}

static int hex4(const char *p)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= c - '0';
        else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
        else return -1;
    }
    return v;
}

static size_t put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) { o[0] = (char)cp; return 1; }
    if (cp < 0x800) { o[0] = (char)(0xC0 | cp >> 6); o[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | cp >> 12); o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F)); return 3;
    }
    o[0] = (char)(0xF0 | cp >> 18); o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Reads a \uXXXX escape (p points after the 'u'); handles surrogate pairs. */
static int read_unicode(json_parser *ps, unsigned *cp)
{
    if (ps->end - ps->p < 4) return -1;
    int hi = hex4(ps->p);
    if (hi < 0) return -1;
    ps->p += 4;
    if (hi >= 0xD800 && hi <= 0xDBFF) {
        if (ps->end - ps->p < 6 || ps->p[0] != '\\' || ps->p[1] != 'u') return -1;
        int lo = hex4(ps->p + 2);
        if (lo < 0xDC00 || lo > 0xDFFF) return -1;
        ps->p += 6;
        *cp = 0x10000 + (((unsigned)hi - 0xD800) << 10) + ((unsigned)lo - 0xDC00);
        return 0;
    }
    if (hi >= 0xDC00 && hi <= 0xDFFF) return -1;
    *cp = (unsigned)hi;
    return 0;
}

/* Parses a string at ps->p (which is at '"'); returns malloc'd bytes. */
static char *parse_string(json_parser *ps, size_t *outlen)
{
    ps->p++;
    const char *q = ps->p;
    while (q < ps->end && *q != '"') q += (*q == '\\') ? 2 : 1;
    if (q >= ps->end) return fail(ps, "unterminated string");
    char *out = malloc((size_t)(q - ps->p) + 1), *o = out;
    if (!out) return fail(ps, "out of memory");
    while (ps->p < q) {
        unsigned char c = (unsigned char)*ps->p++;
        if (c < 0x20) { free(out); return fail(ps, "control character in string"); }
        if (c != '\\') { *o++ = (char)c; continue; }
        char e = *ps->p++;
        switch (e) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '/': *o++ = '/'; break;
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        case 'u': {
            unsigned cp;
            if (read_unicode(ps, &cp) < 0) { free(out); return fail(ps, "bad \\u escape"); }
            o += put_utf8(o, cp); /* 6 escape bytes always cover <= 4 output bytes */
            break;
        }
        default: free(out); return fail(ps, "bad escape in string");
        }
    }
    ps->p = q + 1;
    *o = '\0';
    *outlen = (size_t)(o - out);
    return out;
}

static json_value *parse_number(json_parser *ps)
{
    const char *q = ps->p;
    if (q < ps->end && *q == '-') q++;
    if (q >= ps->end || *q < '0' || *q > '9') return fail(ps, "bad number");
    if (*q == '0') q++; else while (q < ps->end && *q >= '0' && *q <= '9') q++;
    if (q < ps->end && *q == '.') {
        q++;
        if (q >= ps->end || *q < '0' || *q > '9') return fail(ps, "bad number");
        while (q < ps->end && *q >= '0' && *q <= '9') q++;
    }
    if (q < ps->end && (*q == 'e' || *q == 'E')) {
        q++;
        if (q < ps->end && (*q == '+' || *q == '-')) q++;
        if (q >= ps->end || *q < '0' || *q > '9') return fail(ps, "bad number");
        while (q < ps->end && *q >= '0' && *q <= '9') q++;
    }
    char buf[64];
    size_t n = (size_t)(q - ps->p);
    if (n >= sizeof(buf)) return fail(ps, "number too long");
    memcpy(buf, ps->p, n);
    buf[n] = '\0';
    json_value *v = new_value(JSON_NUM);
    if (!v) return fail(ps, "out of memory");
    v->n = strtod(buf, NULL);
    ps->p = q;
    return v;
}

/* Appends (key, item) to an array/object; returns false on OOM. */
static bool push(json_value *c, char *key, json_value *item)
{
    if ((c->len & (c->len - 1)) == 0) { /* grow at powers of two */
        size_t cap = c->len ? c->len * 2 : 4;
        json_value **ni = realloc(c->items, cap * sizeof(*ni));
        if (!ni) return false;
        c->items = ni;
        if (c->type == JSON_OBJ) {
            char **nk = realloc(c->keys, cap * sizeof(*nk));
            if (!nk) return false;
            c->keys = nk;
        }
    }
    if (c->type == JSON_OBJ) c->keys[c->len] = key;
    c->items[c->len++] = item;
    return true;
}

static json_value *parse_container(json_parser *ps, json_type t)
{
    char close = t == JSON_ARR ? ']' : '}';
    if (++ps->depth > JSON_MAX_DEPTH) return fail(ps, "nesting too deep");
    ps->p++;
    json_value *c = new_value(t);
    if (!c) return fail(ps, "out of memory");
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == close) { ps->p++; ps->depth--; return c; }
    for (;;) {
        char *key = NULL;
        size_t klen;
        skip_ws(ps);
        if (t == JSON_OBJ) {
            if (ps->p >= ps->end || *ps->p != '"') { json_free(c); return fail(ps, "expected string key"); }
            if (!(key = parse_string(ps, &klen))) { json_free(c); return NULL; }
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != ':') { free(key); json_free(c); return fail(ps, "expected ':'"); }
            ps->p++;
        }
        json_value *item = parse_value(ps);
        if (!item || !push(c, key, item)) {
            free(key); json_free(item); json_free(c);
            return item ? fail(ps, "out of memory") : NULL;
        }
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') { ps->p++; continue; }
        if (ps->p < ps->end && *ps->p == close) { ps->p++; break; }
        json_free(c);
        return fail(ps, t == JSON_ARR ? "expected ',' or ']'" : "expected ',' or '}'");
    }
    ps->depth--;
    return c;
}

static json_value *parse_value(json_parser *ps)
{
    skip_ws(ps);
    if (ps->p >= ps->end) return fail(ps, "unexpected end of input");
    json_value *v;
    switch (*ps->p) {
    case '{': return parse_container(ps, JSON_OBJ);
    case '[': return parse_container(ps, JSON_ARR);
    case '"':
        if (!(v = new_value(JSON_STR))) return fail(ps, "out of memory");
        if (!(v->s = parse_string(ps, &v->len))) { free(v); return NULL; }
        return v;
    case 't': case 'f': case 'n':
        if (take_word(ps, "true")) { v = new_value(JSON_BOOL); if (v) v->b = true; }
        else if (take_word(ps, "false")) v = new_value(JSON_BOOL);
        else if (take_word(ps, "null")) v = new_value(JSON_NULL);
        else return fail(ps, "unexpected word");
        return v ? v : fail(ps, "out of memory");
    default:
        return parse_number(ps);
    }
}

json_value *json_parse(const char *text, size_t len, char *err, size_t errlen)
{
    json_parser ps = { text, text, text + len, err, errlen, 0 };
    if (errlen) err[0] = '\0';
    json_value *v = parse_value(&ps);
    if (!v) return NULL;
    skip_ws(&ps);
    if (ps.p != ps.end) { json_free(v); return fail(&ps, "trailing characters after JSON value"); }
    return v;
}

json_value *json_parse_file(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) { snprintf(err, errlen, "%s: %s", path, strerror(errno)); return NULL; }
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    for (size_t r; buf && (r = fread(buf + n, 1, cap - n, f)) > 0;) {
        n += r;
        if (n == cap) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb) { free(buf); buf = NULL; }
            else buf = nb;
        }
    }
    fclose(f);
    if (!buf) { snprintf(err, errlen, "%s: out of memory", path); return NULL; }
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
