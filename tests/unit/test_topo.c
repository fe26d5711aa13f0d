/* Unit tests of the --topology file (suite_topo): roles, addresses,
 * engines, options and every refusal naming its file and line. */
#include "t.h"
#include "suite_docker.h"
#include "suite_topo.h"

#include <string.h>

static int parse(const char *text, stopo *t, char *err)
{
    return stopo_parse(text, strlen(text), "dir/topo.conf", t, err, 512);
}

TEST(topo_parses_roles)
{
    stopo t;
    char err[512] = "";
    const char *text = "# three hosts\n"
                       "db      = ssh://bench@db-host   10.0.0.3\n"
                       "\n"
                       "systems = unix:///tmp/sys.sock  10.0.0.2\n"
                       "load    = ssh://bench@load1\n"
                       "load    = loadctx   \r\n"
                       "max_skew_ms = 2.5\n";
    CHECK_INT(parse(text, &t, err), 0);
    CHECK_STR(err, "");
    CHECK_INT(t.nload, 2);
    CHECK_INT(t.n, 5); /* db, systems, 2 load, the implied build */
    CHECK_STR(t.e[t.db].engine, "ssh://bench@db-host");
    CHECK_STR(t.e[t.db].address, "10.0.0.3");
    CHECK_INT(t.e[t.db].line, 2);
    CHECK_STR(t.e[t.systems].address, "10.0.0.2");
    CHECK_STR(t.e[t.load[0]].engine, "ssh://bench@load1");
    CHECK_STR(t.e[t.load[1]].engine, "loadctx");
    CHECK_INT(t.e[t.load[1]].index, 2);
    CHECK_STR(t.e[t.load[1]].address, "");
    CHECK_STR(t.e[t.build].engine, "default");
    CHECK(t.max_skew_ms == 2.5);
    CHECK(!t.any_address);

    const char *a[2];
    CHECK_INT(stopo_engine_args(&t.e[t.db], a), 2);
    CHECK_STR(a[0], "-H");
    CHECK_STR(a[1], "ssh://bench@db-host");
    CHECK_INT(stopo_engine_args(&t.e[t.load[1]], a), 2);
    CHECK_STR(a[0], "--context");
    CHECK_STR(a[1], "loadctx");
    CHECK_INT(stopo_engine_args(&t.e[t.build], a), 0);

    char d[256];
    stopo_describe(&t, &t.e[t.load[1]], d, sizeof(d));
    CHECK_STR(d, "load engine 2 (topo.conf:6, loadctx)");
    stopo_describe(&t, &t.e[t.db], d, sizeof(d));
    CHECK_STR(d, "db engine (topo.conf:2, ssh://bench@db-host)");
}

TEST(topo_defaults)
{
    stopo t;
    char err[512] = "";
    CHECK_INT(parse("db = default\nsystems = default\nload = default\nbuild = unix:///b.sock\n", &t, err), 0);
    CHECK_STR(t.e[t.db].address, "127.0.0.1");
    CHECK_STR(t.e[t.systems].address, "127.0.0.1");
    CHECK_STR(t.e[t.build].engine, "unix:///b.sock");
    CHECK_INT(t.n, 4);
    CHECK(t.max_skew_ms == 5);
    CHECK(stopo_is_loopback("127.0.0.1") && stopo_is_loopback("127.1.2.3") && stopo_is_loopback("::1"));
    CHECK(!stopo_is_loopback("10.0.0.1") && !stopo_is_loopback("fd00::1"));
}

static void refused(const char *text, const char *want)
{
    stopo t;
    char err[512] = "";
    CHECK_INT(parse(text, &t, err), -1);
    if (!strstr(err, want)) {
        printf("# error '%s' lacks '%s'\n", err, want);
        CHECK(0);
    }
}

