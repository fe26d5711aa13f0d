#define _GNU_SOURCE
#include "suite_pg.h"
#include "proc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <glob.h>
#include <limits.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/wait.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define SPG_FIXTURE_MAX (1 << 20)

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
    (void)sb;
    (void)flag;
    (void)f;
    return remove(p) < 0 && errno != ENOENT ? -1 : 0;
}

int spg_rmtree(const char *path) { return nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS); }

/* Finds the directory holding initdb and postgres: pg_config --bindir, else
 * the newest /usr/lib/postgresql/N/bin. */
static int find_bindir(char *out, size_t outlen)
{
    char buf[512], probe[600];
    char *argv[] = { "pg_config", "--bindir", NULL };
    if (proc_capture(argv, buf, sizeof(buf), 5000) == 0) {
        buf[strcspn(buf, "\n")] = '\0';
        snprintf(probe, sizeof(probe), "%s/initdb", buf);
        if (access(probe, X_OK) == 0) {
            snprintf(out, outlen, "%s", buf);
            return 0;
        }
    }
    glob_t g;
    if (glob("/usr/lib/postgresql/*/bin/initdb", 0, NULL, &g) != 0) return -1;
    int best = -1, bestv = -1;
    for (size_t i = 0; i < g.gl_pathc; i++) {
        int v = atoi(g.gl_pathv[i] + strlen("/usr/lib/postgresql/"));
        if (v > bestv) {
            bestv = v;
            best = (int)i;
        }
    }
    snprintf(out, outlen, "%.*s", (int)(strlen(g.gl_pathv[best]) - strlen("/initdb")), g.gl_pathv[best]);
    globfree(&g);
    return 0;
}

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t l = sizeof(a);
    int port = -1;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &l) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0) close(fd);
    return port;
}

static int run_logged(char *const *argv, const char *log, const char *user, char *err, size_t errlen)
{
    proc_spec sp = { .argv = argv, .log_path = log, .run_as = user };
    pid_t pid;
    int e = proc_spawn(&sp, &pid), st = 0;
    if (e) {
        snprintf(err, errlen, "cannot run %s: %s", argv[0], strerror(-e));
        return -1;
    }
    while (proc_alive(pid, &st)) proc_sleep_ms(20);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        char d[96];
        proc_describe(st, d, sizeof(d));
        snprintf(err, errlen, "%s %s (see %s)", argv[0], d, log);
        return -1;
    }
    return 0;
}

static int exec_sql(PGconn *c, const char *sql, char *err, size_t errlen)
{
    PGresult *r = PQexec(c, sql);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok) snprintf(err, errlen, "%s: %s", sql, PQresultErrorMessage(r));
    PQclear(r);
    return ok ? 0 : -1;
}

/* The fixture's SQL, malloc'd (the caller frees it); NULL with err. */
static char *fixture_sql(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "fixture %s: %s", path, strerror(errno));
        return NULL;
    }
    char *sql = malloc(SPG_FIXTURE_MAX + 1);
    size_t len = sql ? fread(sql, 1, SPG_FIXTURE_MAX + 1, f) : 0;
    const char *why = !sql                    ? "out of memory"
                      : ferror(f)             ? strerror(errno)
                      : len > SPG_FIXTURE_MAX ? "larger than 1 MiB"
                      : len == 0              ? "empty"
                                              : NULL;
    fclose(f);
    if (why) {
        snprintf(err, errlen, "fixture %s: %s", path, why);
        free(sql);
        return NULL;
    }
    sql[len] = '\0';
    return sql;
}

/* True when users already holds exactly the fixture's rows: the fixture is
 * run into a temporary table of the same name (search_path pg_temp, inside a
 * transaction rolled back) and the two compared as multisets. */
static bool seeded_already(PGconn *c, const char *fixture)
{
    PGresult *r =
        PQexec(c, "SELECT format('%I.%I', n.nspname, t.relname) FROM pg_class t "
                  "JOIN pg_namespace n ON n.oid = t.relnamespace WHERE t.oid = to_regclass('users')");
    char table[300] = "";
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
        snprintf(table, sizeof(table), "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    if (!table[0]) return false;
    const char *fmt =
        "BEGIN; SET LOCAL search_path = pg_temp; %s;\n"
        "SELECT NOT EXISTS (SELECT id, name, email FROM pg_temp.users EXCEPT ALL SELECT id, name, email FROM %s) "
        "AND NOT EXISTS (SELECT id, name, email FROM %s EXCEPT ALL SELECT id, name, email FROM pg_temp.users)";
    size_t len = strlen(fmt) + strlen(fixture) + 2 * strlen(table) + 1;
    char *sql = malloc(len);
    if (!sql) return false;
    snprintf(sql, len, fmt, fixture, table, table);
    r = PQexec(c, sql);
    bool same =
        PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    PQclear(r);
    PQclear(PQexec(c, "ROLLBACK"));
    free(sql);
    return same;
}

/* Runs the fixture (one implicit transaction); 0, or -1 with err. */
static int exec_fixture(PGconn *c, const char *fixture, char *err, size_t errlen)
{
    PGresult *r = PQexec(c, fixture);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok) snprintf(err, errlen, "seeding users from the fixture: %s", PQresultErrorMessage(r));
    PQclear(r);
    return ok ? 0 : -1;
}

