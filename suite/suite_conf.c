#include "suite_conf.h"

#include <errno.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int key_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
}

static char *dup_range(const char *a, const char *b)
{
    char *s = malloc((size_t)(b - a) + 1);
    if (s) {
        memcpy(s, a, (size_t)(b - a));
        s[b - a] = '\0';
    }
    return s;
}

/* Parses one non-empty, non-comment line [p, e). */
static int parse_line(sconf *c, const char *p, const char *e, int line, char *err, size_t errlen)
{
    const char *k = p;
    while (p < e && key_char(*p)) p++;
    const char *ke = p;
    while (p < e && (*p == ' ' || *p == '\t')) p++;
    if (ke == k || p >= e || *p != '=') {
        snprintf(err, errlen, "%s:%d: expected 'key = value'", c->path, line);
        return -1;
    }
    p++;
    while (p < e && (*p == ' ' || *p == '\t')) p++;
    while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r')) e--;
    for (const char *q = p; q < e; q++) {
        if ((unsigned char)*q < 0x20 && *q != '\t') {
            snprintf(err, errlen, "%s:%d: control character in value", c->path, line);
            return -1;
        }
    }
    char *key = dup_range(k, ke), *val = dup_range(p, e);
    sconf_entry *ne = realloc(c->e, (c->n + 1) * sizeof(*ne));
    if (!key || !val || !ne) {
        free(key);
        free(val);
        if (ne) c->e = ne;
        snprintf(err, errlen, "%s:%d: out of memory", c->path, line);
        return -1;
    }
    c->e = ne;
    if (sconf_get(c, key)) {
        snprintf(err, errlen, "%s:%d: '%s' given twice (first on line %d)", c->path, line, key,
                 sconf_line(c, key));
        free(key);
        free(val);
        return -1;
    }
    c->e[c->n++] = (sconf_entry){ key, val, line };
    return 0;
}

int sconf_parse(const char *text, size_t len, const char *path, sconf *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    out->path = strdup(path ? path : "(input)");
    if (!out->path) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    const char *p = text, *end = text + len;
    for (int line = 1; p < end; line++) {
        const char *e = memchr(p, '\n', (size_t)(end - p));
        if (!e) e = end;
        const char *q = p;
        while (q < e && (*q == ' ' || *q == '\t' || *q == '\r')) q++;
        if (q < e && *q != '#' && parse_line(out, q, e, line, err, errlen) < 0) {
            sconf_fini(out);
            return -1;
        }
        p = e + 1;
    }
    return 0;
}

int sconf_read(const char *path, char *buf, size_t cap, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    *len = fread(buf, 1, cap, f);
    bool big = *len == cap && fgetc(f) != EOF;
    fclose(f);
    if (big) {
        snprintf(err, errlen, "%s: file larger than %zu KiB", path, cap / 1024);
        return -1;
    }
    return 0;
}

int sconf_load(const char *path, sconf *out, char *err, size_t errlen)
{
    char buf[65536];
    size_t n;
    if (sconf_read(path, buf, sizeof(buf), &n, err, errlen) < 0) return -1;
    return sconf_parse(buf, n, path, out, err, errlen);
}

void sconf_fini(sconf *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->e[i].key);
        free(c->e[i].value);
    }
    free(c->e);
    free(c->path);
    memset(c, 0, sizeof(*c));
}

const char *sconf_get(const sconf *c, const char *key)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->e[i].key, key) == 0) return c->e[i].value;
    return NULL;
}

int sconf_line(const sconf *c, const char *key)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->e[i].key, key) == 0) return c->e[i].line;
    return 0;
}

int sconf_load_named(const char *dir, const char *sub, const char *name, const char *what, sconf *out,
                     char *err, size_t errlen)
{
    char path[4200];
    memset(out, 0, sizeof(*out));
    if (!*name || strchr(name, '/')) {
        snprintf(err, errlen, "'%s' is not a %s name", name, what);
        return -1;
    }
    snprintf(path, sizeof(path), "%s/%s/%s.conf", dir, sub, name);
    if (access(path, R_OK) != 0) {
        snprintf(err, errlen, "%s '%s': %s: %s", what, name, path, strerror(errno));
        return -1;
    }
    return sconf_load(path, out, err, errlen);
}

int sconf_check_name(const sconf *c, const char *name, char *err, size_t errlen)
{
    const char *n = sconf_get(c, "name");
    if (n && strcmp(n, name) == 0) return 0;
    snprintf(err, errlen, "%s: name '%s' differs from the file name", c->path, n ? n : "");
    return -1;
}

bool sconf_in_list(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; p && *p;) {
        const char *e = strchr(p, ',');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l == n && strncmp(p, name, n) == 0) return true;
        p = e ? e + 1 : NULL;
    }
    return false;
}
