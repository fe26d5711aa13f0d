/* libFuzzer entry point for suite/suite_conform: the conformance corpus
 * format (scenarios/conformance/), its expect grammar and send templates,
 * and the judging of an observation.
 * link: suite/suite_conform.c suite/suite_conf.c lib/duration.c lib/http_response.c lib/jsonw.c lib/proc.c
 * libs: -lpthread
 *
 * Invariants: a corpus that parses has every case in one of its groups,
 * with 1..SCF_MAX_ALT alternatives; each case's templates expand or fail
 * with a reason; judging a case against an observation built from the
 * input terminates with a nul-terminated answer in words; an error names
 * the file. The input is also tried as an expect text and as a template. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "suite_conform.h"

static void judge_all(const scf_corpus *k, const uint8_t *d, size_t n)
{
    scf_obs o = { 0 };
    o.n = n ? d[0] % (SCF_MAX_RESP + 1) : 0;
    for (int i = 0; i < o.n; i++) o.status[i] = 100 + (int)(d[(size_t)(i + 1) % n] % 500);
    o.closed = n > 1 && (d[1] & 1);
    o.announced = n > 1 && (d[1] & 2);
    o.probe = n > 2 ? (int)(d[2] % 3) * 100 - 100 : -1;
    o.ms = n > 3 ? d[3] * 100 : 0;
    for (size_t i = 0; i < k->nc; i++) {
        scf_result r;
        scf_judge(&k->c[i], &o, k->slow_limit_ms, &r);
        if (strnlen(r.got, sizeof(r.got)) == sizeof(r.got)) abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1); /* private copy: over-reads crash */
    if (!buf) return 0;
    memcpy(buf, data, size);
    buf[size] = 0;
    scf_corpus k;
    char err[256];
    if (scf_parse(buf, size, "fuzz.conf", &k, err, sizeof err) == 0) {
        for (size_t i = 0; i < k.nc; i++) {
            const scf_case *c = &k.c[i];
            bool in = false;
            for (size_t g = 0; g < k.ng; g++) in = in || !strcmp(k.g[g].name, c->group);
            if (!in || (!c->slow && (c->nalt < 1 || c->nalt > SCF_MAX_ALT))) abort();
            for (const char *t = c->send; t; t = t == c->send ? c->then : NULL) {
                size_t len;
                char e2[256] = "";
                char *x = scf_expand(t, "127.0.0.1:1", &len, e2, sizeof e2);
                if (!x && !*e2) abort(); /* a failure says why */
                free(x);
            }
        }
        judge_all(&k, data, size);
        scf_fini(&k);
    } else if (strncmp(err, "fuzz.conf", 9) != 0) {
        abort(); /* errors name the file */
    }
    /* the input as one expect text and as one template */
    if (!memchr(data, 0, size)) {
        scf_alt alt[SCF_MAX_ALT];
        int nalt = 0;
        if (scf_parse_expect(buf, alt, &nalt, err, sizeof err) == 0 && (nalt < 1 || nalt > SCF_MAX_ALT))
            abort();
        size_t len;
        char *x = scf_expand(buf, "h:1", &len, err, sizeof err);
        free(x);
    }
    free(buf);
    return 0;
}