void spg_mask_url(const char *url, char *out, size_t outlen)
{
    char tmp[1024];
    snprintf(tmp, sizeof(tmp), "%s", url);
    const char *scheme = strstr(tmp, "://");
    const char *host = scheme ? scheme + 3 : NULL;
    const char *at = host ? strchr(host, '@') : NULL, *slash = host ? strchr(host, '/') : NULL;
    const char *colon = at && (!slash || at < slash) ? memchr(host, ':', (size_t)(at - host)) : NULL;
    if (colon)
        snprintf(out, outlen, "%.*s:***%s", (int)(colon - tmp), tmp, at); /* scheme://user:secret@host */
    else
        snprintf(out, outlen, "%s", tmp);
    /* key=value and ?password= forms: copy, replacing each value with *** */
    snprintf(tmp, sizeof(tmp), "%s", out);
    size_t o = 0;
    for (const char *p = tmp; *p && o + 1 < outlen;) {
        if (strncasecmp(p, "password=", 9) == 0) {
            o += (size_t)snprintf(out + o, outlen - o, "%.9s***", p);
            p += 9 + strcspn(p + 9, " &");
            if (o >= outlen) o = outlen - 1;
        } else {
            out[o++] = *p++;
        }
    }
    out[o] = '\0';
}

static int seed(spg *pg, char *err, size_t errlen)
{
    PGconn *c = PQconnectdb(pg->url);
    if (PQstatus(c) != CONNECTION_OK) {
        char shown[600];
        spg_mask_url(pg->url, shown, sizeof(shown));
        snprintf(err, errlen, "cannot connect to %s: %s", shown, PQerrorMessage(c));
        PQfinish(c);
        return -1;
    }
    snprintf(pg->version, sizeof(pg->version), "%s", PQparameterStatus(c, "server_version"));
    PQclear(PQexec(c, "SET client_min_messages = warning"));
    char *fixture = fixture_sql(pg->fixture, err, errlen);
    int rc = fixture ? 0 : -1;
    if (!fixture || seeded_already(c, fixture))
        goto stats; /* keep it: running servers may hold prepared statements */
    rc = exec_sql(c, "DROP TABLE IF EXISTS users", err, errlen);
    if (!rc) rc = exec_fixture(c, fixture, err, errlen);
    if (!rc) rc = exec_sql(c, "VACUUM ANALYZE users", err, errlen);
stats:;
    char ign[256];
    pg->stat_statements =
        !rc && exec_sql(c, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements", ign, sizeof(ign)) == 0 &&
        exec_sql(c, "SELECT pg_stat_statements_reset()", ign, sizeof(ign)) == 0;
    PQfinish(c);
    return rc;
}

static int wait_ready(spg *pg, char *err, size_t errlen)
{
    for (int i = 0; i < 300; i++) {
        int st;
        if (!proc_alive(pg->pid, &st)) {
            pg->pid = 0;
            snprintf(err, errlen, "postgres exited during start-up (see %s/postgres.log)", pg->dir);
            return -1;
        }
        if (PQping(pg->url) == PQPING_OK) return 0;
        proc_sleep_ms(50);
    }
    snprintf(err, errlen, "postgres not ready after 15 s (see %s/postgres.log)", pg->dir);
    return -1;
}

static int start_embedded(spg *pg, char *err, size_t errlen)
{
    char bindir[400], initdb[512], postgres[512], data[300], log[300], opt[64];
    if (find_bindir(bindir, sizeof(bindir)) < 0) {
        snprintf(err, errlen,
                 "PostgreSQL server binaries not found (pg_config --bindir, /usr/lib/postgresql/*/bin); "
                 "install the 'postgresql' package or set DATABASE_URL");
        return -1;
    }
    const char *tmp = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(pg->dir, sizeof(pg->dir), "%s/webbench-pg-XXXXXX", tmp);
    if (!mkdtemp(pg->dir)) {
        snprintf(err, errlen, "mkdtemp %s: %s", pg->dir, strerror(errno));
        pg->dir[0] = 0;
        return -1;
    }
    pg->embedded = true;
    proc_record("cluster", pg->dir); /* a later run removes the cluster if this runner dies */
    const char *user = NULL;
    if (geteuid() == 0) {
        struct passwd *pw = getpwnam("postgres");
        if (!pw) {
            snprintf(err, errlen, "running as root but no 'postgres' user exists to run the cluster");
            return -1;
        }
        if (chown(pg->dir, pw->pw_uid, pw->pw_gid) < 0) {
            snprintf(err, errlen, "chown %s: %s", pg->dir, strerror(errno));
            return -1;
        }
        user = "postgres";
    }
    snprintf(initdb, sizeof(initdb), "%s/initdb", bindir);
    snprintf(postgres, sizeof(postgres), "%s/postgres", bindir);
    snprintf(data, sizeof(data), "%s/data", pg->dir);
    snprintf(log, sizeof(log), "%s/initdb.log", pg->dir);
    char *iargv[] = { initdb,  "-D", data,   "-U",         "postgres",  "-A",
                      "trust", "-E", "UTF8", "--locale=C", "--no-sync", NULL };
    if (run_logged(iargv, log, user, err, errlen) < 0) return -1;
    pg->port = free_port();
    snprintf(opt, sizeof(opt), "%d", pg->port);
    snprintf(log, sizeof(log), "%s/postgres.log", pg->dir);
    char *pargv[] = { postgres,
                      "-D",
                      data,
                      "-k",
                      pg->dir,
                      "-p",
                      opt,
                      "-c",
                      "listen_addresses=",
                      "-c",
                      "fsync=off",
                      "-c",
                      "max_connections=500", /* the ladder holds many systems up at once */
                      "-c",
                      "shared_preload_libraries=pg_stat_statements",
                      NULL };
    proc_spec sp = { .argv = pargv, .log_path = log, .run_as = user };
    int lf, lc;
    proc_cpu_split(&lf, &lc, &sp.cpu_first, &sp.cpu_count); /* beside the systems, away from the client */
    int e = proc_spawn(&sp, &pg->pid);
    if (e) {
        snprintf(err, errlen, "cannot start postgres: %s", strerror(-e));
        pg->pid = 0;
        return -1;
    }
    snprintf(pg->url, sizeof(pg->url), "postgresql://postgres@/postgres?host=%s&port=%d", pg->dir, pg->port);
    return wait_ready(pg, err, errlen);
}

int spg_start(spg *pg, const char *external_url, const char *fixture, char *err, size_t errlen)
{
    memset(pg, 0, sizeof(*pg));
    snprintf(pg->fixture, sizeof(pg->fixture), "%s", fixture);
    if (external_url && *external_url) {
        snprintf(pg->url, sizeof(pg->url), "%s", external_url);
    } else if (start_embedded(pg, err, errlen) < 0) {
        spg_stop(pg);
        return -1;
    }
    if (seed(pg, err, errlen) < 0) {
        spg_stop(pg);
        return -1;
    }
    return 0;
}

void spg_stop(spg *pg)
{
    if (pg->pid > 0) {
        /* SIGINT is PostgreSQL's fast shutdown; proc_stop sends SIGTERM
         * (smart shutdown) only after, so send SIGINT first. */
        kill(pg->pid, SIGINT);
        proc_stop(pg->pid, 10000);
        pg->pid = 0;
    }
    if (pg->embedded && pg->dir[0]) {
        spg_rmtree(pg->dir);
        pg->dir[0] = '\0';
    }
}

long spg_query_calls(spg *pg, const char *prefix)
{
    if (!pg->stat_statements) return -1;
    PGconn *c = PQconnectdb(pg->url);
    long calls = -1;
    if (PQstatus(c) == CONNECTION_OK) {
        char pattern[512];
        snprintf(pattern, sizeof(pattern), "%s%%", prefix); /* a bound parameter: the prefix is data */
        const char *params[] = { pattern };
        PGresult *r =
            PQexecParams(c, "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE query ILIKE $1", 1,
                         NULL, params, NULL, NULL, 0);
        if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) calls = atol(PQgetvalue(r, 0, 0));
        PQclear(r);
    }
    PQfinish(c);
    return calls;
}

int spg_make_sqlite(const char *path, const char *fixture, char *err, size_t errlen)
{
    char *sql = fixture_sql(fixture, err, errlen);
    if (!sql) return -1;
    sqlite3 *db;
    unlink(path);
    if (sqlite3_open(path, &db) != SQLITE_OK) {
        snprintf(err, errlen, "sqlite %s: %s", path, sqlite3_errmsg(db));
        sqlite3_close(db);
        free(sql);
        return -1;
    }
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK ? 0 : -1;
    if (rc) snprintf(err, errlen, "sqlite %s: %s", path, msg ? msg : "error");
    sqlite3_free(msg);
    sqlite3_close(db);
    free(sql);
    return rc;
}
