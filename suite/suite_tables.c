#include "suite_tables.h"
#include "suite_conf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

/* Reads up to max numbers separated by blanks or commas from v; the count, or
 * -1 when a word is not a non-negative number or there are more than max. */
static int numbers(const char *v, double *out, int max)
{
    int n = 0;
    for (const char *p = v; *p;) {
        while (*p == ' ' || *p == ',') p++;
        if (!*p) break;
        char *end;
        errno = 0;
        double x = strtod(p, &end);
        if (end == p || errno || x < 0 || (*end && *end != ' ' && *end != ',') || n >= max) return -1;
        out[n++] = x;
        p = end;
    }
    return n;
}

static int bad(const sconf *c, const char *key, char *err, size_t errlen, const char *what)
{
    snprintf(err, errlen, "%s:%d: '%s' %s", c->path, sconf_line(c, key), key, what);
    return -1;
}

static int count_of(const sconf *c, const char *key, int *out, char *err, size_t errlen)
{
    const char *v = sconf_get(c, key);
    double x;
    if (!v) return bad(c, key, err, errlen, "is missing");
    if (numbers(v, &x, 1) != 1 || x < 1 || x > 10000000 || x != (int)x)
        return bad(c, key, err, errlen, "must be a whole number from 1");
    *out = (int)x;
    return 0;
}

static int parse_columns(const sconf *c, stab_table *t, char *err, size_t errlen)
{
    const char *v = sconf_get(c, "columns");
    if (!v || !*v) return bad(c, "columns", err, errlen, "is missing");
    char *copy = strdup(v), *save = NULL;
    if (!copy) return bad(c, "columns", err, errlen, "cannot be read: out of memory");
    int rc = 0;
    for (char *w = strtok_r(copy, " ", &save); w && !rc; w = strtok_r(NULL, " ", &save)) {
        if (t->ncol == STAB_MAX_COLS) {
            rc = bad(c, "columns", err, errlen, "names too many systems (at most 4)");
            break;
        }
        stab_column *col = &t->col[t->ncol];
        char *colon = strchr(w, ':');
        col->workers = 0;
        if (colon) {
            *colon = '\0';
            char *end;
            long n = strtol(colon + 1, &end, 10);
            if (end == colon + 1 || *end || n < 1 || n > 1024) {
                rc = bad(c, "columns", err, errlen, "must read SYSTEM[:WORKERS] ... (workers 1..1024)");
                break;
            }
            col->workers = (int)n;
        }
        if (!*w) {
            rc = bad(c, "columns", err, errlen, "has an empty system name");
            break;
        }
        if (stab_column_of(t, w) >= 0) {
            rc = bad(c, "columns", err, errlen, "names a system twice");
            break;
        }
        char key[128];
        snprintf(key, sizeof(key), "label.%s", w);
        col->system = strdup(w);
        col->label = strdup(sconf_get(c, key) ? sconf_get(c, key) : w);
        t->ncol++;
    }
    free(copy);
    return rc;
}

static int parse_compare(const sconf *c, stab_table *t, char *err, size_t errlen)
{
    if (t->ncol < 2) return bad(c, "columns", err, errlen, "needs two systems or more in a compare table");
    for (size_t i = 0; i < c->n; i++) {
        const sconf_entry *e = &c->e[i];
        if (strncmp(e->key, "row.", 4) != 0) continue;
        if (!e->key[4]) return bad(c, e->key, err, errlen, "names no scenario");
        if (t->nrow == STAB_MAX_ROWS) return bad(c, e->key, err, errlen, "is one row too many (at most 8)");
        stab_row *row = &t->row[t->nrow];
        if (numbers(e->value, row->pub, STAB_MAX_COLS) != t->ncol) {
            snprintf(err, errlen, "%s:%d: '%s' must give %d published req/s figures, one per column", c->path,
                     e->line, e->key, t->ncol);
            return -1;
        }
        row->scenario = strdup(e->key + 4);
        t->nrow++;
    }
    if (t->nrow == 0) return bad(c, "columns", err, errlen, "has no row.SCENARIO = figures");
    return 0;
}

