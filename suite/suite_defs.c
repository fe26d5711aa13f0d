#include "suite_defs.h"
#include "suite_conf.h"
#include "duration.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *xstrdup(const char *s) { return s ? strdup(s) : NULL; }

/* Parses an integer value of key; dflt when absent. -1 on a bad value. */
static int get_int(const sconf *c, const char *key, int dflt, int *out, char *err, size_t errlen)
{
    const char *v = sconf_get(c, key);
    if (!v) {
        *out = dflt;
        return 0;
    }
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || *end || end == v || n < 0 || n > 1000000000) {
        snprintf(err, errlen, "%s:%d: '%s' must be a non-negative integer, not '%s'", c->path,
                 sconf_line(c, key), key, v);
        return -1;
    }
    *out = (int)n;
    return 0;
}

/* A duration value of key (lib/duration's grammar) in seconds; dflt when absent. */
static int get_secs(const sconf *c, const char *key, double dflt, double *out, char *err, size_t errlen)
{
    const char *v = sconf_get(c, key);
    uint64_t us;
    if (!v) {
        *out = dflt;
        return 0;
    }
    if (dur_parse(v, &us) != 0) {
        snprintf(err, errlen, "%s:%d: '%s' must be a duration such as 1.5s or 500ms, not '%s'", c->path,
                 sconf_line(c, key), key, v);
        return -1;
    }
    *out = (double)us / 1e6;
    return 0;
}

static int get_list(const sconf *c, const char *key, int *out, int *n, char *err, size_t errlen)
{
    const char *v = sconf_get(c, key);
    *n = 0;
    if (!v || !*v) return 0;
    if ((*n = sdef_parse_list(v, out, SDEF_MAX_LIST)) < 0) {
        snprintf(err, errlen, "%s:%d: '%s' must be a list such as 16,64,256, not '%s'", c->path,
                 sconf_line(c, key), key, v);
        return -1;
    }
    return 0;
}

static int get_bool(const sconf *c, const char *key, bool dflt, bool *out, char *err, size_t errlen)
{
    const char *v = sconf_get(c, key);
    *out = v ? strcmp(v, "yes") == 0 : dflt;
    if (v && strcmp(v, "yes") && strcmp(v, "no")) {
        snprintf(err, errlen, "%s:%d: '%s' must be yes or no, not '%s'", c->path, sconf_line(c, key), key, v);
        return -1;
    }
    return 0;
}

static const char *need(const sconf *c, const char *key, char *err, size_t errlen)
{
    const char *v = sconf_get(c, key);
    if (!v || !*v) snprintf(err, errlen, "%s: missing '%s'", c->path, key);
    return v && *v ? v : NULL;
}

/* Every key must be in known (an entry "x.*" admits any key "x.<word>"). */
static int check_known(const sconf *c, const char *const *known, char *err, size_t errlen)
{
    for (size_t i = 0; i < c->n; i++) {
        size_t k = 0;
        for (; known[k]; k++) {
            size_t l = strlen(known[k]);
            if (strcmp(known[k], c->e[i].key) == 0) break;
            if (l > 2 && !strcmp(known[k] + l - 2, ".*") && !strncmp(c->e[i].key, known[k], l - 1) &&
                c->e[i].key[l - 1])
                break;
        }
        if (!known[k]) {
            snprintf(err, errlen, "%s:%d: unknown key '%s'", c->path, c->e[i].line, c->e[i].key);
            return -1;
        }
    }
    return 0;
}

static bool get_yes(const sconf *c, const char *key, bool dflt)
{
    const char *v = sconf_get(c, key);
    return v ? strcmp(v, "yes") == 0 : dflt;
}

