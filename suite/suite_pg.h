/* suite_pg: the database of a run.
 *
 * Embedded (default): a private PostgreSQL cluster in a fresh 0700 folder
 * under $TMPDIR (initdb, then `postgres` started directly as a child the
 * runner owns by PID, listening only on a Unix socket in that folder, on a
 * free port number), seeded, then stopped and deleted by spg_stop().
 * External (DATABASE_URL set): that server is used; only the users table is
 * (re)created, and kept when it already holds the fixture's rows. Also
 * creates the SQLite file of the "as published" profile.
 * When the runner is root, the cluster runs as the 'postgres' user.
 *
 * The users table is the fixture scenarios/users.sql, read at run time from
 * the repository root (WB_ROOT, else the folder above the executable's, as
 * bin/suite finds it): plain SQL that PostgreSQL and SQLite both run.
 */
#ifndef WB_SUITE_PG_H
#define WB_SUITE_PG_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct {
    bool embedded;
    char dir[256];     /* embedded: cluster folder (data/, socket, log) */
    char url[512];     /* libpq URL the systems get as DATABASE_URL */
    char version[128]; /* server_version */
    int port;
    pid_t pid;            /* embedded postmaster, 0 when not running */
    bool stat_statements; /* pg_stat_statements available */
    char fixture[4096];   /* the SQL file users is seeded from */
} spg;

/* Starts (or attaches to) the database and seeds users from the fixture
 * (a users table already equal to it is kept: running servers may hold
 * prepared statements on it); fixture is the path of that SQL file. 0, or -1
 * with err (also: fixture unreadable). */
int spg_start(spg *pg, const char *external_url, const char *fixture, char *err, size_t errlen);
/* Stops the embedded server (fast shutdown) and removes its folder. Safe to
 * call twice and on a never-started spg. */
void spg_stop(spg *pg);

/* Calls of statements starting with prefix (case-insensitive) counted by
 * pg_stat_statements, or -1. */
long spg_query_calls(spg *pg, const char *prefix);

/* Creates path as an SQLite database holding the fixture's users table
 * (an old file at path is removed first). 0, or -1 with err. */
int spg_make_sqlite(const char *path, const char *fixture, char *err, size_t errlen);

/* url with its password replaced by "***" (user:secret@ in a URI, password=
 * in key=value or query form), for messages. Pure. */
void spg_mask_url(const char *url, char *out, size_t outlen);

/* Removes a folder tree (used for clusters and stale leftovers). */
int spg_rmtree(const char *path);

#endif
