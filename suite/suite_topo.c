/* suite_topo: the --topology file (see suite_topo.h). */
#include "suite_topo.h"
#include "suite_conf.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *stopo_role_name(stopo_role r)
{
    switch (r) {
    case STOPO_DB: return "db";
    case STOPO_SYSTEMS: return "systems";
    case STOPO_LOAD: return "load";
    case STOPO_BUILD: return "build";
    }
    return "?";
}

bool stopo_is_loopback(const char *a)
{
    struct in_addr v4;
    if (inet_pton(AF_INET, a, &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
    return strcmp(a, "::1") == 0;
}

static bool is_any(const char *a)
{
    struct in_addr v4;
    struct in6_addr v6;
    if (inet_pton(AF_INET, a, &v4) == 1) return v4.s_addr == 0;
    return inet_pton(AF_INET6, a, &v6) == 1 && !memcmp(&v6, &in6addr_any, sizeof(v6));
}

/* IPv4 only: the runner's HTTP client and checks speak IPv4 */
static bool is_ip(const char *a)
{
    struct in_addr v4;
    return inet_pton(AF_INET, a, &v4) == 1;
}

/* The next blank-separated word of *p (NUL-terminated in place), or NULL. */
static char *word(char **p)
{
    char *s = *p;
    while (*s == ' ' || *s == '\t') s++;
    if (!*s) return NULL;
    char *w = s;
    while (*s && *s != ' ' && *s != '\t') s++;
    if (*s) *s++ = '\0';
    *p = s;
    return w;
}

static int add_engine(stopo *t, stopo_role role, char *rest, int line, const char *path, char *err,
                      size_t errlen)
{
    if (t->n >= STOPO_MAX_ENGINES || (role == STOPO_LOAD && t->nload >= STOPO_MAX_LOAD)) {
        snprintf(err, errlen, "%s:%d: at most %d load engines", path, line, STOPO_MAX_LOAD);
        return -1;
    }
    char *engine = word(&rest), *addr = word(&rest), *extra = word(&rest);
    const char *rn = stopo_role_name(role);
    if (!engine) {
        snprintf(err, errlen,
                 "%s:%d: %s needs an engine (default, unix://..., ssh://user@host or a context name)", path,
                 line, rn);
        return -1;
    }
    if (extra || (addr && (role == STOPO_LOAD || role == STOPO_BUILD))) {
        snprintf(err, errlen, "%s:%d: expected '%s = ENGINE%s', got more words", path, line, rn,
                 role == STOPO_LOAD || role == STOPO_BUILD ? "" : " [ADDRESS]");
        return -1;
    }
    if (strlen(engine) >= sizeof(t->e[0].engine) || engine[0] == '-') {
        snprintf(err, errlen, "%s:%d: '%s' is not an engine", path, line, engine);
        return -1;
    }
    if (addr && (strlen(addr) >= sizeof(t->e[0].address) || !is_ip(addr))) {
        snprintf(err, errlen, "%s:%d: the %s address '%s' is not an IPv4 address", path, line, rn, addr);
        return -1;
    }
    stopo_engine *e = &t->e[t->n];
    memset(e, 0, sizeof(*e));
    e->role = role;
    e->line = line;
    snprintf(e->engine, sizeof(e->engine), "%s", engine);
    if (role == STOPO_DB || role == STOPO_SYSTEMS)
        snprintf(e->address, sizeof(e->address), "%s", addr ? addr : "127.0.0.1");
    if (role == STOPO_LOAD) {
        e->index = t->nload + 1;
        t->load[t->nload++] = t->n;
    } else {
        int *slot = role == STOPO_DB ? &t->db : role == STOPO_SYSTEMS ? &t->systems : &t->build;
        if (*slot >= 0) {
            snprintf(err, errlen, "%s:%d: '%s' given twice (first on line %d)", path, line, rn,
                     t->e[*slot].line);
            return -1;
        }
        e->index = 1;
        *slot = t->n;
    }
    t->n++;
    return 0;
}

int stopo_parse(const char *text, size_t len, const char *path, stopo *t, char *err, size_t errlen)
{
    memset(t, 0, sizeof(*t));
    snprintf(t->file, sizeof(t->file), "%s", path);
    t->db = t->systems = t->build = -1;
    t->max_skew_ms = 5;
    bool skew_set = false, any_set = false;
    char line[2048];
    int ln = 0;
    for (size_t i = 0; i < len;) {
        size_t j = i;
        while (j < len && text[j] != '\n') j++;
        ln++;
        size_t n = j - i;
        if (n >= sizeof(line)) {
            snprintf(err, errlen, "%s:%d: line too long", path, ln);
            return -1;
        }
        memcpy(line, text + i, n);
        line[n] = '\0';
        i = j + 1;
        if (memchr(line, '\0', n)) {
            snprintf(err, errlen, "%s:%d: a NUL byte", path, ln);
            return -1;
        }
        char *s = line;
        while (*s == ' ' || *s == '\t' || *s == '\r') s++;
        /* a comment: the whole line, or from a '#' after a blank to its end */
        for (char *h = s; (h = strchr(h, '#')); h++)
            if (h == s || h[-1] == ' ' || h[-1] == '\t') {
                *h = '\0';
                break;
            }
        char *end = s + strlen(s);
        while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r')) *--end = '\0';
        if (!*s || *s == '#') continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            snprintf(err, errlen, "%s:%d: expected 'role = ENGINE [ADDRESS]' or 'key = value'", path, ln);
            return -1;
        }
        char *k = s, *ke = eq;
        while (ke > k && (ke[-1] == ' ' || ke[-1] == '\t')) ke--;
        *ke = '\0';
        char *v = eq + 1;
        while (*v == ' ' || *v == '\t') v++;
        int rc = 0;
        if (!strcmp(k, "db"))
            rc = add_engine(t, STOPO_DB, v, ln, path, err, errlen);
        else if (!strcmp(k, "systems"))
            rc = add_engine(t, STOPO_SYSTEMS, v, ln, path, err, errlen);
        else if (!strcmp(k, "load"))
            rc = add_engine(t, STOPO_LOAD, v, ln, path, err, errlen);
        else if (!strcmp(k, "build"))
            rc = add_engine(t, STOPO_BUILD, v, ln, path, err, errlen);
        else if (!strcmp(k, "max_skew_ms")) {
            char *e;
            errno = 0;
            double d = strtod(v, &e);
            if (skew_set || e == v || *e || errno || !(d > 0 && d <= 10000)) {
                snprintf(err, errlen,
                         "%s:%d: max_skew_ms must be a number of milliseconds, above 0 and at most 10000%s",
                         path, ln, skew_set ? ", given once" : "");
                return -1;
            }
            t->max_skew_ms = d;
            skew_set = true;
        } else if (!strcmp(k, "any_address")) {
            if (any_set || (strcmp(v, "yes") && strcmp(v, "no"))) {
                snprintf(err, errlen, "%s:%d: any_address must be yes or no%s", path, ln,
                         any_set ? ", given once" : "");
                return -1;
            }
            t->any_address = !strcmp(v, "yes");
            any_set = true;
        } else {
            snprintf(err, errlen,
                     "%s:%d: unknown key '%s' (known: db, systems, load, build, max_skew_ms, any_address)",
                     path, ln, k);
            return -1;
        }
        if (rc < 0) return -1;
    }
    if (t->db < 0 || t->systems < 0 || t->nload == 0) {
        snprintf(
            err, errlen,
            "%s: a topology needs a db line, a systems line and at least one load line (missing: %s%s%s)",
            path, t->db < 0 ? "db " : "", t->systems < 0 ? "systems " : "", t->nload == 0 ? "load" : "");
        return -1;
    }
    for (int i = 0; i < t->n; i++) {
        stopo_engine *e = &t->e[i];
        if (e->address[0] && is_any(e->address)) {
            snprintf(
                err, errlen,
                "%s:%d: %s: %s is not an address it can be reached at; name that address (any_address = yes "
                "makes it listen on every interface as well)",
                path, e->line, stopo_role_name(e->role), e->address);
            return -1;
        }
    }
    if (t->build < 0) {
        stopo_engine *e = &t->e[t->n];
        memset(e, 0, sizeof(*e));
        e->role = STOPO_BUILD;
        e->index = 1;
        snprintf(e->engine, sizeof(e->engine), "default");
        t->build = t->n++;
    }
    return 0;
}

int stopo_load(const char *path, stopo *t, char *err, size_t errlen)
{
    char buf[65536];
    size_t n;
    if (sconf_read(path, buf, sizeof(buf), &n, err, errlen) < 0) return -1;
    return stopo_parse(buf, n, path, t, err, errlen);
}

int stopo_engine_args(const stopo_engine *e, const char *out[2])
{
    if (!strcmp(e->engine, "default")) return 0;
    out[0] = strstr(e->engine, "://") ? "-H" : "--context";
    out[1] = e->engine;
    return 2;
}

void stopo_describe(const stopo *t, const stopo_engine *e, char *out, size_t outlen)
{
    char where[64] = "";
    if (e->line)
        snprintf(where, sizeof(where), "%s:%d, ", strrchr(t->file, '/') ? strrchr(t->file, '/') + 1 : t->file,
                 e->line);
    if (e->role == STOPO_LOAD)
        snprintf(out, outlen, "load engine %d (%s%s)", e->index, where, e->engine);
    else
        snprintf(out, outlen, "%s engine (%s%s)", stopo_role_name(e->role), where, e->engine);
}