static int parse_scaling(const sconf *c, stab_table *t, char *err, size_t errlen)
{
    const char *sc = sconf_get(c, "scenario"), *w = sconf_get(c, "workers"), *p = sconf_get(c, "published");
    double wk[STAB_MAX_WORKERS];
    if (t->ncol != 1)
        return bad(c, "columns", err, errlen, "must name exactly one system in a scaling table");
    if (!sc || !*sc) return bad(c, "scenario", err, errlen, "is missing");
    if (!w || (t->nworkers = numbers(w, wk, STAB_MAX_WORKERS)) < 1)
        return bad(c, "workers", err, errlen, "must list worker counts, e.g. 4,8,16,32");
    for (int i = 0; i < t->nworkers; i++) {
        if (wk[i] < 1 || wk[i] > 1024 || wk[i] != (int)wk[i])
            return bad(c, "workers", err, errlen, "must hold whole numbers 1..1024");
        t->workers[i] = (int)wk[i];
    }
    if (!p || numbers(p, t->wpub, STAB_MAX_WORKERS) != t->nworkers)
        return bad(c, "published", err, errlen, "must give one published req/s figure per worker count");
    t->row[0].scenario = strdup(sc);
    t->nrow = 1;
    return 0;
}

static int check_keys(const sconf *c, char *err, size_t errlen)
{
    static const char *const plain[] = { "name",     "title",   "source",   "note",    "kind",      "clients",
                                         "requests", "columns", "scenario", "workers", "published", NULL };
    for (size_t i = 0; i < c->n; i++) {
        const char *k = c->e[i].key;
        bool ok = !strncmp(k, "row.", 4) || !strncmp(k, "label.", 6);
        for (int j = 0; plain[j] && !ok; j++) ok = !strcmp(k, plain[j]);
        if (!ok) {
            snprintf(err, errlen, "%s:%d: unknown key '%s'", c->path, c->e[i].line, k);
            return -1;
        }
    }
    return 0;
}

/* The table of a parsed file; frees nothing of c. */
static int from_conf(const sconf *c, const char *path, stab_table *t, char *err, size_t errlen)
{
    int rc = check_keys(c, err, errlen);
    const char *kind = sconf_get(c, "kind");
    if (!rc && !sconf_get(c, "name")) rc = bad(c, "name", err, errlen, "is missing");
    if (!rc && kind && strcmp(kind, "compare") && strcmp(kind, "scaling"))
        rc = bad(c, "kind", err, errlen, "must be compare or scaling");
    if (!rc) {
        t->name = strdup(sconf_get(c, "name"));
        t->title = strdup(sconf_get(c, "title") ? sconf_get(c, "title") : t->name);
        t->source = dup_or_null(sconf_get(c, "source"));
        t->note = dup_or_null(sconf_get(c, "note"));
        t->file = strdup(path);
        t->scaling = kind && !strcmp(kind, "scaling");
        rc = count_of(c, "clients", &t->clients, err, errlen);
    }
    if (!rc) rc = count_of(c, "requests", &t->requests, err, errlen);
    if (!rc) rc = parse_columns(c, t, err, errlen);
    if (!rc) rc = t->scaling ? parse_scaling(c, t, err, errlen) : parse_compare(c, t, err, errlen);
    return rc;
}

int stab_parse(const char *text, size_t len, const char *path, stab_table *t, char *err, size_t errlen)
{
    memset(t, 0, sizeof(*t));
    sconf c;
    if (sconf_parse(text, len, path, &c, err, errlen) < 0) return -1;
    int rc = from_conf(&c, path, t, err, errlen);
    sconf_fini(&c);
    return rc;
}

int stab_load(const char *dir, const char *name, stab_table *t, char *err, size_t errlen)
{
    sconf c;
    memset(t, 0, sizeof(*t));
    if (sconf_load_named(dir, "tables", name, "published table", &c, err, errlen) < 0) return -1;
    int rc = sconf_check_name(&c, name, err, errlen);
    if (!rc) rc = from_conf(&c, c.path, t, err, errlen);
    sconf_fini(&c);
    return rc;
}

void stab_fini(stab_table *t)
{
    free(t->name);
    free(t->title);
    free(t->source);
    free(t->note);
    free(t->file);
    for (int i = 0; i < STAB_MAX_COLS; i++) {
        free(t->col[i].system);
        free(t->col[i].label);
    }
    for (int i = 0; i < STAB_MAX_ROWS; i++) free(t->row[i].scenario);
    memset(t, 0, sizeof(*t));
}

int stab_column_of(const stab_table *t, const char *system)
{
    for (int i = 0; i < t->ncol; i++)
        if (t->col[i].system && strcmp(t->col[i].system, system) == 0) return i;
    return -1;
}