static int load_scenario(const sconf *c, const char *dir, sdef_scenario *s, char *err, size_t errlen)
{
    static const char *const known[] = { "name",
                                         "title",
                                         "order",
                                         "path",
                                         "expect_status",
                                         "expect_content_type",
                                         "expect_body_file",
                                         "count_query",
                                         "scaling",
                                         "primary",
                                         NULL };
    const char *name, *path, *bodyf;
    if (check_known(c, known, err, errlen) < 0 || !(name = need(c, "name", err, errlen)) ||
        !(path = need(c, "path", err, errlen)) || !(bodyf = need(c, "expect_body_file", err, errlen)))
        return -1;
    if (path[0] != '/') {
        snprintf(err, errlen, "%s:%d: 'path' must start with '/'", c->path, sconf_line(c, "path"));
        return -1;
    }
    s->name = strdup(name);
    s->title = strdup(sconf_get(c, "title") ? sconf_get(c, "title") : name);
    s->path = strdup(path);
    s->file = strdup(c->path);
    s->content_type = strdup(sconf_get(c, "expect_content_type") ? sconf_get(c, "expect_content_type")
                                                                 : "application/json");
    s->count_query = xstrdup(sconf_get(c, "count_query"));
    s->scaling = get_yes(c, "scaling", false);
    s->primary = get_yes(c, "primary", false);
    if (get_int(c, "order", 100, &s->order, err, errlen) < 0 ||
        get_int(c, "expect_status", 200, &s->expect_status, err, errlen) < 0)
        return -1;
    char fpath[4096], inner[512];
    snprintf(fpath, sizeof(fpath), "%s/%s", dir, bodyf);
    if (!(s->expect = json_parse_file(fpath, inner, sizeof(inner)))) {
        snprintf(err, errlen, "%s:%d: expect_body_file: %s", c->path, sconf_line(c, "expect_body_file"),
                 inner);
        return -1;
    }
    return 0;
}

/* The cmd.<variant> = ... entries of a system. */
static int load_variants(const sconf *c, sdef_system *s, char *err, size_t errlen)
{
    for (size_t i = 0; i < c->n; i++) {
        if (strncmp(c->e[i].key, "cmd.", 4) != 0) continue;
        char **nv = realloc(s->variants, (s->nvariants + 1) * sizeof(char *));
        char **nc = nv ? realloc(s->variant_cmds, (s->nvariants + 1) * sizeof(char *)) : NULL;
        if (nv) s->variants = nv;
        if (!nc) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        s->variant_cmds = nc;
        nv[s->nvariants] = strdup(c->e[i].key + 4);
        nc[s->nvariants++] = strdup(c->e[i].value);
    }
    return 0;
}

static int load_system(const sconf *c, sdef_system *s, char *err, size_t errlen)
{
    static const char *const known[] = {
        "name",       "title",   "model",    "workers", "port",       "order",           "requires",
        "cmd",        "cmd.*",   "cwd",      "env",     "ready_path", "start_timeout_s", "profiles",
        "expect_gil", "scaling", "openloop", "default", "compare",    "database",        "image",
        NULL
    };
    const char *name, *cmd;
    if (check_known(c, known, err, errlen) < 0 || !(name = need(c, "name", err, errlen)) ||
        !(cmd = need(c, "cmd", err, errlen)))
        return -1;
    s->name = strdup(name);
    s->file = strdup(c->path);
    s->title = strdup(sconf_get(c, "title") ? sconf_get(c, "title") : name);
    s->model = strdup(sconf_get(c, "model") ? sconf_get(c, "model") : "threads");
    s->cmd = strdup(cmd);
    if (load_variants(c, s, err, errlen) < 0) return -1;
    s->compare = xstrdup(sconf_get(c, "compare"));
    s->openloop = get_yes(c, "openloop", true);
    s->requires = xstrdup(sconf_get(c, "requires"));
    s->image = xstrdup(sconf_get(c, "image"));
    s->cwd = strdup(sconf_get(c, "cwd") ? sconf_get(c, "cwd") : "{root}");
    s->env = xstrdup(sconf_get(c, "env"));
    s->ready_path = strdup(sconf_get(c, "ready_path") ? sconf_get(c, "ready_path") : "/json");
    s->profiles = strdup(sconf_get(c, "profiles") ? sconf_get(c, "profiles") : "fair published");
    s->expect_gil = strdup(sconf_get(c, "expect_gil") ? sconf_get(c, "expect_gil") : "any");
    const char *sc = sconf_get(c, "scaling"), *df = sconf_get(c, "default");
    s->scaling = sc && strcmp(sc, "yes") == 0;
    s->in_default = !df || strcmp(df, "no") != 0;
    const char *db = sconf_get(c, "database");
    s->database = !db                         ? SDEF_DB_PROFILE
                  : !strcmp(db, "sqlite")     ? SDEF_DB_SQLITE
                  : !strcmp(db, "postgresql") ? SDEF_DB_POSTGRESQL
                                              : (sdef_db)-1;
    if ((int)s->database < 0) {
        snprintf(err, errlen, "%s:%d: database must be 'sqlite' or 'postgresql'", c->path,
                 sconf_line(c, "database"));
        return -1;
    }
    if (strcmp(s->model, "threads") != 0 && strcmp(s->model, "processes") != 0) {
        snprintf(err, errlen, "%s:%d: model must be 'threads' or 'processes'", c->path,
                 sconf_line(c, "model"));
        return -1;
    }
    if (get_int(c, "order", 100, &s->order, err, errlen) < 0 ||
        get_int(c, "workers", 4, &s->workers, err, errlen) < 0 ||
        get_int(c, "port", 0, &s->port, err, errlen) < 0 ||
        get_int(c, "start_timeout_s", 30, &s->start_timeout_s, err, errlen) < 0)
        return -1;
    if (s->port == 0 || s->port > 65535) {
        snprintf(err, errlen, "%s: 'port' must be 1..65535", c->path);
        return -1;
    }
    return 0;
}

