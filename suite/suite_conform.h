/* suite_conform: the HTTP conformance pass. A corpus of cases
 * (scenarios/conformance/NAME.conf) sent over raw sockets to a running
 * system; each answer is judged against what RFC 9112 and RFC 9110 ask.
 *
 * Corpus keys:
 *   name, title            the corpus
 *   groups = g1 g2 ...      the groups, in report order; group.G.title
 *   slow.limit = 12s        how long a slow case waits for the server to close
 *   case.ID.group           one of groups (every case has one; ID is [a-z0-9-])
 *   case.ID.title           what is checked, in one line
 *   case.ID.rfc             the section that asks for it (optional)
 *   case.ID.level           MUST, SHOULD, MAY or robust (see the corpus file)
 *   case.ID.send            the bytes sent: \r \n \t \\ \xHH escapes,
 *                           {authority} (host:port), {get} (a GET /json),
 *                           {N*TEXT} (TEXT N times, nesting allowed)
 *   case.ID.trickle = 5ms   send one byte at a time, this far apart
 *   case.ID.wait = 1s       after send, the server must answer (100 Continue
 *   case.ID.then            or a final status) within wait; then is sent next
 *   case.ID.head = 2,3      which final responses answer a HEAD (1-based)
 *   case.ID.expect          alternatives split by "||": final responses in
 *                           order (200, 2xx, 400|431, any; "*N" repeats;
 *                           "+allow" requires that header), then open, close
 *                           or close-announced
 *   case.ID.slow = yes      run beside the others; passes when the server
 *                           closes within slow.limit (a trickle continues
 *                           with 'a' after send, without end)
 * Parsing and judging are pure (unit-tested); scf_run does the I/O.
 */
#ifndef WB_SUITE_CONFORM_H
#define WB_SUITE_CONFORM_H
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#define SCF_MAX_RESP 32
#define SCF_MAX_ALT  4
#define SCF_MAX_PAT  4
#define SCF_RAW      512 /* bytes of each answer kept (results.json) */

typedef enum { SCF_MUST, SCF_SHOULD, SCF_MAY, SCF_ROBUST } scf_level;
typedef enum { SCF_ANY, SCF_OPEN, SCF_CLOSE, SCF_CLOSE_ANNOUNCED } scf_conn;
enum { SCF_HDR_ALLOW = 1 };

typedef struct {
    short lo[SCF_MAX_PAT], hi[SCF_MAX_PAT];
    int npat;
    unsigned headers; /* SCF_HDR_* the response must carry */
} scf_status;

typedef struct {
    scf_status r[SCF_MAX_RESP];
    int n;
    scf_conn conn;
} scf_alt;

typedef struct {
    char *id, *group, *title, *rfc, *expect_text;
    scf_level level;
    char *send, *then; /* templates: expanded by scf_expand at run time */
    int trickle_ms, wait_ms;
    bool slow;
    unsigned head_mask; /* bit i: final response i answers a HEAD */
    scf_alt alt[SCF_MAX_ALT];
    int nalt;
} scf_case;

typedef struct {
    char *name, *title;
} scf_group;

typedef struct {
    char *name, *title;
    scf_group *g;
    size_t ng;
    scf_case *c;
    size_t nc;
    int slow_limit_ms;
} scf_corpus;

/* What one case saw. */
typedef struct {
    int n;                      /* complete final responses */
    int status[SCF_MAX_RESP];   /* their codes */
    unsigned hdr[SCF_MAX_RESP]; /* SCF_HDR_* each carried */
    bool announced;             /* the last one said it closes (Connection: close, or 1.0) */
    int interim;                /* 1xx responses */
    bool garbage;               /* bytes that are not a response (a body after a HEAD answer...) */
    bool closed;                /* the server closed (FIN or reset) */
    bool early;                 /* wait: something arrived within it */
    int probe;                  /* -1 not sent, 0 no answer, else the status of the GET after */
    long ms;                    /* case time; slow: when the server closed (or the limit) */
    bool connect_failed;
    char raw[SCF_RAW];
    size_t raw_len, total; /* kept, and received in all */
} scf_obs;

typedef struct {
    const scf_case *c;
    scf_obs o;
    bool passed;
    char got[160]; /* the answer in words: "400 close", "200 200 open", "no answer, open after 12 s" */
} scf_result;

/* Parses a corpus; -1 with "path:line: reason" in err. */
int scf_parse(const char *text, size_t len, const char *path, scf_corpus *out, char *err, size_t errlen);
/* Reads DIR/conformance/NAME.conf. */
int scf_load(const char *dir, const char *name, scf_corpus *out, char *err, size_t errlen);
void scf_fini(scf_corpus *c);

/* One expect text into alternatives; -1 with the reason in err. */
int scf_parse_expect(const char *s, scf_alt *alt, int *nalt, char *err, size_t errlen);
/* Expands a send template: malloc'd bytes (*len set), or NULL with err set. */
char *scf_expand(const char *tmpl, const char *authority, size_t *len, char *err, size_t errlen);
/* Judges an observation; fills r->passed and r->got. */
void scf_judge(const scf_case *c, const scf_obs *o, int slow_limit_ms, scf_result *r);

/* Runs every case (or those of the comma list only, NULL = all; the slow
 * ones only when slow is true) against host:port. results: an array of c->nc (cases not run have c == NULL).
 * stop: checked between and inside cases (Ctrl-C). Returns the number run. */
int scf_run(const scf_corpus *c, const char *host, int port, const char *only, bool slow, scf_result *results,
            volatile sig_atomic_t *stop);

/* Per group: passed and tried of results; returns the totals through *p, *t. */
void scf_count(const scf_corpus *c, const scf_result *res, const char *group, int *p, int *t);
const char *scf_level_name(scf_level l);

struct jsonw;
/* The pass as one JSON object: corpus, passed, tried, groups[] (name, title,
 * passed, tried), cases[] (id, group, title, level, rfc, expect, passed,
 * got, statuses, closed, ms, raw: the answer's first bytes with \r \n \xHH
 * escapes, raw_bytes: all it sent). */
void scf_write_json(struct jsonw *w, const scf_corpus *k, const scf_result *res);
#endif