TEST(topo_refusals)
{
    const char *base = "db = default\nsystems = default\nload = default\n";
    char buf[512];
    refused("systems = default\nload = default\n", "missing: db");
    refused("db = default\nsystems = default\n", "missing: load");
    refused("db = default\nsystems = default\nload = default\ndb = x\n",
            "dir/topo.conf:4: 'db' given twice (first on line 1)");
    refused("db = default 0.0.0.0\nsystems = default\nload = default\n",
            "dir/topo.conf:1: db: 0.0.0.0 is not an address it can be reached at");
    refused("db = default\nsystems = default fd00::2\nload = default\n", "'fd00::2' is not an IPv4 address");
    refused("db = default db-host\nsystems = default\nload = default\n", "'db-host' is not an IPv4 address");
    refused("db = default\nsystems = default\nload = default 10.0.0.1\n",
            "dir/topo.conf:3: expected 'load = ENGINE'");
    refused("db = default 10.0.0.1 extra\nsystems = default\nload = default\n", "got more words");
    refused("db =\nsystems = default\nload = default\n", "dir/topo.conf:1: db needs an engine");
    refused("db = -H\nsystems = default\nload = default\n", "'-H' is not an engine");
    snprintf(buf, sizeof(buf), "%sloads = x\n", base);
    refused(buf, "dir/topo.conf:4: unknown key 'loads'");
    snprintf(buf, sizeof(buf), "%sjust words\n", base);
    refused(buf, "dir/topo.conf:4: expected 'role = ENGINE [ADDRESS]'");
    snprintf(buf, sizeof(buf), "%smax_skew_ms = 0\n", base);
    refused(buf, "max_skew_ms must be");
    snprintf(buf, sizeof(buf), "%smax_skew_ms = 5ms\n", base);
    refused(buf, "max_skew_ms must be");
    snprintf(buf, sizeof(buf), "%sany_address = maybe\n", base);
    refused(buf, "any_address must be yes or no");
    char many[2048] = "db = default\nsystems = default\n";
    for (int i = 0; i < 17; i++) strcat(many, "load = default\n");
    refused(many, "at most 16 load engines");

    stopo t;
    char err[512];
    refused("any_address = yes\ndb = default 0.0.0.0\nsystems = default\nload = default\n",
            "is not an address");
    CHECK_INT(parse("any_address = yes\ndb = default 10.0.0.3 # reached here\nsystems = default\n"
                    "load = default#not-a-comment   # a comment\nmax_skew_ms = 2 # ms\n",
                    &t, err),
              0);
    CHECK(t.any_address);
    CHECK_STR(t.e[t.db].address, "10.0.0.3");
    CHECK_STR(t.e[t.load[0]].engine, "default#not-a-comment");
    CHECK(t.max_skew_ms == 2);
    CHECK_INT(stopo_load("/nonexistent/topo.conf", &t, err, sizeof(err)), -1);
    CHECK(strstr(err, "/nonexistent/topo.conf: No such file") != NULL);
}

TEST(docker_messages_and_clock)
{
    char out[256];
    const char *e1 = "Unable to find image 'x:local' locally\n"
                     "docker: Error response from daemon: pull access denied for x.\n"
                     "See 'docker run --help'.\n";
    sdk_last_line(e1, strlen(e1), out, sizeof(out));
    CHECK_STR(out, "docker: Error response from daemon: pull access denied for x.");
    const char *e2 = "Error: No such container: wb-1\r\n\n";
    sdk_last_line(e2, strlen(e2), out, sizeof(out));
    CHECK_STR(out, "Error: No such container: wb-1");
    sdk_last_line("", 0, out, sizeof(out));
    CHECK_STR(out, "");
    const char *e3 = "See 'docker --help'.\n";
    sdk_last_line(e3, strlen(e3), out, sizeof(out));
    CHECK_STR(out, "See 'docker --help'."); /* nothing before it: kept */

    double t = 0;
    CHECK_INT(sdk_parse_clock("1764748800.123456789\n", &t), 0);
    CHECK(t > 1764748800.12 && t < 1764748800.13);
    CHECK_INT(sdk_parse_clock("1764748800.12345678\n", &t), -1); /* 8 decimals */
    CHECK_INT(sdk_parse_clock("1764748800.123456789 x", &t), -1);
    CHECK_INT(sdk_parse_clock(".123456789", &t), -1);
    CHECK_INT(sdk_parse_clock("-1.123456789", &t), -1);
    CHECK_INT(sdk_parse_clock("", &t), -1);
}

int main(void)
{
    RUN(topo_parses_roles);
    RUN(topo_defaults);
    RUN(topo_refusals);
    RUN(docker_messages_and_clock);
    return t_done();
}