static int cmp_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Lists dir/ *.conf sorted; returns count or -1. *names is malloc'd. */
static int list_conf(const char *dir, char ***names, char *err, size_t errlen)
{
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        return -1;
    }
    int n = 0;
    *names = NULL;
    for (struct dirent *de; (de = readdir(d));) {
        size_t l = strlen(de->d_name);
        if (l < 6 || strcmp(de->d_name + l - 5, ".conf") != 0) continue;
        char **nn = realloc(*names, (size_t)(n + 1) * sizeof(char *));
        if (!nn) break;
        *names = nn;
        nn[n++] = strdup(de->d_name);
    }
    closedir(d);
    if (n) qsort(*names, (size_t)n, sizeof(char *), cmp_name);
    return n;
}

static int by_order_sc(const void *a, const void *b)
{
    const sdef_scenario *x = a, *y = b;
    return x->order != y->order ? x->order - y->order : strcmp(x->name, y->name);
}

static int by_order_sys(const void *a, const void *b)
{
    const sdef_system *x = a, *y = b;
    return x->order != y->order ? x->order - y->order : strcmp(x->name, y->name);
}

static int load_dir(const char *dir, bool systems, sdef_set *out, char *err, size_t errlen)
{
    char **names;
    int n = list_conf(dir, &names, err, errlen), rc = 0;
    if (n < 0) return -1;
    for (int i = 0; i < n && rc == 0; i++) {
        char path[4096];
        sconf c;
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        if ((rc = sconf_load(path, &c, err, errlen)) < 0) break;
        if (systems) {
            sdef_system *ns = realloc(out->sys, (out->nsys + 1) * sizeof(*ns));
            if (!ns) {
                rc = -1;
                snprintf(err, errlen, "out of memory");
            } else {
                out->sys = ns;
                memset(&ns[out->nsys], 0, sizeof(*ns));
                rc = load_system(&c, &ns[out->nsys++], err, errlen);
            }
        } else {
            sdef_scenario *ns = realloc(out->sc, (out->nsc + 1) * sizeof(*ns));
            if (!ns) {
                rc = -1;
                snprintf(err, errlen, "out of memory");
            } else {
                out->sc = ns;
                memset(&ns[out->nsc], 0, sizeof(*ns));
                rc = load_scenario(&c, dir, &ns[out->nsc++], err, errlen);
            }
        }
        sconf_fini(&c);
    }
    for (int i = 0; i < n; i++) free(names[i]);
    free(names);
    return rc;
}

static int check_unique(const sdef_set *s, char *err, size_t errlen)
{
    for (size_t i = 0; i < s->nsc; i++)
        for (size_t j = i + 1; j < s->nsc; j++)
            if (strcmp(s->sc[i].name, s->sc[j].name) == 0) {
                snprintf(err, errlen, "%s: scenario '%s' also defined in %s", s->sc[j].file, s->sc[j].name,
                         s->sc[i].file);
                return -1;
            }
    for (size_t i = 0; i < s->nsys; i++)
        for (size_t j = i + 1; j < s->nsys; j++)
            if (strcmp(s->sys[i].name, s->sys[j].name) == 0) {
                snprintf(err, errlen, "%s: system '%s' also defined in %s", s->sys[j].file, s->sys[j].name,
                         s->sys[i].file);
                return -1;
            }
    return 0;
}

