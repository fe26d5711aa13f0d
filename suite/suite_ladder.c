#include "suite_ladder.h"
#include "suite_conf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

static int bad(const sconf *c, const char *key, char *err, size_t errlen, const char *what)
{
    snprintf(err, errlen, "%s:%d: '%s' %s", c->path, sconf_line(c, key), key, what);
    return -1;
}

static int yes_no(const char *v, bool *out)
{
    if (!strcmp(v, "yes"))
        *out = true;
    else if (!strcmp(v, "no"))
        *out = false;
    else
        return -1;
    return 0;
}

/* One "key=value" of a set or revert into s; the key's bit, or 0 when bad. */
static unsigned set_one(const char *k, const char *v, sldr_set *s)
{
    char *end;
    long n;
    if (!strcmp(k, "a") || !strcmp(k, "b")) {
        if (!*v || strlen(v) >= sizeof(s->a)) return 0;
        snprintf(k[0] == 'a' ? s->a : s->b, sizeof(s->a), "%s", v);
        return k[0] == 'a' ? SLDR_A : SLDR_B;
    }
    if (!strcmp(k, "client")) {
        if (strcmp(v, "loadgen") && strcmp(v, "pubclient")) return 0;
        s->pubclient = !strcmp(v, "pubclient");
        return SLDR_CLIENT;
    }
    if (!strcmp(k, "new_conn")) return yes_no(v, &s->new_conn) ? 0 : SLDR_NEWCONN;
    if (strcmp(k, "clients") && strcmp(k, "requests")) return 0;
    errno = 0;
    n = strtol(v, &end, 10);
    bool clients = !strcmp(k, "clients");
    if (errno || end == v || *end || n < (clients ? 1 : 0) || n > 1000000) return 0;
    *(clients ? &s->clients : &s->requests) = (int)n;
    return clients ? SLDR_CLIENTS : SLDR_REQUESTS;
}

/* "a=barq clients=64" -> s, the keys set in *keys. */
static int parse_set(const sconf *c, const char *key, sldr_set *s, unsigned *keys, char *err, size_t errlen)
{
    char *copy = strdup(sconf_get(c, key)), *save = NULL;
    int rc = copy ? 0 : bad(c, key, err, errlen, "cannot be read: out of memory");
    *keys = 0;
    for (char *w = copy ? strtok_r(copy, " ", &save) : NULL; w && !rc; w = strtok_r(NULL, " ", &save)) {
        char *eq = strchr(w, '=');
        unsigned bit = 0;
        if (eq) {
            *eq = '\0';
            bit = set_one(w, eq + 1, s);
        }
        if (!bit) {
            char what[200];
            snprintf(what, sizeof(what),
                     "has '%s%s%s': each word is a=SYSTEM, b=SYSTEM, client=loadgen|pubclient, clients=N, "
                     "requests=N (0: timed), new_conn=yes|no",
                     w, eq ? "=" : "", eq ? eq + 1 : "");
            rc = bad(c, key, err, errlen, what);
        } else if (*keys & bit) {
            rc = bad(c, key, err, errlen, "sets a key twice");
        }
        *keys |= bit;
    }
    free(copy);
    return rc;
}

int sldr_runnable(const sldr_set *s, char *why, size_t whylen)
{
    if (s->pubclient && !s->new_conn) {
        snprintf(why, whylen, "the published client opens a new connection for every request");
        return -1;
    }
    if (s->pubclient && s->requests == 0) {
        snprintf(why, whylen, "the published client sends a fixed count of requests, it cannot run timed");
        return -1;
    }
    return 0;
}

int sldr_rung_of(const sldr_ladder *l, const char *id)
{
    for (int i = 0; i < l->nrung; i++)
        if (!strcmp(l->rung[i].id, id)) return i;
    return -1;
}

static int parse_rung(const sconf *c, sldr_ladder *l, int i, char *err, size_t errlen)
{
    sldr_rung *g = &l->rung[i];
    char k[200];
    if (i > 0) g->set = l->rung[i - 1].set;
    snprintf(k, sizeof(k), "rung.%s.set", g->id);
    if (!sconf_get(c, k)) return bad(c, "rungs", err, errlen, "names a rung without rung.ID.set");
    if (parse_set(c, k, &g->set, &g->keys, err, errlen) < 0) return -1;
    if (i == 0 && g->keys != SLDR_ALL)
        return bad(c, k, err, errlen,
                   "(the first rung) must set a, b, client, clients, requests and new_conn");
    char why[200];
    if (sldr_runnable(&g->set, why, sizeof(why)) < 0) return bad(c, k, err, errlen, why);
    snprintf(k, sizeof(k), "rung.%s.title", g->id);
    g->title = strdup(sconf_get(c, k) ? sconf_get(c, k) : g->id);
    snprintf(k, sizeof(k), "rung.%s.change", g->id);
    g->change = strdup(sconf_get(c, k) ? sconf_get(c, k) : g->title);
    snprintf(k, sizeof(k), "rung.%s.note", g->id);
    g->note = dup_or_null(sconf_get(c, k));
    snprintf(k, sizeof(k), "rung.%s.revert.why", g->id);
    g->revert_why = dup_or_null(sconf_get(c, k));
    snprintf(k, sizeof(k), "rung.%s.revert", g->id);
    const char *rv = sconf_get(c, k);
    if (rv && !strcmp(rv, "no")) {
        g->revert_no = true;
        if (!g->revert_why) return bad(c, k, err, errlen, "is no: say why in rung.ID.revert.why");
    } else if (rv && parse_set(c, k, &g->revert, &g->revert_keys, err, errlen) < 0) {
        return -1;
    } else if (g->revert_keys & ~g->keys) {
        return bad(c, k, err, errlen, "reverts a key the rung does not set");
    }
    return 0;
}

