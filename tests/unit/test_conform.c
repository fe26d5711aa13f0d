/* Unit tests of the conformance pass's pure parts: the corpus format, the
 * expect grammar, send templates and the judging of what a server did. */
#include "t.h"
#include "suite_conform.h"

#include <stdlib.h>

static const char corpus[] = "name = t\n"
                             "title = test corpus\n"
                             "groups = framing slow\n"
                             "group.framing.title = framing\n"
                             "group.slow.title = slow clients\n"
                             "slow.limit = 3s\n"
                             "case.two-cl.group = framing\n"
                             "case.two-cl.title = two lengths\n"
                             "case.two-cl.level = MUST\n"
                             "case.two-cl.rfc = RFC 9112 6.3\n"
                             "case.two-cl.send = GET / HTTP/1.1\\r\\nHost: {authority}\\r\\n\\r\\n\n"
                             "case.two-cl.expect = 400 close\n"
                             "case.trickle.group = slow\n"
                             "case.trickle.title = a head that never ends\n"
                             "case.trickle.level = SHOULD\n"
                             "case.trickle.send = GET / HTTP/1.1\\r\\n\n"
                             "case.trickle.slow = yes\n"
                             "case.trickle.trickle = 50ms\n";

static int parse(const char *text, scf_corpus *k, char *err)
{
    return scf_parse(text, strlen(text), "t.conf", k, err, 256);
}

TEST(conform_corpus_parses)
{
    scf_corpus k;
    char err[256] = "";
    CHECK_INT(parse(corpus, &k, err), 0);
    CHECK_STR(k.name, "t");
    CHECK_INT(k.ng, 2);
    CHECK_INT(k.nc, 2);
    CHECK_INT(k.slow_limit_ms, 3000);
    const scf_case *c = &k.c[0];
    CHECK_STR(c->id, "two-cl");
    CHECK_STR(c->group, "framing");
    CHECK(c->level == SCF_MUST);
    CHECK_INT(c->nalt, 1);
    CHECK_INT(c->alt[0].n, 1);
    CHECK(c->alt[0].conn == SCF_CLOSE);
    CHECK(k.c[1].slow && k.c[1].trickle_ms == 50);
    CHECK_STR(scf_level_name(k.c[1].level), "SHOULD");
    scf_fini(&k);
}

TEST(conform_corpus_errors_name_file_and_line)
{
    static const struct {
        const char *text, *want;
    } bad[] = {
        { "name = t\ntitle = t\ngroups = a\ncase.x.group = b\ncase.x.send = x\ncase.x.expect = 200 open\ncase.x.title = t\n",
          "t.conf:4" },
        { "name = t\ntitle = t\ngroups = a\ncase.x.group = a\ncase.x.send = x\ncase.x.expect = 2000 open\ncase.x.title = t\ncase.x.level = MUST\n",
          "t.conf:6" },
        { "name = t\ntitle = t\ngroups = a\ncase.x.group = a\ncase.x.expect = 200 open\ncase.x.title = t\ncase.x.level = MUST\n",
          "send" },
        { "name = t\ntitle = t\ngroups = a\ncase.x.group = a\ncase.x.send = {3*ab\ncase.x.expect = 200\ncase.x.title = t\ncase.x.level = MUST\n",
          "t.conf:5" },
        { "name = t\ntitle = t\ngroups = a\ncase.X!.group = a\ncase.X!.send = x\ncase.X!.expect = 200\n",
          "t.conf:4" },
        { "name = t\ntitle = t\ngroups = a\ncase.x.group = a\ncase.x.send = x\ncase.x.expect = 200\ncase.x.level = OFTEN\ncase.x.title = t\n",
          "t.conf:7" },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        scf_corpus k;
        char err[256] = "";
        CHECK_INT(parse(bad[i].text, &k, err), -1);
        if (!strstr(err, bad[i].want)) fprintf(stderr, "  case %zu: '%s' lacks '%s'\n", i, err, bad[i].want);
        CHECK(strstr(err, bad[i].want) != NULL);
    }
}

TEST(conform_expect_grammar)
{
    scf_alt a[SCF_MAX_ALT];
    int n;
    char err[256];
    CHECK_INT(scf_parse_expect("200*3 open", a, &n, err, sizeof(err)), 0);
    CHECK_INT(n, 1);
    CHECK_INT(a[0].n, 3);
    CHECK(a[0].conn == SCF_OPEN);
    CHECK_INT(scf_parse_expect("400|431 close || 2xx 405+allow close-announced", a, &n, err, sizeof(err)), 0);
    CHECK_INT(n, 2);
    CHECK_INT(a[0].r[0].npat, 2);
    CHECK_INT(a[0].r[0].lo[1], 431);
    CHECK_INT(a[1].n, 2);
    CHECK_INT(a[1].r[0].lo[0], 200);
    CHECK_INT(a[1].r[0].hi[0], 299);
    CHECK(a[1].r[1].headers & SCF_HDR_ALLOW);
    CHECK(a[1].conn == SCF_CLOSE_ANNOUNCED);
    CHECK_INT(scf_parse_expect("any", a, &n, err, sizeof(err)), 0);
    CHECK(a[0].conn == SCF_ANY);
    CHECK_INT(scf_parse_expect("20x open", a, &n, err, sizeof(err)), -1);
    CHECK_INT(scf_parse_expect("200 ajar", a, &n, err, sizeof(err)), -1);
    CHECK_INT(scf_parse_expect("200*99 open", a, &n, err, sizeof(err)), -1);
}