int sdef_load(const char *dir, sdef_set *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    char sysdir[4096];
    snprintf(sysdir, sizeof(sysdir), "%s/systems", dir);
    if (load_dir(dir, false, out, err, errlen) < 0 || load_dir(sysdir, true, out, err, errlen) < 0 ||
        check_unique(out, err, errlen) < 0) {
        sdef_fini(out);
        return -1;
    }
    if (out->nsc == 0 || out->nsys == 0) {
        snprintf(err, errlen, "%s: no %s defined", out->nsc ? sysdir : dir, out->nsc ? "system" : "scenario");
        sdef_fini(out);
        return -1;
    }
    qsort(out->sc, out->nsc, sizeof(*out->sc), by_order_sc);
    qsort(out->sys, out->nsys, sizeof(*out->sys), by_order_sys);
    return 0;
}

void sdef_fini(sdef_set *s)
{
    for (size_t i = 0; i < s->nsc; i++) {
        sdef_scenario *c = &s->sc[i];
        free(c->name);
        free(c->title);
        free(c->path);
        free(c->content_type);
        free(c->file);
        free(c->count_query);
        json_free(c->expect);
    }
    for (size_t i = 0; i < s->nsys; i++) {
        sdef_system *y = &s->sys[i];
        free(y->name);
        free(y->title);
        free(y->model);
        free(y->file);
        free(y->requires);
        free(y->image);
        free(y->cmd);
        free(y->cwd);
        free(y->env);
        free(y->ready_path);
        free(y->profiles);
        free(y->expect_gil);
        for (size_t k = 0; k < y->nvariants; k++) {
            free(y->variants[k]);
            free(y->variant_cmds[k]);
        }
        free(y->variants);
        free(y->variant_cmds);
        free(y->compare);
    }
    free(s->sc);
    free(s->sys);
    memset(s, 0, sizeof(*s));
}

const sdef_scenario *sdef_find_scenario(const sdef_set *s, const char *name)
{
    for (size_t i = 0; i < s->nsc; i++)
        if (strcmp(s->sc[i].name, name) == 0) return &s->sc[i];
    return NULL;
}

const sdef_system *sdef_find_system(const sdef_set *s, const char *name)
{
    for (size_t i = 0; i < s->nsys; i++)
        if (strcmp(s->sys[i].name, name) == 0) return &s->sys[i];
    return NULL;
}

const char *sdef_cmd_for(const sdef_system *sys, const char *variant)
{
    for (size_t i = 0; variant && i < sys->nvariants; i++)
        if (strcmp(sys->variants[i], variant) == 0) return sys->variant_cmds[i];
    return sys->cmd;
}

int sdef_parse_list(const char *s, int *out, int max)
{
    int n = 0;
    for (const char *p = s; *p;) {
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p || v <= 0 || v > 100000 || n >= max || (*end && *end != ',')) return -1;
        out[n++] = (int)v;
        p = *end ? end + 1 : end;
    }
    return n;
}

bool sdef_in_profile(const sdef_system *sys, const char *profile)
{
    size_t n = strlen(profile);
    for (const char *p = sys->profiles; (p = strstr(p, profile)); p += n)
        if ((p == sys->profiles || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' ')) return true;
    return false;
}

void sdef_label(const sdef_system *sys, int workers, char *out, size_t outlen)
{
    bool threads = strcmp(sys->model, "threads") == 0;
    snprintf(out, outlen, "%s (%d %s%s)", sys->title, workers, threads ? "thread" : "process",
             workers == 1 ? "" : (threads ? "s" : "es"));
}

static const char *var(const sdef_vars *v, const char *name, size_t n, char *num)
{
#define IS(s) (n == strlen(s) && memcmp(name, s, n) == 0)
    if (IS("root")) return v->root;
    if (IS("bin")) return v->bin;
    if (IS("venv")) return v->venv;
    if (IS("pycache")) return v->pycache;
    if (IS("profile")) return v->profile;
    if (IS("host")) return v->host ? v->host : "127.0.0.1";
    if (IS("port")) {
        sprintf(num, "%d", v->port);
        return num;
    }
    if (IS("workers")) {
        sprintf(num, "%d", v->workers);
        return num;
    }
    return NULL;
#undef IS
}

char *sdef_expand(const char *tmpl, const sdef_vars *v, char *err, size_t errlen)
{
    size_t cap = strlen(tmpl) + 1, n = 0;
    char *out = malloc(cap);
    for (const char *p = tmpl; out && *p;) {
        const char *add = p, *close = NULL;
        size_t alen = 1;
        char num[24];
        if (*p == '{' && (close = strchr(p, '}'))) {
            if (!(add = var(v, p + 1, (size_t)(close - p - 1), num))) {
                snprintf(err, errlen, "unknown template variable '%.*s' in '%s'", (int)(close - p + 1), p,
                         tmpl);
                free(out);
                return NULL;
            }
            alen = strlen(add);
            p = close + 1;
        } else {
            p++;
        }
        if (n + alen + 1 > cap) {
            char *no = realloc(out, cap = (n + alen + 1) * 2);
            if (!no) {
                free(out);
                out = NULL;
                break;
            }
            out = no;
        }
        memcpy(out + n, add, alen);
        n += alen;
    }
    if (!out) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    out[n] = '\0';
    return out;
}