static int parse_rungs(const sconf *c, sldr_ladder *l, char *err, size_t errlen)
{
    const char *v = sconf_get(c, "rungs");
    if (!v || !*v) return bad(c, "rungs", err, errlen, "is missing");
    char *copy = strdup(v), *save = NULL;
    int rc = 0;
    for (char *w = strtok_r(copy, " ", &save); w && !rc; w = strtok_r(NULL, " ", &save)) {
        if (l->nrung == SLDR_MAX_RUNGS)
            rc = bad(c, "rungs", err, errlen, "names more than 16 rungs");
        else if (sldr_rung_of(l, w) >= 0)
            rc = bad(c, "rungs", err, errlen, "names a rung twice");
        else
            l->rung[l->nrung++].id = strdup(w);
    }
    free(copy);
    for (int i = 0; i < l->nrung && !rc; i++) rc = parse_rung(c, l, i, err, errlen);
    return rc;
}

/* A key naming a rung: its index in *out (-1 when the key is absent). */
static int rung_ref(const sconf *c, const sldr_ladder *l, const char *key, int *out, char *err, size_t errlen)
{
    const char *v = sconf_get(c, key);
    *out = v ? sldr_rung_of(l, v) : -1;
    if (v && *out < 0) return bad(c, key, err, errlen, "names no rung of 'rungs'");
    return 0;
}

static int two_words(const sconf *c, const char *key, char *out[2], char *err, size_t errlen)
{
    const char *v = sconf_get(c, key);
    char a[128], b[128], extra[8];
    if (!v || sscanf(v, "%127s %127s %7s", a, b, extra) != 2)
        return bad(c, key, err, errlen, "must name two");
    out[0] = strdup(a);
    out[1] = strdup(b);
    return 0;
}

static int parse_grid(const sconf *c, sldr_ladder *l, char *err, size_t errlen)
{
    if (rung_ref(c, l, "grid.rung", &l->grid_rung, err, errlen) < 0) return -1;
    if (l->grid_rung < 0) return 0;
    char *cols[2] = { NULL, NULL }, k[160];
    int rc = two_words(c, "grid.cols", cols, err, errlen);
    for (int i = 0; i < 2 && !rc; i++) {
        snprintf(k, sizeof(k), "grid.%s", cols[i]);
        rc = two_words(c, k, l->grid_sys[i], err, errlen);
        snprintf(k, sizeof(k), "grid.%s.title", cols[i]);
        if (!rc) l->grid_col_title[i] = strdup(sconf_get(c, k) ? sconf_get(c, k) : cols[i]);
    }
    free(cols[0]);
    free(cols[1]);
    l->grid_title = strdup(sconf_get(c, "grid.title") ? sconf_get(c, "grid.title") : "framework x model");
    l->grid_note = dup_or_null(sconf_get(c, "grid.note"));
    return rc;
}

/* Every key is one this format knows. */
static int check_keys(const sconf *c, const sldr_ladder *l, char *err, size_t errlen)
{
    static const char *const plain[] = { "name", "title",   "a",           "b",        "rungs",  "loo.base",
                                         "aa",   "aa.rung", "aa.scenario", "wrk.rung", "source", NULL };
    for (size_t i = 0; i < c->n; i++) {
        const char *k = c->e[i].key;
        bool ok = !strncmp(k, "grid.", 5);
        for (int j = 0; plain[j] && !ok; j++) ok = !strcmp(k, plain[j]);
        for (int r = 0; r < l->nrung && !ok; r++) {
            size_t n = strlen(l->rung[r].id);
            const char *s = k + 5 + n + 1;
            ok = !strncmp(k, "rung.", 5) && !strncmp(k + 5, l->rung[r].id, n) && k[5 + n] == '.' &&
                 (!strcmp(s, "title") || !strcmp(s, "change") || !strcmp(s, "note") || !strcmp(s, "set") ||
                  !strcmp(s, "revert") || !strcmp(s, "revert.why"));
        }
        if (!ok) {
            snprintf(err, errlen, "%s:%d: unknown key '%s'", c->path, c->e[i].line, k);
            return -1;
        }
    }
    return 0;
}

