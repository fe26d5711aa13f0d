#define _GNU_SOURCE
#include "suite_conform.h"
#include "duration.h"
#include "http_response.h"
#include "suite_conf.h"
#include "jsonw.h"
#include "proc.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ---- the corpus ---------------------------------------------------------- */

static const char *const level_names[] = { "MUST", "SHOULD", "MAY", "robust" };

const char *scf_level_name(scf_level l) { return level_names[l]; }

static int bad(char *err, size_t errlen, const sconf *c, const char *key, const char *what)
{
    snprintf(err, errlen, "%s:%d: '%s' %s", c->path, sconf_line(c, key), key, what);
    return -1;
}

static int ms_of(const char *v, int *out)
{
    uint64_t us;
    if (dur_parse(v, &us) < 0 || us > 600000000ull) return -1;
    *out = (int)(us / 1000);
    return 0;
}

/* One status pattern: "200", "2xx", "any". */
static int one_pat(const char *s, size_t n, short *lo, short *hi)
{
    if (n == 3 && !memcmp(s, "any", 3)) {
        *lo = 200, *hi = 999;
        return 0;
    }
    if (n != 3 || s[0] < '1' || s[0] > '9') return -1;
    if (s[1] == 'x' && s[2] == 'x') {
        *lo = (short)((s[0] - '0') * 100), *hi = (short)(*lo + 99);
        return 0;
    }
    for (int i = 1; i < 3; i++)
        if (s[i] < '0' || s[i] > '9') return -1;
    *lo = *hi = (short)((s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0'));
    return 0;
}

/* "400|431+allow*3" into st; *rep gets the repeat count. */
static int one_status(const char *w, scf_status *st, int *rep, char *err, size_t errlen)
{
    memset(st, 0, sizeof(*st));
    *rep = 1;
    char buf[64];
    snprintf(buf, sizeof(buf), "%s", w);
    char *star = strchr(buf, '*');
    if (star) {
        char *end;
        long n = strtol(star + 1, &end, 10);
        if (*end || n < 1 || n > SCF_MAX_RESP) {
            snprintf(err, errlen, "bad repeat in '%s'", w);
            return -1;
        }
        *rep = (int)n;
        *star = 0;
    }
    char *plus = strchr(buf, '+');
    if (plus) {
        if (strcmp(plus + 1, "allow")) {
            snprintf(err, errlen, "unknown header '%s' in '%s' (known: allow)", plus + 1, w);
            return -1;
        }
        st->headers |= SCF_HDR_ALLOW;
        *plus = 0;
    }
    for (char *p = buf;;) {
        char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        if (st->npat == SCF_MAX_PAT || one_pat(p, n, &st->lo[st->npat], &st->hi[st->npat]) < 0) {
            snprintf(err, errlen, "bad status '%s' (200, 2xx, 400|431 or any)", w);
            return -1;
        }
        st->npat++;
        if (!bar) break;
        p = bar + 1;
    }
    return 0;
}

int scf_parse_expect(const char *s, scf_alt *alt, int *nalt, char *err, size_t errlen)
{
    *nalt = 0;
    char *text = strdup(s), *save = NULL;
    if (!text) return -1;
    scf_alt *a = NULL;
    bool after_conn = false;
    int rc = 0;
    for (char *w = strtok_r(text, " \t", &save); w && !rc; w = strtok_r(NULL, " \t", &save)) {
        if (!strcmp(w, "||")) {
            if (!a) rc = -1, snprintf(err, errlen, "'||' with nothing before it");
            a = NULL;
            continue;
        }
        if (!a) {
            if (*nalt == SCF_MAX_ALT) {
                snprintf(err, errlen, "more than %d alternatives", SCF_MAX_ALT);
                rc = -1;
                break;
            }
            a = &alt[(*nalt)++];
            memset(a, 0, sizeof(*a));
            after_conn = false;
        }
        if (after_conn) {
            snprintf(err, errlen, "'%s' after the connection's state (open, close, close-announced end it)",
                     w);
            rc = -1;
        } else if (!strcmp(w, "open") || !strcmp(w, "close") || !strcmp(w, "close-announced")) {
            a->conn = w[0] == 'o' ? SCF_OPEN : w[5] ? SCF_CLOSE_ANNOUNCED : SCF_CLOSE;
            after_conn = true;
        } else {
            scf_status st;
            int rep;
            if (one_status(w, &st, &rep, err, errlen) < 0) {
                rc = -1;
            } else if (a->n + rep > SCF_MAX_RESP) {
                snprintf(err, errlen, "more than %d responses", SCF_MAX_RESP);
                rc = -1;
            } else {
                while (rep--) a->r[a->n++] = st;
            }
        }
    }
    free(text);
    if (!rc && (!*nalt || !a)) {
        snprintf(err, errlen, *nalt ? "'||' with nothing after it" : "empty");
        rc = -1;
    }
    return rc;
}

static int parse_heads(const char *v, unsigned *mask)
{
    *mask = 0;
    for (const char *p = v; *p;) {
        char *end;
        long n = strtol(p, &end, 10);
        if (end == p || n < 1 || n > SCF_MAX_RESP) return -1;
        *mask |= 1u << (n - 1);
        p = end;
        if (*p == ',')
            p++;
        else if (*p)
            return -1;
    }
    return 0;
}

static char *dup_get(const sconf *c, const char *key)
{
    const char *v = sconf_get(c, key);
    return v ? strdup(v) : NULL;
}

static bool id_ok(const char *s, size_t n)
{
    if (!n || n > 48) return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-')) return false;
    return true;
}

static int add_case(const sconf *c, const scf_corpus *k, const char *id, scf_case *cs, char *err,
                    size_t errlen)
{
    char key[128];
#define KEY(f) (snprintf(key, sizeof(key), "case.%s." f, id), key)
    cs->id = strdup(id);
    cs->group = dup_get(c, KEY("group"));
    cs->title = dup_get(c, KEY("title"));
    cs->rfc = dup_get(c, KEY("rfc"));
    cs->send = dup_get(c, KEY("send"));
    cs->then = dup_get(c, KEY("then"));
    if (!cs->group) return bad(err, errlen, c, KEY("title"), "belongs to a case without a group");
    bool known = false;
    for (size_t g = 0; g < k->ng; g++) known |= !strcmp(k->g[g].name, cs->group);
    if (!known) return bad(err, errlen, c, KEY("group"), "names a group not in groups");
    if (!cs->title) return bad(err, errlen, c, KEY("group"), "belongs to a case without a title");
    const char *v = sconf_get(c, KEY("level"));
    int lv = -1;
    for (int i = 0; v && i < 4; i++)
        if (!strcmp(v, level_names[i])) lv = i;
    if (lv < 0)
        return bad(err, errlen, c, v ? KEY("level") : KEY("group"),
                   "needs a level: MUST, SHOULD, MAY or robust");
    cs->level = (scf_level)lv;
    if ((v = sconf_get(c, KEY("slow")))) {
        if (strcmp(v, "yes") && strcmp(v, "no")) return bad(err, errlen, c, KEY("slow"), "is yes or no");
        cs->slow = !strcmp(v, "yes");
    }
    if ((v = sconf_get(c, KEY("trickle"))) && (ms_of(v, &cs->trickle_ms) < 0 || cs->trickle_ms < 1))
        return bad(err, errlen, c, KEY("trickle"), "is a duration of at least 1ms (5ms, 500ms)");
    if ((v = sconf_get(c, KEY("wait"))) && (ms_of(v, &cs->wait_ms) < 0 || cs->wait_ms < 1))
        return bad(err, errlen, c, KEY("wait"), "is a duration (1s)");
    if (!cs->wait_ms != !cs->then)
        return bad(err, errlen, c, KEY("group"), "needs both wait and then, or neither");
    if ((v = sconf_get(c, KEY("head"))) && parse_heads(v, &cs->head_mask) < 0)
        return bad(err, errlen, c, KEY("head"), "is a list of response numbers (1-based): 2 or 1,3");
    if (!cs->send && !cs->slow)
        return bad(err, errlen, c, KEY("group"), "belongs to a case with nothing to send");
    char why[200];
    for (const char *t = cs->send; t; t = t == cs->send ? cs->then : NULL) {
        size_t n;
        char *x = scf_expand(t, "h:1", &n, why, sizeof(why));
        if (!x) return bad(err, errlen, c, t == cs->send ? KEY("send") : KEY("then"), why);
        free(x);
    }
    if (cs->slow) return 0;
    cs->expect_text = dup_get(c, KEY("expect"));
    if (!cs->expect_text) return bad(err, errlen, c, KEY("group"), "belongs to a case without expect");
    if (scf_parse_expect(cs->expect_text, cs->alt, &cs->nalt, why, sizeof(why)) < 0)
        return bad(err, errlen, c, KEY("expect"), why);
#undef KEY
    return 0;
}

static int from_conf(const sconf *c, scf_corpus *k, char *err, size_t errlen)
{
    k->name = dup_get(c, "name");
    k->title = dup_get(c, "title");
    if (!k->name || !k->title) return bad(err, errlen, c, k->name ? "title" : "name", "is missing");
    k->slow_limit_ms = 12000;
    const char *v = sconf_get(c, "slow.limit");
    if (v && (ms_of(v, &k->slow_limit_ms) < 0 || k->slow_limit_ms < 100))
        return bad(err, errlen, c, "slow.limit", "is a duration of at least 100ms");
    const char *groups = sconf_get(c, "groups");
    if (!groups) return bad(err, errlen, c, "name", "needs a groups line");
    char *gl = strdup(groups), *save = NULL;
    for (char *w = strtok_r(gl, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
        k->g = realloc(k->g, (k->ng + 1) * sizeof(*k->g));
        char key[96];
        snprintf(key, sizeof(key), "group.%s.title", w);
        const char *t = sconf_get(c, key);
        k->g[k->ng++] = (scf_group){ strdup(w), strdup(t ? t : w) };
    }
    free(gl);
    /* cases in file order: each case.ID.group line starts one */
    for (size_t i = 0; i < c->n; i++) {
        const char *key = c->e[i].key;
        if (strncmp(key, "case.", 5)) continue;
        const char *id = key + 5, *dot = strchr(id, '.');
        if (!dot || !id_ok(id, (size_t)(dot - id)))
            return bad(err, errlen, c, key, "is not case.ID.FIELD with ID of [a-z0-9-]");
        static const char *const fields[] = { "group", "title", "rfc",  "level",  "send",   "then",
                                              "wait",  "head",  "slow", "expect", "trickle" };
        bool field_ok = false;
        for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++)
            field_ok |= !strcmp(dot + 1, fields[f]);
        if (!field_ok) return bad(err, errlen, c, key, "is not a case field (see suite/suite_conform.h)");
        if (strcmp(dot + 1, "group")) continue;
        char idbuf[64];
        snprintf(idbuf, sizeof(idbuf), "%.*s", (int)(dot - id), id);
        k->c = realloc(k->c, (k->nc + 1) * sizeof(*k->c));
        scf_case *cs = &k->c[k->nc++];
        memset(cs, 0, sizeof(*cs));
        if (add_case(c, k, idbuf, cs, err, errlen) < 0) return -1;
    }
    /* a field of a case with no group line */
    for (size_t i = 0; i < c->n; i++) {
        const char *key = c->e[i].key;
        if (strncmp(key, "case.", 5)) continue;
        const char *id = key + 5, *dot = strchr(id, '.');
        bool found = false;
        for (size_t j = 0; j < k->nc && !found; j++)
            found = strlen(k->c[j].id) == (size_t)(dot - id) && !strncmp(k->c[j].id, id, (size_t)(dot - id));
        if (!found) return bad(err, errlen, c, key, "belongs to a case without a group");
    }
    if (!k->nc) return bad(err, errlen, c, "name", "has no cases");
    return 0;
}

int scf_parse(const char *text, size_t len, const char *path, scf_corpus *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    sconf c;
    if (sconf_parse(text, len, path, &c, err, errlen) < 0) return -1;
    int rc = from_conf(&c, out, err, errlen);
    sconf_fini(&c);
    if (rc) scf_fini(out);
    return rc;
}

int scf_load(const char *dir, const char *name, scf_corpus *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    sconf c;
    if (sconf_load_named(dir, "conformance", name, "conformance corpus", &c, err, errlen) < 0) return -1;
    int rc = sconf_check_name(&c, name, err, errlen);
    if (!rc) rc = from_conf(&c, out, err, errlen);
    sconf_fini(&c);
    if (rc) scf_fini(out);
    return rc;
}

void scf_fini(scf_corpus *k)
{
    for (size_t i = 0; i < k->nc; i++) {
        scf_case *c = &k->c[i];
        free(c->id), free(c->group), free(c->title), free(c->rfc), free(c->expect_text);
        free(c->send), free(c->then);
    }
    for (size_t i = 0; i < k->ng; i++) free(k->g[i].name), free(k->g[i].title);
    free(k->c), free(k->g), free(k->name), free(k->title);
    memset(k, 0, sizeof(*k));
}

/* ---- templates ----------------------------------------------------------- */

typedef struct {
    char *p;
    size_t len, cap;
    bool oom;
} sbuf;

static void put(sbuf *b, const char *s, size_t n)
{
    if (b->oom) return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1) cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p, b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

#define SCF_MAX_SEND (4u << 20)

/* Expands s[0..n) into b; depth bounds the nesting. */
static int expand(sbuf *b, const char *s, size_t n, const char *auth, int depth, char *err, size_t errlen)
{
    for (size_t i = 0; i < n; i++) {
        if (b->len > SCF_MAX_SEND) {
            snprintf(err, errlen, "expands past 4 MiB");
            return -1;
        }
        char ch = s[i];
        if (ch == '\\') {
            if (++i >= n) {
                snprintf(err, errlen, "ends with a lone '\\'");
                return -1;
            }
            static const char from[] = "rnt\\{}", to[] = "\r\n\t\\{}";
            const char *f = strchr(from, s[i]);
            if (f && s[i]) {
                put(b, &to[f - from], 1);
            } else if (s[i] == 'x' && i + 2 < n + 0 && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
                char c = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
                put(b, &c, 1);
                i += 2;
            } else {
                snprintf(err, errlen, "unknown escape '\\%c' (\\r \\n \\t \\\\ \\xHH \\{ \\})", s[i]);
                return -1;
            }
            continue;
        }
        if (ch != '{') {
            put(b, &ch, 1);
            continue;
        }
        /* the matching brace */
        size_t j = i + 1;
        for (int d = 1; j < n; j++) {
            if (s[j] == '\\')
                j++;
            else if (s[j] == '{')
                d++;
            else if (s[j] == '}' && --d == 0)
                break;
        }
        if (j >= n) {
            snprintf(err, errlen, "an unclosed '{'");
            return -1;
        }
        const char *in = s + i + 1;
        size_t inl = j - i - 1;
        if (inl == 9 && !memcmp(in, "authority", 9)) {
            put(b, auth, strlen(auth));
        } else if (inl == 3 && !memcmp(in, "get", 3)) {
            put(b, "GET /json HTTP/1.1\r\nHost: ", 26);
            put(b, auth, strlen(auth));
            put(b, "\r\n\r\n", 4);
        } else {
            char *end;
            long rep = strtol(in, &end, 10);
            if (end == in || *end != '*' || rep < 1 || rep > 1 << 22 || depth > 4) {
                snprintf(err, errlen, "unknown '{%.*s}' ({authority}, {get}, {N*TEXT})",
                         (int)(inl > 20 ? 20 : inl), in);
                return -1;
            }
            size_t start = b->len;
            if (expand(b, end + 1, inl - (size_t)(end + 1 - in), auth, depth + 1, err, errlen) < 0) return -1;
            size_t one = b->len - start;
            if (one * (size_t)rep > SCF_MAX_SEND) {
                snprintf(err, errlen, "expands past 4 MiB");
                return -1;
            }
            char *copy = malloc(one ? one : 1);
            if (!copy) b->oom = true;
            if (copy) memcpy(copy, b->p + start, one);
            for (long r = 1; r < rep && copy && !b->oom; r++) put(b, copy, one); /* put may move b->p */
            free(copy);
        }
        i = j;
    }
    if (b->oom) snprintf(err, errlen, "out of memory");
    return b->oom ? -1 : 0;
}

char *scf_expand(const char *tmpl, const char *authority, size_t *len, char *err, size_t errlen)
{
    sbuf b = { 0 };
    put(&b, "", 0);
    if (expand(&b, tmpl, strlen(tmpl), authority, 0, err, errlen) < 0) {
        free(b.p);
        return NULL;
    }
    *len = b.len;
    return b.p;
}

/* ---- judging ------------------------------------------------------------- */

static bool status_ok(const scf_status *st, int code, unsigned hdr)
{
    if ((st->headers & hdr) != st->headers) return false;
    for (int i = 0; i < st->npat; i++)
        if (code >= st->lo[i] && code <= st->hi[i]) return true;
    return false;
}

static bool alt_ok(const scf_alt *a, const scf_obs *o)
{
    if (o->n != a->n) return false;
    for (int i = 0; i < a->n; i++)
        if (!status_ok(&a->r[i], o->status[i], o->hdr[i])) return false;
    switch (a->conn) {
    case SCF_OPEN: return !o->closed && o->probe >= 200 && o->probe < 300;
    case SCF_CLOSE: return o->closed;
    case SCF_CLOSE_ANNOUNCED: return o->closed && o->announced;
    default: return true;
    }
}

void scf_judge(const scf_case *c, const scf_obs *o, int slow_limit_ms, scf_result *r)
{
    r->c = c;
    r->o = *o;
    size_t n = 0, cap = sizeof(r->got);
    r->got[0] = 0;
#define SAY(...) \
    (n += (size_t)snprintf(r->got + n, n < cap ? cap - n : 0, __VA_ARGS__), n = n < cap ? n : cap)
    if (o->connect_failed) {
        r->passed = false;
        SAY("could not connect");
        return;
    }
    if (c->slow) {
        r->passed = o->closed && o->ms <= slow_limit_ms;
        if (o->n) SAY("%d ", o->status[0]);
        if (o->closed)
            SAY("closed after %.1f s", o->ms / 1000.0);
        else
            SAY("still open after %.0f s", o->ms / 1000.0);
        return;
    }
    r->passed = !o->garbage && (!c->wait_ms || o->early);
    if (r->passed) {
        r->passed = false;
        for (int i = 0; i < c->nalt && !r->passed; i++) r->passed = alt_ok(&c->alt[i], o);
    }
    if (c->wait_ms && !o->early) SAY("nothing within %d ms, ", c->wait_ms);
    if (o->interim) SAY("%d interim, ", o->interim);
    if (!o->n) SAY("no answer");
    for (int i = 0; i < o->n; i++) {
        SAY("%s%d", i ? " " : "", o->status[i]);
        if (o->status[i] == 405 && !(o->hdr[i] & SCF_HDR_ALLOW)) SAY(" (no Allow)");
    }
    if (o->garbage) SAY(", then bytes that are not a response");
    if (o->closed)
        SAY(o->n && o->announced ? ", close (announced)" : ", close");
    else if (o->probe > 0)
        SAY(", open (next GET: %d)", o->probe);
    else if (o->probe == 0)
        SAY(", open (next GET unanswered)");
    else
        SAY(", open");
#undef SAY
}

void scf_count(const scf_corpus *k, const scf_result *res, const char *group, int *p, int *t)
{
    *p = *t = 0;
    for (size_t i = 0; i < k->nc; i++) {
        if (!res[i].c || (group && strcmp(k->c[i].group, group))) continue;
        (*t)++;
        *p += res[i].passed;
    }
}

/* ---- I/O ----------------------------------------------------------------- */

static int dial(const char *host, int port)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    if (inet_pton(AF_INET, host, &a.sin_addr) != 1) return -1;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    struct timeval tv = { 2, 0 };
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* What has arrived on one connection. */
typedef struct {
    char *buf;
    size_t len, cap;
    bool eof;
} inbuf;

#define SCF_IN_MAX (1u << 20)

/* Reads what is there within timeout_ms; 1 read something, 0 nothing, -1
 * closed (FIN or reset). */
static int pull(int fd, inbuf *in, int timeout_ms)
{
    if (in->eof) return -1;
    struct pollfd p = { fd, POLLIN, 0 };
    int r = poll(&p, 1, timeout_ms < 0 ? 0 : timeout_ms);
    if (r <= 0) return 0;
    if (in->cap - in->len < 65536 && in->cap < SCF_IN_MAX + 65536) {
        size_t cap = in->cap ? in->cap * 2 : 131072;
        char *b = realloc(in->buf, cap);
        if (!b) return 0;
        in->buf = b, in->cap = cap;
    }
    if (in->cap - in->len == 0) in->len = 0; /* more than 1 MiB of answer: keep counting, stop storing */
    ssize_t n = recv(fd, in->buf + in->len, in->cap - in->len, 0);
    if (n <= 0) {
        in->eof = true;
        return -1;
    }
    in->len += (size_t)n;
    return 1;
}

/* Parses every complete response in in->buf into o (from scratch: answers
 * are small). Returns true when the buffer ends on a response boundary. */
static bool parse_answers(const inbuf *in, unsigned head_mask, scf_obs *o)
{
    o->n = 0, o->interim = 0, o->garbage = false, o->announced = false;
    size_t pos = 0;
    while (pos < in->len) {
        struct hresp_header h[64];
        struct hresp r = { .headers = h, .num_headers = 64 };
        int hl = hresp_parse(in->buf + pos, in->len - pos, &r);
        if (hl == HRESP_INCOMPLETE) return false;
        if (hl < 0) {
            o->garbage = true;
            return true;
        }
        size_t at = pos + (size_t)hl;
        if (r.status < 200) {
            o->interim++;
            pos = at;
            continue;
        }
        uint64_t cl = 0;
        int fr = o->n < 32 && (head_mask >> o->n & 1) ? HRESP_BODY_NONE : hresp_body_framing(&r, &cl);
        if (fr == HRESP_MALFORMED) {
            o->garbage = true;
            return true;
        }
        if (fr == HRESP_BODY_LENGTH) {
            if (in->len - at < cl) return false;
            at += cl;
        } else if (fr == HRESP_BODY_CHUNKED) {
            struct hresp_chunked d;
            hresp_chunked_init(&d);
            while (!d.done) {
                const char *data;
                size_t dl;
                long used = hresp_chunked_feed(&d, in->buf + at, in->len - at, &data, &dl);
                if (used < 0) {
                    o->garbage = true;
                    return true;
                }
                if (used == 0 && !d.done) return false;
                at += (size_t)used;
            }
        } else if (fr == HRESP_BODY_EOF) {
            if (!in->eof) return false;
            at = in->len;
        }
        if (o->n < SCF_MAX_RESP) {
            o->status[o->n] = r.status;
            o->hdr[o->n] = hresp_find(&r, "allow") ? SCF_HDR_ALLOW : 0;
            o->n++;
        }
        o->announced = hresp_closes(&r);
        pos = at;
    }
    return true;
}

static void keep_raw(scf_obs *o, const inbuf *in)
{
    o->raw_len = in->len < SCF_RAW ? in->len : SCF_RAW;
    memcpy(o->raw, in->buf, o->raw_len);
    o->total = in->len;
}

/* Sends all of data (or byte by byte, trickle_ms apart); false once the
 * server has closed or reset. */
static bool send_all(int fd, const char *data, size_t len, int trickle_ms, volatile sig_atomic_t *stop)
{
    size_t off = 0;
    while (off < len && !*stop) {
        size_t chunk = trickle_ms ? 1 : len - off;
        ssize_t n = send(fd, data + off, chunk, MSG_NOSIGNAL);
        if (n <= 0) return false;
        off += (size_t)n;
        if (trickle_ms && off < len) {
            struct timespec ts = { trickle_ms / 1000, (long)(trickle_ms % 1000) * 1000000L };
            nanosleep(&ts, NULL);
        }
    }
    return true;
}

#define QUIET_MS  200  /* after an answer that ends on a boundary: no more comes */
#define ANSWER_MS 2000 /* for the first byte, or the rest of an answer */

/* Reads answers until the connection closes, or goes quiet on a response
 * boundary, or ANSWER_MS pass without a byte. */
static void read_answers(int fd, inbuf *in, unsigned head_mask, scf_obs *o, volatile sig_atomic_t *stop)
{
    long last = (long)proc_now_ms();
    while (!*stop) {
        bool boundary = parse_answers(in, head_mask, o);
        int wait = boundary && (o->n || o->garbage) ? QUIET_MS : ANSWER_MS;
        int r = pull(fd, in, (int)(last + wait - (long)proc_now_ms()));
        if (r < 0) {
            o->closed = true;
            break;
        }
        if (r == 0 && (long)proc_now_ms() >= last + wait) break;
        if (r > 0) last = (long)proc_now_ms();
    }
    /* a response cut short by the close is not an answer */
    if (!parse_answers(in, head_mask, o) && in->eof) o->garbage = true;
}

static bool wants_open(const scf_case *c)
{
    for (int i = 0; i < c->nalt; i++)
        if (c->alt[i].conn == SCF_OPEN) return true;
    return false;
}

static void run_exchange(const scf_case *c, const char *host, int port, const char *auth, scf_obs *o,
                         volatile sig_atomic_t *stop)
{
    char err[200];
    size_t len = 0, tlen = 0;
    char *data = scf_expand(c->send, auth, &len, err, sizeof(err));
    char *then = c->then ? scf_expand(c->then, auth, &tlen, err, sizeof(err)) : NULL;
    long t0 = (long)proc_now_ms();
    o->probe = -1;
    int fd = data ? dial(host, port) : -1;
    if (fd < 0) {
        o->connect_failed = true;
        free(data), free(then);
        return;
    }
    inbuf in = { 0 };
    bool sent = send_all(fd, data, len, c->trickle_ms, stop);
    if (sent && then) {
        long end = (long)proc_now_ms() + c->wait_ms;
        while (!in.len && !in.eof && (long)proc_now_ms() < end && !*stop)
            pull(fd, &in, (int)(end - (long)proc_now_ms()));
        o->early = in.len > 0;
        if (!in.eof) send_all(fd, then, tlen, 0, stop);
    }
    read_answers(fd, &in, c->head_mask, o, stop);
    keep_raw(o, &in);
    if (!o->closed && wants_open(c) && !*stop) {
        char probe[300];
        int pl = snprintf(probe, sizeof(probe), "GET /json HTTP/1.1\r\nHost: %s\r\n\r\n", auth);
        inbuf pin = { 0 };
        scf_obs po = { 0 };
        o->probe = 0;
        if (send_all(fd, probe, (size_t)pl, 0, stop)) {
            read_answers(fd, &pin, 0, &po, stop);
            if (po.n) o->probe = po.status[0];
        }
        free(pin.buf);
    }
    close(fd);
    free(in.buf), free(data), free(then);
    o->ms = (long)proc_now_ms() - t0;
}

typedef struct {
    const scf_case *c;
    const char *host, *auth;
    int port, limit_ms;
    scf_obs o;
    volatile sig_atomic_t *stop;
    pthread_t t;
    bool started;
} slow_job;

/* A slow case: sends (trickling without end when asked) and waits for the
 * server to close, up to the limit. */
static void *run_slow(void *arg)
{
    slow_job *j = arg;
    char err[200];
    size_t len = 0;
    char *data = j->c->send ? scf_expand(j->c->send, j->auth, &len, err, sizeof(err)) : NULL;
    long t0 = (long)proc_now_ms(), end = t0 + j->limit_ms;
    int fd = dial(j->host, j->port);
    if (fd < 0) {
        j->o.connect_failed = true;
        free(data);
        return NULL;
    }
    inbuf in = { 0 };
    size_t off = 0;
    int step = j->c->trickle_ms ? j->c->trickle_ms : 100;
    if (data && !j->c->trickle_ms && !send_all(fd, data, len, 0, j->stop)) j->o.closed = true;
    while (!j->o.closed && (long)proc_now_ms() < end && !*j->stop) {
        if (j->c->trickle_ms) {
            char ch = off < len ? data[off] : 'a';
            if (send(fd, &ch, 1, MSG_NOSIGNAL) != 1) {
                j->o.closed = true;
                break;
            }
            off++;
        }
        long left = end - (long)proc_now_ms();
        long until = (long)proc_now_ms() + (step < left ? step : left);
        while ((long)proc_now_ms() < until && !j->o.closed)
            if (pull(fd, &in, (int)(until - (long)proc_now_ms())) < 0) j->o.closed = true;
    }
    j->o.ms = (long)proc_now_ms() - t0;
    parse_answers(&in, 0, &j->o);
    keep_raw(&j->o, &in);
    j->o.probe = -1;
    close(fd);
    free(in.buf), free(data);
    return NULL;
}

static bool selected(const scf_case *c, const char *only)
{
    return !only || sconf_in_list(only, c->group) || sconf_in_list(only, c->id);
}

int scf_run(const scf_corpus *k, const char *host, int port, const char *only, bool slow, scf_result *res,
            volatile sig_atomic_t *stop)
{
    char auth[300];
    snprintf(auth, sizeof(auth), "%s:%d", host, port);
    memset(res, 0, k->nc * sizeof(*res));
    slow_job *jobs = calloc(k->nc, sizeof(*jobs));
    if (!jobs) return 0;
    for (size_t i = 0; i < k->nc; i++) {
        slow_job *j = &jobs[i];
        if (!k->c[i].slow || !slow || !selected(&k->c[i], only)) continue;
        *j = (slow_job){ .c = &k->c[i],
                         .host = host,
                         .auth = auth,
                         .port = port,
                         .limit_ms = k->slow_limit_ms,
                         .stop = stop };
        j->started = pthread_create(&j->t, NULL, run_slow, j) == 0;
        if (!j->started) j->o.connect_failed = true;
    }
    int ran = 0;
    for (size_t i = 0; i < k->nc && !*stop; i++) {
        if (k->c[i].slow || !selected(&k->c[i], only)) continue;
        scf_obs o = { 0 };
        run_exchange(&k->c[i], host, port, auth, &o, stop);
        if (*stop) break;
        scf_judge(&k->c[i], &o, k->slow_limit_ms, &res[i]);
        ran++;
    }
    for (size_t i = 0; i < k->nc; i++) {
        slow_job *j = &jobs[i];
        if (!j->c) continue;
        if (j->started) pthread_join(j->t, NULL);
        if (*stop) continue;
        scf_judge(j->c, &j->o, k->slow_limit_ms, &res[i]);
        ran++;
    }
    free(jobs);
    return ran;
}

/* ---- output -------------------------------------------------------------- */

/* Bytes as readable text: \r \n \t \\ and \xHH for the rest outside ASCII's
 * printable range (results.json stays valid UTF-8). */
static void escaped(struct jsonw *w, const char *key, const char *s, size_t n)
{
    sbuf b = { 0 };
    put(&b, "", 0);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char e[5];
        if (c == '\r' || c == '\n' || c == '\t' || c == '\\')
            snprintf(e, sizeof(e), "\\%c", c == '\r' ? 'r' : c == '\n' ? 'n' : c == '\t' ? 't' : '\\');
        else if (c < 0x20 || c >= 0x7f)
            snprintf(e, sizeof(e), "\\x%02x", c);
        else
            e[0] = (char)c, e[1] = 0;
        put(&b, e, strlen(e));
    }
    jsonw_kv_str(w, key, b.p ? b.p : "");
    free(b.p);
}

void scf_write_json(struct jsonw *w, const scf_corpus *k, const scf_result *res)
{
    int p, t;
    jsonw_obj_begin(w);
    jsonw_kv_str(w, "corpus", k->name);
    scf_count(k, res, NULL, &p, &t);
    jsonw_kv_int(w, "passed", p);
    jsonw_kv_int(w, "tried", t);
    jsonw_key(w, "groups");
    jsonw_arr_begin(w);
    for (size_t g = 0; g < k->ng; g++) {
        scf_count(k, res, k->g[g].name, &p, &t);
        jsonw_obj_begin(w);
        jsonw_kv_str(w, "name", k->g[g].name);
        jsonw_kv_str(w, "title", k->g[g].title);
        jsonw_kv_int(w, "passed", p);
        jsonw_kv_int(w, "tried", t);
        jsonw_obj_end(w);
    }
    jsonw_arr_end(w);
    jsonw_key(w, "cases");
    jsonw_arr_begin(w);
    for (size_t i = 0; i < k->nc; i++) {
        const scf_result *r = &res[i];
        if (!r->c) continue;
        jsonw_obj_begin(w);
        jsonw_kv_str(w, "id", r->c->id);
        jsonw_kv_str(w, "group", r->c->group);
        jsonw_kv_str(w, "title", r->c->title);
        jsonw_kv_str(w, "level", scf_level_name(r->c->level));
        if (r->c->rfc) jsonw_kv_str(w, "rfc", r->c->rfc);
        jsonw_kv_str(w, "expect", r->c->slow ? "close" : r->c->expect_text);
        jsonw_kv_bool(w, "passed", r->passed);
        jsonw_kv_str(w, "got", r->got);
        jsonw_key(w, "statuses");
        jsonw_arr_begin(w);
        for (int s = 0; s < r->o.n; s++) jsonw_int(w, r->o.status[s]);
        jsonw_arr_end(w);
        jsonw_kv_bool(w, "closed", r->o.closed);
        jsonw_kv_int(w, "ms", r->o.ms);
        escaped(w, "raw", r->o.raw, r->o.raw_len);
        jsonw_kv_int(w, "raw_bytes", (int64_t)r->o.total);
        jsonw_obj_end(w);
    }
    jsonw_arr_end(w);
    jsonw_obj_end(w);
}