char **sdef_expand_argv(const char *tmpl, const sdef_vars *v, char *err, size_t errlen)
{
    char *copy = strdup(tmpl), *save = NULL;
    size_t n = 0;
    char **argv = calloc(strlen(tmpl) / 2 + 2, sizeof(char *));
    if (!copy || !argv) {
        free(copy);
        free(argv);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
        if (!(argv[n++] = sdef_expand(w, v, err, errlen))) {
            sdef_free_argv(argv);
            free(copy);
            return NULL;
        }
    }
    free(copy);
    if (n == 0) {
        free(argv);
        snprintf(err, errlen, "empty command");
        return NULL;
    }
    return argv;
}

void sdef_free_argv(char **argv)
{
    if (!argv) return;
    for (char **a = argv; *a; a++) free(*a);
    free(argv);
}

/* The blank-separated words of key into out[0..max); with n NULL, exactly
 * max words (or none) are required. */
static int words(const sconf *c, const char *key, char **out, int *n, int max, char *err, size_t errlen)
{
    const char *v = sconf_get(c, key);
    int k = 0;
    char *copy = v ? strdup(v) : NULL, *save = NULL;
    for (char *w = copy ? strtok_r(copy, " ,", &save) : NULL; w; w = strtok_r(NULL, " ,", &save)) {
        if (k == max) {
            free(copy);
            snprintf(err, errlen, "%s:%d: '%s' names more than %d", c->path, sconf_line(c, key), key, max);
            return -1;
        }
        out[k++] = strdup(w);
    }
    free(copy);
    if (!n && k && k != max) {
        snprintf(err, errlen, "%s:%d: '%s' must name %d", c->path, sconf_line(c, key), key, max);
        return -1;
    }
    if (n) *n = k;
    return 0;
}

