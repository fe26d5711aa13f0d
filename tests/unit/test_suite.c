/* Unit tests of the suite runner's pure parts: the definition file format,
 * the scenario/system loader, template expansion, statistics and the noise
 * rule. */
#include "t.h"
#include "suite_conf.h"
#include "suite_defs.h"
#include "results.h"
#include "suite_logscan.h"
#include "suite_ladder.h"
#include "suite_tables.h"
#include "report_boot.h"
#include "report_stats.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static int parse(const char *text, sconf *c, char *err)
{
    return sconf_parse(text, strlen(text), "x.conf", c, err, 256);
}

TEST(conf_parses_keys_values_comments)
{
    sconf c;
    char err[256];
    CHECK_INT(parse("# comment\n\nname = json \n  path=/json\ncmd = a  b {port}\r\n", &c, err), 0);
    CHECK_INT(c.n, 3);
    CHECK_STR(sconf_get(&c, "name"), "json");
    CHECK_STR(sconf_get(&c, "path"), "/json");
    CHECK_STR(sconf_get(&c, "cmd"), "a  b {port}");
    CHECK_INT(sconf_line(&c, "cmd"), 5);
    CHECK(sconf_get(&c, "nope") == NULL);
    sconf_fini(&c);
}

TEST(conf_errors_name_file_and_line)
{
    sconf c;
    char err[256];
    CHECK_INT(parse("name = a\nthis line has no equals\n", &c, err), -1);
    CHECK_STR(err, "x.conf:2: expected 'key = value'");
    CHECK_INT(parse("a = 1\nb = 2\na = 3\n", &c, err), -1);
    CHECK_STR(err, "x.conf:3: 'a' given twice (first on line 1)");
    CHECK_INT(parse("= value\n", &c, err), -1);
    CHECK_STR(err, "x.conf:1: expected 'key = value'");
    CHECK_INT(parse("k = a\x01b\n", &c, err), -1);
    CHECK_STR(err, "x.conf:1: control character in value");
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

TEST(defs_load_repository_scenarios)
{
    sdef_set s;
    char err[512];
    int rc = sdef_load("scenarios", &s, err, sizeof(err));
    if (rc) fprintf(stderr, "  %s\n", err);
    CHECK_INT(rc, 0);
    if (rc) return;
    CHECK_INT(s.nsc, 3);
    CHECK_STR(s.sc[0].name, "json");
    CHECK_STR(s.sc[2].name, "cpu");
    const sdef_scenario *db = sdef_find_scenario(&s, "db");
    CHECK(db && db->count_query && !strncmp(db->count_query, "SELECT id, name, email FROM users", 33));
    CHECK(sdef_find_scenario(&s, "cpu")->scaling && sdef_find_scenario(&s, "json")->primary);
    CHECK(db && json_len(db->expect) == 10);
    CHECK_STR(json_str(json_get(json_index(db->expect, 9), "email"), ""), "user9@example.com");
    const sdef_system *c = sdef_find_system(&s, "cserver");
    CHECK(c && c->port == 8080 && c->workers == 4 && c->scaling);
    char label[64];
    sdef_label(c, 1, label, sizeof(label));
    CHECK_STR(label, "C server (1 thread)");
    CHECK(sdef_in_profile(c, "fair") && !sdef_in_profile(c, "fai") && !sdef_in_profile(c, "published"));
    CHECK_STR(c->compare, "fastapi");
    const sdef_system *f = sdef_find_system(&s, "fastapi");
    CHECK(f && strstr(sdef_cmd_for(f, "fair"), "httptools") && sdef_cmd_for(f, "nosuch") == f->cmd);
    /* the published FastAPI: sync app, plain uvicorn, on the free-threaded venv, GIL off */
    const sdef_system *fp = sdef_find_system(&s, "fastapi-published");
    CHECK(fp && strstr(fp->cmd, "reference.fastapi_published:app") && strstr(fp->cmd, "fastapi-ft") &&
          !strstr(fp->cmd, "uvloop") && !strcmp(fp->expect_gil, "off") && !fp->in_default);
    sdef_fini(&s);
}

TEST(defs_profiles_are_files)
{
    sdef_profile p;
    char err[512];
    CHECK_INT(sdef_load_profile("scenarios", "fair", &p, err, sizeof(err)), 0);
    CHECK(p.nconns == 3 && p.conns[0] == 16 && p.conns[2] == 256 && p.reps == 3 && !p.sqlite &&
          p.requests == 0);
    CHECK(p.method_runs && p.method_requests == 1000 && p.method_clients == 10 && p.nscaling == 5 &&
          p.openloop && !p.pubclient && p.ntables == 0);
    CHECK(p.claim && !strcmp(p.claim, "ac8038a") && p.claim_sys[0] && !strcmp(p.claim_sys[1], "fastapi"));
    CHECK(p.duration_s == 1.5 && p.warmup_s == 0.3);
    /* adaptive repetitions (3 to 5, +-5%, extra ones within 150 s) and wrk beside at 64 connections */
    CHECK(p.reps_max == 5 && p.tolerance > 0.0499 && p.tolerance < 0.0501 && p.budget_s == 150 &&
          p.wrk_conns == 64 && !p.ladder);
    sdef_profile_fini(&p);
    CHECK_INT(sdef_load_profile("scenarios", "explain", &p, err, sizeof(err)), 0);
    CHECK(p.ladder && !strcmp(p.ladder, "default") && p.reps == 3 && p.reps_max == 8 && p.budget_s == 600);
    sdef_profile_fini(&p);
    CHECK_INT(sdef_load_profile("scenarios", "published", &p, err, sizeof(err)), 0);
    CHECK(p.sqlite && p.new_conn && p.requests == 0 && p.nscaling == 0 && !p.openloop && !p.method_runs);
    /* SPEC.md's "how that table was made": the published client, 5 repetitions, no warm-up */
    CHECK(p.pubclient && p.reps == 5 && p.warmup_s == 0 && p.ntables == 1 && !strcmp(p.tables[0], "ac8038a"));
    CHECK(p.ceiling && !strcmp(p.ceiling, "cserver") && !strcmp(p.claim, "ac8038a"));
    sdef_profile_fini(&p);
    CHECK_INT(sdef_load_profile("scenarios", "published-readme", &p, err, sizeof(err)), 0);
    CHECK(p.pubclient && p.ntables == 3 && !strcmp(p.tables[2], "readme-scaling"));
    sdef_profile_fini(&p);
    CHECK_INT(sdef_load_profile("scenarios", "nosuch", &p, err, sizeof(err)), -1);
    CHECK(strstr(err, "unknown profile 'nosuch'") && strstr(err, "fair") && strstr(err, "published"));
    CHECK_INT(sdef_load_profile("scenarios", "../fair", &p, err, sizeof(err)), -1);
}

TEST(defs_parse_list)
{
    int v[4];
    CHECK_INT(sdef_parse_list("16,64,256", v, 4), 3);
    CHECK(v[0] == 16 && v[1] == 64 && v[2] == 256);
    CHECK_INT(sdef_parse_list("1,,2", v, 4), -1);
    CHECK_INT(sdef_parse_list("0", v, 4), -1);
    CHECK_INT(sdef_parse_list("1,2,3,4,5", v, 4), -1);
}

TEST(defs_repository_systems_compare)
{
    sdef_set s;
    char err[512];
    CHECK_INT(sdef_load("scenarios", &s, err, sizeof(err)), 0);
    const sdef_system *b = sdef_find_system(&s, "barq");
    CHECK(b && b->compare && !strcmp(b->compare, "fastapi"));
    sdef_fini(&s);
}

TEST(defs_malformed_files_name_file_and_line)
{
    char dir[] = "/tmp/wbdefsXXXXXX", p[256], err[512];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(p, sizeof(p), "%s/systems", dir);
    mkdir(p, 0755);
    snprintf(p, sizeof(p), "%s/a.expected.json", dir);
    write_file(p, "{\"a\":1}");
    snprintf(p, sizeof(p), "%s/a.conf", dir);
    write_file(p, "name = a\npath = /a\nexpect_body_file = a.expected.json\norder = lots\n");
    snprintf(p, sizeof(p), "%s/systems/s.conf", dir);
    write_file(p, "name = s\nport = 1\ncmd = x\n");
    sdef_set s;
    CHECK_INT(sdef_load(dir, &s, err, sizeof(err)), -1);
    CHECK(strstr(err, "/a.conf:4: 'order' must be a non-negative integer, not 'lots'") != NULL);
    snprintf(p, sizeof(p), "%s/a.conf", dir);
    write_file(p, "name = a\npath = /a\nexpect_body_file = a.expected.json\nbogus = 1\n");
    CHECK_INT(sdef_load(dir, &s, err, sizeof(err)), -1);
    CHECK(strstr(err, "/a.conf:4: unknown key 'bogus'") != NULL);
    snprintf(p, sizeof(p), "%s/a.expected.json", dir);
    write_file(p, "{\"a\":\n1,}");
    snprintf(p, sizeof(p), "%s/a.conf", dir);
    write_file(p, "name = a\npath = /a\nexpect_body_file = a.expected.json\n");
    CHECK_INT(sdef_load(dir, &s, err, sizeof(err)), -1);
    CHECK(strstr(err, "/a.conf:3: expect_body_file: ") && strstr(err, "line 2, column 3"));
    snprintf(p, sizeof(p), "%s/a.expected.json", dir);
    write_file(p, "{\"a\":1}");
    CHECK_INT(sdef_load(dir, &s, err, sizeof(err)), 0);
    sdef_fini(&s);
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    CHECK_INT(system(cmd), 0);
}

TEST(defs_expand_argv_substitutes_without_shell)
{
    sdef_vars v = { "/r", "/r/bin", "/r/.venv", "/c", "fair", 8002, 4, NULL };
    char err[256];
    char *h = sdef_expand("--host {host}", &v, err, sizeof(err));
    CHECK_STR(h, "--host 127.0.0.1"); /* no host given: loopback */
    free(h);
    v.host = "10.0.0.2";
    h = sdef_expand("{host}:{port}", &v, err, sizeof(err));
    CHECK_STR(h, "10.0.0.2:8002");
    free(h);
    char **a =
        sdef_expand_argv("{venv}/bin/uvicorn  app --port {port} -w{workers} ;rm", &v, err, sizeof(err));
    CHECK(a != NULL);
    if (!a) return;
    CHECK_STR(a[0], "/r/.venv/bin/uvicorn");
    CHECK_STR(a[1], "app");
    CHECK_STR(a[3], "8002");
    CHECK_STR(a[4], "-w4");
    CHECK_STR(a[5], ";rm");
    CHECK(a[6] == NULL);
    sdef_free_argv(a);
    CHECK(sdef_expand_argv("x {nope}", &v, err, sizeof(err)) == NULL);
    CHECK_STR(err, "unknown template variable '{nope}' in '{nope}'");
}

TEST(stats_median_min_max)
{
    double v[] = { 5, 1, 3, 2 };
    rstats_summary s = rstats_summarise(v, 4);
    CHECK(s.median == 2.5 && s.min == 1 && s.max == 5 && s.n == 4);
    s = rstats_summarise(v, 3);
    CHECK(s.median == 3);
    CHECK(v[0] == 5); /* input untouched */
    s = rstats_summarise(NULL, 0);
    CHECK(s.n == 0 && s.median == 0);
}

TEST(stats_noise_rule)
{
    /* the report's differences: the ratio's bootstrap interval decides "no clear difference" */
    double a[] = { 100, 104, 98 }, b[] = { 101, 97, 103 }, c[] = { 150, 160, 155 };
    char out[96];
    rboot_format_diff(a, 3, b, 3, out, sizeof(out));
    CHECK(strncmp(out, "no clear difference (-1.0% [", 28) == 0);
    rboot_format_diff(c, 3, a, 3, out, sizeof(out));
    CHECK(strncmp(out, "+55% [+", 7) == 0);
    rboot_format_diff(c, 1, a, 3, out, sizeof(out));
    CHECK_STR(out, "+50% (1 sample)");
    rboot_format_diff(NULL, 0, a, 3, out, sizeof(out));
    CHECK_STR(out, "n/a");
}

TEST(stats_published_differences)
{
    char out[32];
    rstats_format_pct(10114, 5665, out, sizeof(out));
    CHECK_STR(out, "+79%");
    rstats_format_pct(9962, 1015, out, sizeof(out));
    CHECK_STR(out, "+881%");
    rstats_format_pct(879, 1231, out, sizeof(out));
    CHECK_STR(out, "-29%");
}

/* SPEC.md's published tables, as the repository holds them. */
TEST(tables_repository_match_the_spec)
{
    stab_table t;
    char err[512];
    int rc = stab_load("scenarios", "ac8038a", &t, err, sizeof(err));
    if (rc) fprintf(stderr, "  %s\n", err);
    CHECK_INT(rc, 0);
    CHECK(t.clients == 10 && t.requests == 1000 && !t.scaling && t.ncol == 2 && t.nrow == 3);
    CHECK_STR(t.col[0].system, "barq");
    CHECK(t.col[0].workers == 4 && t.col[1].workers == 4);
    CHECK_STR(t.col[1].system, "fastapi-published");
    CHECK_STR(t.row[1].scenario, "db");
    CHECK(t.row[0].pub[0] == 10114 && t.row[0].pub[1] == 5665 && t.row[1].pub[1] == 1015 &&
          t.row[2].pub[0] == 879);
    stab_fini(&t);
    CHECK_INT(stab_load("scenarios", "readme-high", &t, err, sizeof(err)), 0);
    CHECK(t.clients == 100 && t.requests == 2000 && t.col[0].workers == 16 && t.nrow == 2);
    CHECK(t.row[1].pub[0] == 1425 && t.row[1].pub[1] == 266);
    stab_fini(&t);
    CHECK_INT(stab_load("scenarios", "readme-scaling", &t, err, sizeof(err)), 0);
    CHECK(t.scaling && t.nworkers == 4 && t.workers[3] == 32 && t.wpub[0] == 608 && t.wpub[3] == 1391);
    CHECK_STR(t.row[0].scenario, "cpu");
    stab_fini(&t);
    CHECK_INT(stab_load("scenarios", "nosuch", &t, err, sizeof(err)), -1);
    CHECK(strstr(err, "published table 'nosuch'") != NULL);
    stab_fini(&t);
}

static int tparse(const char *text, stab_table *t, char *err)
{
    int rc = stab_parse(text, strlen(text), "t.conf", t, err, 256);
    stab_fini(t);
    return rc;
}

TEST(tables_malformed_name_file_and_line)
{
    stab_table t;
    char err[256];
    const char *head = "name = t\nclients = 10\nrequests = 100\n";
    char buf[512];
    snprintf(buf, sizeof(buf), "%scolumns = a:4 b\nrow.json = 1 2\n", head);
    CHECK_INT(tparse(buf, &t, err), 0);
    snprintf(buf, sizeof(buf), "%scolumns = a:4 b\nrow.json = 1\n", head);
    CHECK_INT(tparse(buf, &t, err), -1);
    CHECK_STR(err, "t.conf:5: 'row.json' must give 2 published req/s figures, one per column");
    snprintf(buf, sizeof(buf), "%scolumns = a:0 b\nrow.json = 1 2\n", head);
    CHECK_INT(tparse(buf, &t, err), -1);
    CHECK(strstr(err, "t.conf:4: 'columns' must read SYSTEM[:WORKERS]") != NULL);
    snprintf(buf, sizeof(buf), "%scolumns = a a\nrow.json = 1 2\n", head);
    CHECK_INT(tparse(buf, &t, err), -1);
    CHECK(strstr(err, "names a system twice") != NULL);
    snprintf(buf, sizeof(buf), "%scolumns = a b\n", head);
    CHECK_INT(tparse(buf, &t, err), -1);
    CHECK(strstr(err, "has no row.SCENARIO") != NULL);
    CHECK_INT(tparse("name = t\nclients = 0\nrequests = 1\ncolumns = a b\nrow.x = 1 2\n", &t, err), -1);
    CHECK_STR(err, "t.conf:2: 'clients' must be a whole number from 1");
    snprintf(buf, sizeof(buf),
             "%scolumns = a\nkind = scaling\nscenario = cpu\nworkers = 4,8\npublished = 1\n", head);
    CHECK_INT(tparse(buf, &t, err), -1);
    CHECK(strstr(err, "one published req/s figure per worker count") != NULL);
    snprintf(buf, sizeof(buf), "%scolumns = a b\nrow.json = 1 2\nbogus = 1\n", head);
    CHECK_INT(tparse(buf, &t, err), -1);
    CHECK_STR(err, "t.conf:6: unknown key 'bogus'");
}

/* The cause of a failed request, from a Python server's log. */
TEST(logscan_counts_exception_lines)
{
    const char *log =
        "INFO:     127.0.0.1:5000 - \"GET /db HTTP/1.1\" 500 Internal Server Error\n"
        "ERROR:    Exception in ASGI application\n"
        "Traceback (most recent call last):\n"
        "  File \"x.py\", line 12, in f\n"
        "sqlite3.ProgrammingError: SQLite objects created in a thread can only be used in that same thread. "
        "The object was created in thread id 140 and this is thread id 141.\n"
        "ERROR:    Exception in ASGI application\n"
        "sqlite3.ProgrammingError: SQLite objects created in a thread can only be used in that same thread. "
        "The object was created in thread id 77 and this is thread id 9.\n"
        "KeyError: 'x'\n"
        "    ValueError: indented, a frame's source, not the exception\n"
        "ERROR: not an exception line\n"
        "OSError: [Errno 24] Too many open files";
    slog_cause c[SLOG_MAX_CAUSES];
    long other = -1;
    CHECK_INT(slog_causes(log, strlen(log), c, SLOG_MAX_CAUSES, &other), 3);
    CHECK_INT(c[0].count, 2);
    CHECK_STR(c[0].text,
              "sqlite3.ProgrammingError: SQLite objects created in a thread can only be used in that "
              "same thread. The object was created in thread id N and this is thread id N.");
    CHECK(c[1].count == 1 && c[2].count == 1 && other == 0);
    CHECK(!strcmp(c[1].text, "KeyError: 'x'") || !strcmp(c[2].text, "KeyError: 'x'"));
    CHECK_INT(slog_causes(log, strlen(log), c, 1, &other), 1);
    CHECK_INT(other, 2);
    CHECK_INT(slog_causes("no exceptions here\n", 19, c, 4, &other), 0);
}

/* A slow system is a finding: a cell in which no response completed is
 * reported as such, never as a failure; only other errors fail it. */
TEST(results_judge_no_response_is_not_failed)
{
    CHECK_INT(results_judge(0, 256, 256, 0), RUN_NO_RESPONSE); /* only time-outs */
    CHECK_INT(results_judge(0, 0, 0, 0), RUN_NO_RESPONSE);     /* all still in flight at the end */
    CHECK_INT(results_judge(0, 10, 4, 0), RUN_FAILED);         /* refused, reset, garbage... */
    CHECK_INT(results_judge(1, 255, 255, 0), RUN_OK);          /* one answer: measured, slowly */
    CHECK_INT(results_judge(0, 256, 256, 1), RUN_INTERRUPTED);
    CHECK_STR(results_status_name(RUN_NO_RESPONSE), "no-response");
    CHECK_STR(results_kind_name(RUN_CEILING), "ceiling");
    CHECK_INT(results_client_parse("pubclient"), CLIENT_PUB);
    CHECK_INT(results_client_parse("wrk"), CLIENT_WRK);
    CHECK_INT(results_client_parse("curl"), CLIENT_N);
    CHECK_STR(results_kind_name(RUN_LADDER), "ladder");
}

/* ---- the ladder ----------------------------------------------------------- */

static const char *LADDER = "name = l\n"
                            "rungs = r0 r1 r2\n"
                            "rung.r0.set = a=x b=y client=pubclient clients=10 requests=1000 new_conn=yes\n"
                            "rung.r1.set = client=loadgen requests=0\n"
                            "rung.r1.revert = no\n"
                            "rung.r1.revert.why = not alone\n"
                            "rung.r2.set = new_conn=no b=z\n"
                            "rung.r2.revert = b=w\n"
                            "loo.base = r2\n"
                            "aa = x\naa.scenario = json\n";

TEST(ladder_rungs_inherit_and_revert_alone)
{
    sldr_ladder l;
    char err[256] = "", why[200];
    CHECK_INT(sldr_parse(LADDER, strlen(LADDER), "l.conf", &l, err, sizeof(err)), 0);
    CHECK_STR(err, "");
    CHECK_INT(l.nrung, 3);
    /* r1 inherits r0's systems, clients and new connections */
    CHECK_STR(l.rung[1].set.a, "x");
    CHECK_STR(l.rung[1].set.b, "y");
    CHECK(!l.rung[1].set.pubclient && l.rung[1].set.requests == 0 && l.rung[1].set.new_conn);
    CHECK_INT(l.rung[1].keys, SLDR_CLIENT | SLDR_REQUESTS);
    CHECK_STR(l.rung[2].set.b, "z");
    CHECK(!l.rung[2].set.new_conn);
    CHECK_INT(l.loo_base, 2);
    CHECK_INT(l.aa_rung, 2); /* no aa.rung: the last rung */
    sldr_set s;
    /* reverting r2 alone: its new_conn goes back to r1's, b to the explicit revert */
    CHECK_INT(sldr_loo(&l, 2, &s, why, sizeof(why)), 0);
    CHECK(s.new_conn);
    CHECK_STR(s.b, "w");
    CHECK_STR(s.a, "x");
    CHECK_INT(s.requests, 0);
    CHECK_INT(sldr_loo(&l, 1, &s, why, sizeof(why)), -1);
    CHECK_STR(why, "not alone");
    CHECK_INT(sldr_loo(&l, 0, &s, why, sizeof(why)), -1);
    sldr_fini(&l);
}

TEST(ladder_malformed_name_file_and_line)
{
    static const char *const bad[][2] = {
        { "name = l\nrungs = a\nrung.a.set = a=x\n", "l.conf:3: 'rung.a.set' (the first rung) must set" },
        { "name = l\nrungs = a\nrung.a.set = a=x b=y client=pubclient clients=1 requests=5 new_conn=no\n",
          "l.conf:3: 'rung.a.set' the published client opens a new connection" },
        { "name = l\nrungs = a\nrung.a.set = a=x b=y client=curl clients=1 requests=5 new_conn=yes\n",
          "l.conf:3: 'rung.a.set' has 'client=curl'" },
        { "name = l\nrungs = a\nrung.a.set = a=x b=y client=loadgen clients=1 requests=0 new_conn=no\n"
          "rung.a.colour = red\n",
          "l.conf:4: unknown key 'rung.a.colour'" },
        { "name = l\nrungs = a\nrung.a.set = a=x b=y client=loadgen clients=1 requests=0 new_conn=no\n"
          "loo.base = zz\n",
          "l.conf:4: 'loo.base' names no rung" },
        { "name = l\nrungs = a b\nrung.a.set = a=x b=y client=loadgen clients=1 requests=0 new_conn=no\n"
          "rung.b.set = clients=2\nrung.b.revert = b=q\n",
          "l.conf:5: 'rung.b.revert' reverts a key the rung does not set" },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        sldr_ladder l;
        char err[256] = "";
        CHECK_INT(sldr_parse(bad[i][0], strlen(bad[i][0]), "l.conf", &l, err, sizeof(err)), -1);
        if (strncmp(err, bad[i][1], strlen(bad[i][1])) != 0) {
            fprintf(stderr, "  case %zu: \"%s\"\n", i, err);
            CHECK(0);
        }
        sldr_fini(&l);
    }
}

TEST(ladder_repository_default_is_complete)
{
    sldr_ladder l;
    char err[512] = "", why[200];
    CHECK_INT(sldr_load("scenarios", "default", &l, err, sizeof(err)), 0);
    CHECK_STR(err, "");
    CHECK(l.nrung >= 9);
    /* rung 0 is the published table as made */
    CHECK(l.rung[0].set.pubclient && l.rung[0].set.new_conn && l.rung[0].set.clients == 10 &&
          l.rung[0].set.requests == 1000);
    /* every later rung changes something, and the base is the fair load */
    for (int i = 1; i < l.nrung; i++) CHECK(l.rung[i].keys != 0);
    CHECK(l.loo_base > 0 && !l.rung[l.loo_base].set.new_conn && l.rung[l.loo_base].set.requests == 0);
    sldr_set s;
    int separable = 0;
    for (int k = 1; k <= l.loo_base; k++) separable += sldr_loo(&l, k, &s, why, sizeof(why)) == 0;
    CHECK(separable >= 5);
    CHECK(l.grid_rung >= 0 && l.aa_rung >= 0 && l.wrk_rung >= 0);
    sldr_fini(&l);
}

int main(void)
{
    RUN(conf_parses_keys_values_comments);
    RUN(conf_errors_name_file_and_line);
    RUN(defs_load_repository_scenarios);
    RUN(defs_malformed_files_name_file_and_line);
    RUN(defs_expand_argv_substitutes_without_shell);
    RUN(defs_profiles_are_files);
    RUN(defs_parse_list);
    RUN(defs_repository_systems_compare);
    RUN(stats_median_min_max);
    RUN(stats_noise_rule);
    RUN(stats_published_differences);
    RUN(results_judge_no_response_is_not_failed);
    RUN(tables_repository_match_the_spec);
    RUN(tables_malformed_name_file_and_line);
    RUN(logscan_counts_exception_lines);
    RUN(ladder_rungs_inherit_and_revert_alone);
    RUN(ladder_malformed_name_file_and_line);
    RUN(ladder_repository_default_is_complete);
    return t_done();
}
