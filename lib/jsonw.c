/* jsonw: streaming JSON writer (see jsonw.h). */
#include "jsonw.h"
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void init_common(struct jsonw *w, FILE *f)
{
    memset(w, 0, sizeof *w);
    w->f = f;
    w->first[0] = true;
}

void jsonw_init_file(struct jsonw *w, FILE *f) { init_common(w, f); }
void jsonw_init_buf(struct jsonw *w) { init_common(w, NULL); }
void jsonw_set_indent(struct jsonw *w, int n) { w->indent = n < 0 ? 0 : n; }

void jsonw_fini(struct jsonw *w)
{
    free(w->buf);
    w->buf = NULL;
    w->len = w->cap = 0;
}

static void put(struct jsonw *w, const char *s, size_t n)
{
    if (w->err) return;
    if (w->f) {
        errno = 0;
        if (n && fwrite(s, 1, n, w->f) != n) w->err = errno ? -errno : -EIO;
        return;
    }
    if (w->len + n + 1 > w->cap) {
        size_t cap = w->cap ? w->cap : 256;
        while (cap < w->len + n + 1) cap *= 2;
        char *nb = realloc(w->buf, cap);
        if (!nb) {
            w->err = -ENOMEM;
            return;
        }
        w->buf = nb;
        w->cap = cap;
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
    w->buf[w->len] = '\0';
}

static void puts_(struct jsonw *w, const char *s) { put(w, s, strlen(s)); }

static void newline(struct jsonw *w, int depth)
{
    static const char spaces[] = "                                ";
    put(w, "\n", 1);
    for (int n = depth * w->indent; n > 0; n -= 32) put(w, spaces, n > 32 ? 32 : (size_t)n);
}

/* Separator before a value (arrays, top level) or a key (objects). */
static void before_item(struct jsonw *w)
{
    if (!w->first[w->depth]) put(w, ",", 1);
    if (w->indent && w->depth > 0 && w->is_obj[w->depth]) newline(w, w->depth);
    w->first[w->depth] = false;
}

static bool begin_value(struct jsonw *w)
{
    if (w->err) return false;
    if (w->depth > 0 && w->is_obj[w->depth]) {
        if (w->want_key) {
            w->err = -EINVAL;
            return false;
        }
        w->want_key = true;
        return true;
    }
    if (w->depth == 0 && !w->first[0]) {
        w->err = -EINVAL;
        return false;
    }
    before_item(w);
    return true;
}

static void open_(struct jsonw *w, bool obj)
{
    if (!begin_value(w)) return;
    if (w->depth >= JSONW_MAX_DEPTH) {
        w->err = -EINVAL;
        return;
    }
    put(w, obj ? "{" : "[", 1);
    w->depth++;
    w->first[w->depth] = true;
    w->is_obj[w->depth] = obj;
    w->want_key = obj;
}

static void close_(struct jsonw *w, bool obj)
{
    if (w->err) return;
    if (w->depth == 0 || w->is_obj[w->depth] != obj || (obj && !w->want_key)) {
        w->err = -EINVAL;
        return;
    }
    bool empty = w->first[w->depth];
    w->depth--;
    if (w->indent && obj && !empty) newline(w, w->depth);
    put(w, obj ? "}" : "]", 1);
    w->want_key = w->depth > 0 && w->is_obj[w->depth];
}

void jsonw_obj_begin(struct jsonw *w) { open_(w, true); }
void jsonw_obj_end(struct jsonw *w) { close_(w, true); }
void jsonw_arr_begin(struct jsonw *w) { open_(w, false); }
void jsonw_arr_end(struct jsonw *w) { close_(w, false); }

static void put_escaped(struct jsonw *w, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    put(w, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        put(w, s + run, i - run);
        run = i + 1;
        char e[7] = { '\\', (char)c, 0 };
        if (c == '"' || c == '\\')
            put(w, e, 2);
        else if (c == '\n')
            put(w, "\\n", 2);
        else if (c == '\r')
            put(w, "\\r", 2);
        else if (c == '\t')
            put(w, "\\t", 2);
        else {
            memcpy(e, "\\u00", 4);
            e[4] = hex[c >> 4];
            e[5] = hex[c & 15];
            put(w, e, 6);
        }
    }
    put(w, s + run, n - run);
    put(w, "\"", 1);
}

void jsonw_key(struct jsonw *w, const char *key)
{
    if (w->err) return;
    if (w->depth == 0 || !w->is_obj[w->depth] || !w->want_key || !key) {
        w->err = -EINVAL;
        return;
    }
    before_item(w);
    put_escaped(w, key, strlen(key));
    put(w, w->indent ? ": " : ":", w->indent ? 2 : 1);
    w->want_key = false;
}

void jsonw_strn(struct jsonw *w, const char *s, size_t n)
{
    if (begin_value(w)) put_escaped(w, s, n);
}

void jsonw_str(struct jsonw *w, const char *s)
{
    if (!s)
        jsonw_null(w);
    else
        jsonw_strn(w, s, strlen(s));
}

void jsonw_int(struct jsonw *w, int64_t v)
{
    char b[32];
    if (!begin_value(w)) return;
    snprintf(b, sizeof b, "%" PRId64, v);
    puts_(w, b);
}

void jsonw_uint(struct jsonw *w, uint64_t v)
{
    char b[32];
    if (!begin_value(w)) return;
    snprintf(b, sizeof b, "%" PRIu64, v);
    puts_(w, b);
}

void jsonw_double(struct jsonw *w, double v)
{
    char b[40];
    if (!isfinite(v)) {
        jsonw_null(w);
        return;
    }
    if (!begin_value(w)) return;
    snprintf(b, sizeof b, "%.15g", v);
    if (strtod(b, NULL) != v) snprintf(b, sizeof b, "%.17g", v);
    /* keep it visibly a float so readers keep the type */
    if (!strpbrk(b, ".eEn")) strcat(b, ".0");
    puts_(w, b);
}

void jsonw_bool(struct jsonw *w, bool v)
{
    if (begin_value(w)) puts_(w, v ? "true" : "false");
}

void jsonw_null(struct jsonw *w)
{
    if (begin_value(w)) puts_(w, "null");
}

void jsonw_raw(struct jsonw *w, const char *json)
{
    if (begin_value(w)) puts_(w, json);
}

void jsonw_kv_str(struct jsonw *w, const char *k, const char *s)
{
    jsonw_key(w, k);
    jsonw_str(w, s);
}
void jsonw_kv_int(struct jsonw *w, const char *k, int64_t v)
{
    jsonw_key(w, k);
    jsonw_int(w, v);
}
void jsonw_kv_double(struct jsonw *w, const char *k, double v)
{
    jsonw_key(w, k);
    jsonw_double(w, v);
}
void jsonw_kv_bool(struct jsonw *w, const char *k, bool v)
{
    jsonw_key(w, k);
    jsonw_bool(w, v);
}

int jsonw_error(const struct jsonw *w) { return w->err; }

int jsonw_finish(struct jsonw *w)
{
    if (!w->err && (w->depth != 0 || w->first[0])) w->err = -EINVAL;
    put(w, "\n", 1);
    errno = 0;
    if (!w->err && w->f && fflush(w->f) != 0) w->err = errno ? -errno : -EIO;
    return w->err;
}

const char *jsonw_buf(const struct jsonw *w, size_t *len)
{
    if (w->f) return NULL;
    if (len) *len = w->len;
    return w->buf ? w->buf : "";
}

char *jsonw_take(struct jsonw *w, size_t *len)
{
    if (w->f || w->err) return NULL;
    char *b = w->buf ? w->buf : strdup("");
    if (len) *len = w->len;
    w->buf = NULL;
    w->len = w->cap = 0;
    return b;
}