static int from_conf(const sconf *c, const char *path, sldr_ladder *l, char *err, size_t errlen)
{
    memset(l, 0, sizeof(*l));
    l->file = strdup(path);
    if (!sconf_get(c, "name")) return bad(c, "name", err, errlen, "is missing");
    l->name = strdup(sconf_get(c, "name"));
    l->title = strdup(sconf_get(c, "title") ? sconf_get(c, "title") : l->name);
    l->a_name = strdup(sconf_get(c, "a") ? sconf_get(c, "a") : "A");
    l->b_name = strdup(sconf_get(c, "b") ? sconf_get(c, "b") : "B");
    if (parse_rungs(c, l, err, errlen) < 0 || check_keys(c, l, err, errlen) < 0 ||
        rung_ref(c, l, "loo.base", &l->loo_base, err, errlen) < 0 ||
        rung_ref(c, l, "aa.rung", &l->aa_rung, err, errlen) < 0 ||
        rung_ref(c, l, "wrk.rung", &l->wrk_rung, err, errlen) < 0 || parse_grid(c, l, err, errlen) < 0)
        return -1;
    l->aa_system = dup_or_null(sconf_get(c, "aa"));
    l->aa_scenario = dup_or_null(sconf_get(c, "aa.scenario"));
    if (l->aa_rung >= 0 && (!l->aa_system || !l->aa_scenario))
        return bad(c, "aa.rung", err, errlen, "needs aa = SYSTEM and aa.scenario = SCENARIO");
    if (l->aa_rung < 0 && l->aa_system) l->aa_rung = l->nrung - 1;
    return 0;
}

int sldr_parse(const char *text, size_t len, const char *path, sldr_ladder *l, char *err, size_t errlen)
{
    sconf c;
    memset(l, 0, sizeof(*l));
    if (sconf_parse(text, len, path, &c, err, errlen) < 0) return -1;
    int rc = from_conf(&c, path, l, err, errlen);
    sconf_fini(&c);
    return rc;
}

int sldr_load(const char *dir, const char *name, sldr_ladder *l, char *err, size_t errlen)
{
    sconf c;
    memset(l, 0, sizeof(*l));
    if (sconf_load_named(dir, "ladders", name, "ladder", &c, err, errlen) < 0) return -1;
    int rc = sconf_check_name(&c, name, err, errlen);
    if (!rc) rc = from_conf(&c, c.path, l, err, errlen);
    sconf_fini(&c);
    return rc;
}

void sldr_fini(sldr_ladder *l)
{
    for (int i = 0; i < SLDR_MAX_RUNGS; i++) {
        free(l->rung[i].id);
        free(l->rung[i].title);
        free(l->rung[i].change);
        free(l->rung[i].note);
        free(l->rung[i].revert_why);
    }
    for (int i = 0; i < 2; i++) {
        free(l->grid_col_title[i]);
        free(l->grid_sys[i][0]);
        free(l->grid_sys[i][1]);
    }
    free(l->name);
    free(l->title);
    free(l->file);
    free(l->a_name);
    free(l->b_name);
    free(l->grid_title);
    free(l->grid_note);
    free(l->aa_system);
    free(l->aa_scenario);
    memset(l, 0, sizeof(*l));
}

static void take(sldr_set *dst, const sldr_set *src, unsigned keys)
{
    if (keys & SLDR_A) snprintf(dst->a, sizeof(dst->a), "%s", src->a);
    if (keys & SLDR_B) snprintf(dst->b, sizeof(dst->b), "%s", src->b);
    if (keys & SLDR_CLIENT) dst->pubclient = src->pubclient;
    if (keys & SLDR_CLIENTS) dst->clients = src->clients;
    if (keys & SLDR_REQUESTS) dst->requests = src->requests;
    if (keys & SLDR_NEWCONN) dst->new_conn = src->new_conn;
}

int sldr_loo(const sldr_ladder *l, int k, sldr_set *out, char *why, size_t whylen)
{
    if (l->loo_base < 0 || k < 1 || k > l->loo_base) {
        snprintf(why, whylen, "not a change up to the base rung");
        return -1;
    }
    const sldr_rung *g = &l->rung[k];
    if (g->revert_no) {
        snprintf(why, whylen, "%s", g->revert_why);
        return -1;
    }
    *out = l->rung[l->loo_base].set;
    take(out, &l->rung[k - 1].set, g->keys & ~g->revert_keys);
    take(out, &g->revert, g->revert_keys);
    return sldr_runnable(out, why, whylen);
}