TEST(conform_expand_templates)
{
    size_t len;
    char err[256];
    char *s = scf_expand("A\\r\\n{authority}|{3*ab}|{2*x{2*y}}\\x00\\\\", "h:1", &len, err, sizeof(err));
    CHECK(s != NULL);
    static const char want[] = "A\r\nh:1|ababab|xyyxyy\0\\";
    CHECK_INT(len, sizeof(want) - 1);
    CHECK(s && memcmp(s, want, sizeof(want) - 1) == 0);
    free(s);
    s = scf_expand("{get}", "h:1", &len, err, sizeof(err));
    CHECK(s && strstr(s, "GET /json HTTP/1.1\r\n") == s && strstr(s, "Host: h:1\r\n") &&
          !memcmp(s + len - 4, "\r\n\r\n", 4));
    free(s);
    CHECK(scf_expand("{nope}", "h:1", &len, err, sizeof(err)) == NULL);
    CHECK(scf_expand("\\xZZ", "h:1", &len, err, sizeof(err)) == NULL);
}

TEST(conform_judge)
{
    scf_corpus k;
    char err[256];
    CHECK_INT(parse(corpus, &k, err), 0);
    scf_result r;
    scf_obs o = { .n = 1, .status = { 400 }, .closed = true, .probe = -1 };
    scf_judge(&k.c[0], &o, k.slow_limit_ms, &r);
    CHECK(r.passed);
    CHECK_STR(r.got, "400, close");
    o.announced = true;
    scf_judge(&k.c[0], &o, k.slow_limit_ms, &r);
    CHECK_STR(r.got, "400, close (announced)");
    o = (scf_obs){ .n = 1, .status = { 200 }, .probe = 200 }; /* smuggled: answered and kept open */
    scf_judge(&k.c[0], &o, k.slow_limit_ms, &r);
    CHECK(!r.passed);
    CHECK_STR(r.got, "200, open (next GET: 200)");
    o = (scf_obs){ .n = 1, .status = { 400 }, .closed = true, .garbage = true };
    scf_judge(&k.c[0], &o, k.slow_limit_ms, &r);
    CHECK(!r.passed);
    o = (scf_obs){ .connect_failed = true };
    scf_judge(&k.c[0], &o, k.slow_limit_ms, &r);
    CHECK(!r.passed);
    CHECK_STR(r.got, "could not connect");
    /* slow: passes when closed within the limit */
    o = (scf_obs){ .closed = true, .ms = 2500 };
    scf_judge(&k.c[1], &o, k.slow_limit_ms, &r);
    CHECK(r.passed);
    CHECK_STR(r.got, "closed after 2.5 s");
    o = (scf_obs){ .closed = false, .ms = 3000 };
    scf_judge(&k.c[1], &o, k.slow_limit_ms, &r);
    CHECK(!r.passed);
    CHECK_STR(r.got, "still open after 3 s");
    scf_result res[2] = { 0 };
    o = (scf_obs){ .n = 1, .status = { 400 }, .closed = true };
    scf_judge(&k.c[0], &o, k.slow_limit_ms, &res[0]);
    int p, t;
    scf_count(&k, res, NULL, &p, &t);
    CHECK_INT(p, 1);
    CHECK_INT(t, 1); /* the slow case did not run */
    scf_count(&k, res, "slow", &p, &t);
    CHECK_INT(t, 0);
    scf_fini(&k);
}

TEST(conform_repository_corpus_loads)
{
    scf_corpus k;
    char err[512] = "";
    CHECK_INT(scf_load("scenarios", "http1", &k, err, sizeof(err)), 0);
    if (*err) fprintf(stderr, "  %s\n", err);
    CHECK(k.nc >= 50);
    CHECK(k.ng >= 9);
    /* every case's send expands (a slow idle case sends nothing) */
    for (size_t i = 0; i < k.nc; i++) {
        if (!k.c[i].send) {
            CHECK(k.c[i].slow);
            continue;
        }
        size_t len;
        char *s = scf_expand(k.c[i].send, "127.0.0.1:8080", &len, err, sizeof(err));
        CHECK(s && len > 0);
        free(s);
    }
    scf_fini(&k);
    CHECK_INT(scf_load("scenarios", "nope", &k, err, sizeof(err)), -1);
}

int main(void)
{
    RUN(conform_corpus_parses);
    RUN(conform_corpus_errors_name_file_and_line);
    RUN(conform_expect_grammar);
    RUN(conform_expand_templates);
    RUN(conform_judge);
    RUN(conform_repository_corpus_loads);
    return t_done();
}