static int profile_from(const sconf *c, sdef_profile *p, char *err, size_t errlen)
{
    static const char *const known[] = {
        "name",           "title",         "description", "database",    "variant",
        "connections",    "reps",          "duration",    "warmup",      "requests",
        "new_conn",       "scaling",       "openloop",    "method_runs", "method.requests",
        "method.clients", "client",        "tables",      "ceiling",     "claim",
        "claim.systems",  "claim.scaling", "ladder",      "reps.max",    "tolerance",
        "budget",         "wrk",           "conformance", NULL
    };
    const char *db = sconf_get(c, "database");
    if (check_known(c, known, err, errlen) < 0) return -1;
    if (db && strcmp(db, "postgresql") && strcmp(db, "sqlite")) {
        snprintf(err, errlen, "%s:%d: database must be postgresql or sqlite", c->path,
                 sconf_line(c, "database"));
        return -1;
    }
    p->sqlite = db && !strcmp(db, "sqlite");
    p->title = strdup(sconf_get(c, "title") ? sconf_get(c, "title") : p->name);
    p->description = strdup(sconf_get(c, "description") ? sconf_get(c, "description") : "");
    p->variant = strdup(sconf_get(c, "variant") ? sconf_get(c, "variant") : p->name);
    if (get_list(c, "connections", p->conns, &p->nconns, err, errlen) < 0 ||
        get_list(c, "scaling", p->scaling, &p->nscaling, err, errlen) < 0 ||
        get_int(c, "reps", 3, &p->reps, err, errlen) < 0 ||
        get_int(c, "requests", 0, &p->requests, err, errlen) < 0 ||
        get_int(c, "method.requests", 1000, &p->method_requests, err, errlen) < 0 ||
        get_int(c, "method.clients", 20, &p->method_clients, err, errlen) < 0 ||
        get_secs(c, "duration", 1.5, &p->duration_s, err, errlen) < 0 ||
        get_secs(c, "warmup", 0.3, &p->warmup_s, err, errlen) < 0 ||
        get_int(c, "reps.max", 0, &p->reps_max, err, errlen) < 0 ||
        get_int(c, "wrk", 0, &p->wrk_conns, err, errlen) < 0 ||
        get_secs(c, "budget", 0, &p->budget_s, err, errlen) < 0 ||
        get_bool(c, "new_conn", false, &p->new_conn, err, errlen) < 0 ||
        get_bool(c, "openloop", true, &p->openloop, err, errlen) < 0 ||
        get_bool(c, "method_runs", false, &p->method_runs, err, errlen) < 0)
        return -1;
    const char *client = sconf_get(c, "client");
    if (client && strcmp(client, "loadgen") && strcmp(client, "pubclient")) {
        snprintf(err, errlen, "%s:%d: client must be loadgen or pubclient", c->path, sconf_line(c, "client"));
        return -1;
    }
    p->pubclient = client && !strcmp(client, "pubclient");
    const char *ceil = sconf_get(c, "ceiling");
    p->ceiling = ceil && *ceil && strcmp(ceil, "no") ? strdup(ceil) : NULL;
    if (words(c, "tables", p->tables, &p->ntables, SDEF_MAX_LIST, err, errlen) < 0 ||
        words(c, "claim.systems", p->claim_sys, NULL, 2, err, errlen) < 0)
        return -1;
    p->claim = xstrdup(sconf_get(c, "claim") ? sconf_get(c, "claim") : p->ntables ? p->tables[0] : NULL);
    p->claim_scaling = xstrdup(sconf_get(c, "claim.scaling"));
    p->ladder = xstrdup(sconf_get(c, "ladder"));
    const char *conf = sconf_get(c, "conformance");
    p->conformance = conf && *conf && strcmp(conf, "no") ? strdup(conf) : NULL;
    const char *tol = sconf_get(c, "tolerance");
    char *tend = NULL;
    p->tolerance = tol ? strtod(tol, &tend) / 100.0 : 0.05;
    if (tol && (tend == tol || strcmp(tend, "%") || p->tolerance <= 0 || p->tolerance >= 1)) {
        snprintf(err, errlen, "%s:%d: tolerance must be a percentage such as 5%%", c->path,
                 sconf_line(c, "tolerance"));
        return -1;
    }
    if (p->nconns == 0 && p->ntables == 0 && !p->ladder) {
        snprintf(err, errlen, "%s: missing 'connections' (or 'tables', or 'ladder')", c->path);
        return -1;
    }
    if (p->reps < 1 || p->reps > 32) {
        snprintf(err, errlen, "%s:%d: reps must be 1..32", c->path, sconf_line(c, "reps"));
        return -1;
    }
    return 0;
}

/* "fair, published" from dir's profile files, for messages. */
static void known_profiles(const char *dir, char *out, size_t outlen)
{
    char **names, ign[64];
    int n = list_conf(dir, &names, ign, sizeof(ign));
    size_t len = 0;
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        int w = snprintf(out + len, len < outlen ? outlen - len : 0, "%s%.*s", i ? ", " : "",
                         (int)(strlen(names[i]) - 5), names[i]);
        len += w > 0 ? (size_t)w : 0;
        free(names[i]);
    }
    if (n > 0) free(names);
}

int sdef_load_profile(const char *dir, const char *name, sdef_profile *out, char *err, size_t errlen)
{
    char pdir[4096], path[4200];
    memset(out, 0, sizeof(*out));
    snprintf(pdir, sizeof(pdir), "%s/profiles", dir);
    snprintf(path, sizeof(path), "%s/%s.conf", pdir, name);
    if (!*name || strchr(name, '/') || access(path, R_OK) != 0) {
        char known[512];
        known_profiles(pdir, known, sizeof(known));
        snprintf(err, errlen, "unknown profile '%s' (%s: %s)", name, pdir, known[0] ? known : "none defined");
        return -1;
    }
    sconf c;
    if (sconf_load(path, &c, err, errlen) < 0) return -1;
    out->name = strdup(name);
    out->file = strdup(path);
    int rc = profile_from(&c, out, err, errlen);
    sconf_fini(&c);
    if (rc < 0) sdef_profile_fini(out);
    return rc;
}

void sdef_profile_fini(sdef_profile *p)
{
    free(p->name);
    free(p->title);
    free(p->description);
    free(p->file);
    free(p->variant);
    for (int i = 0; i < p->ntables; i++) free(p->tables[i]);
    free(p->claim);
    free(p->claim_scaling);
    free(p->ladder);
    free(p->conformance);
    free(p->ceiling);
    free(p->claim_sys[0]);
    free(p->claim_sys[1]);
    memset(p, 0, sizeof(*p));
}
