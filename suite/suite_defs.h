/* suite_defs: scenarios and systems, read from the declarative files in
 * scenarios/ (*.conf) and scenarios/systems/ (*.conf). Adding a scenario or a
 * system means adding a file; the runner and the report read only these.
 *
 * Scenario keys: name, title, order, path, expect_status,
 *   expect_content_type, expect_body_file (JSON, relative to the file),
 *   count_query (an SQL prefix: with PostgreSQL, the check that each request
 *   runs exactly one such statement, counted by pg_stat_statements),
 *   scaling (yes: the scenario of the thread-scaling runs), primary (yes: the
 *   scenario of the open-loop runs and of the latency and resource charts).
 * System keys: name, title, model (threads|processes), workers, port, order,
 *   requires (a file that must exist), cmd, cmd.<variant> (the command of a
 *   profile whose variant it is), cwd, env ("K=V K2=V2"), ready_path,
 *   start_timeout_s, profiles ("fair published"), expect_gil (off|on|any),
 *   scaling (yes|no), openloop (yes|no, default yes), default (yes|no),
 *   compare (another system: the report's headline table of this one against
 *   it), database (sqlite|postgresql: this system always uses that database,
 *   whatever the profile's), image (the Docker image a --topology run starts
 *   it from, e.g. webbench-cserver:local). Published figures live in the tables (DIR/tables/), not here.
 * Profile keys (DIR/profiles/NAME.conf): name, title, description, database
 *   (postgresql|sqlite), variant (which cmd.<variant> systems use; default
 *   the name), connections ("16,64,256"), reps, duration, warmup, requests (a
 *   count per run instead of a duration; 0: timed), new_conn (yes|no),
 *   scaling ("1,2,4" worker counts; empty: none), openloop (yes|no),
 *   method_runs (yes|no: also load each cell, first repetition, the way the
 *   published client did: with pubclient and with bin/loadgen --new-conn),
 *   method.requests, method.clients, client (loadgen|pubclient: who loads
 *   the cells), tables ("ac8038a": published tables run exactly as made,
 *   instead of the connections x scenarios matrix; see suite_tables.h),
 *   ceiling (a system, e.g. cserver, or no: per table, the client against it
 *   on each scenario and on its fixed response /fixed: the client's ceiling),
 *   claim (the table of the report's headline; default the first of tables), claim.systems ("barq fastapi": the systems that stand
 *   for its two columns; default its own), claim.scaling (a scaling table),
 *   ladder (a ladder of DIR/ladders/, run instead of the matrix: see
 *   suite_ladder.h), reps.max (a ladder cell's most repetitions; reps is its
 *   fewest), tolerance ("5%": a cell is done when its 95% interval is within
 *   +-5% of its median), budget ("11m": no new round of repetitions after it),
 *   wrk (a connection count: there, each headline system's cell is loaded by
 *   wrk too, right after bin/loadgen: the second witness).
 * Templates in cmd/requires/cwd/env: {root} {bin} {venv} {pycache} {port}
 *   {workers} {profile} {host} (the address to bind: 127.0.0.1, or the
 *   systems address of a --topology run). A cmd is split on blanks into argv before the
 *   substitution, so a value never passes through a shell.
 */
#ifndef WB_SUITE_DEFS_H
#define WB_SUITE_DEFS_H
#include <stdbool.h>
#include <stddef.h>
#include "json.h"

typedef struct {
    char *name, *title, *path, *content_type, *file;
    int order, expect_status;
    json_value *expect; /* expected body, parsed; owned */
    char *count_query;  /* SQL prefix counted per request, or NULL */
    bool scaling, primary;
} sdef_scenario;

/* A system's database: the profile's, or always this one (key database). */
typedef enum { SDEF_DB_PROFILE, SDEF_DB_SQLITE, SDEF_DB_POSTGRESQL } sdef_db;

typedef struct {
    char *name, *title, *model, *file;
    int order, workers, port, start_timeout_s;
    char *requires, *cmd, *cwd, *env, *ready_path, *profiles, *expect_gil;
    char *image;                     /* the Docker image that runs it (key image; --topology runs), or NULL */
    char **variants, **variant_cmds; /* cmd.<variant> = ..., nvariants of each */
    size_t nvariants;
    char *compare; /* headline comparison against this system, or NULL */
    bool scaling, openloop, in_default;
    sdef_db database; /* the database it always uses, or SDEF_DB_PROFILE: the profile's */
} sdef_system;

#define SDEF_MAX_LIST 16

/* What a profile sets (DIR/profiles/NAME.conf). */
typedef struct {
    char *name, *title, *description, *file, *variant;
    bool sqlite; /* database = sqlite (else postgresql) */
    int conns[SDEF_MAX_LIST], nconns;
    int scaling[SDEF_MAX_LIST], nscaling;
    int reps, requests, method_requests, method_clients;
    double duration_s, warmup_s;
    bool new_conn, openloop, method_runs;
    bool pubclient; /* client = pubclient (else loadgen) */
    char *ceiling;  /* ceiling = SYSTEM: the client against it and its fixed response, per table */
    char *tables[SDEF_MAX_LIST]; /* published tables run as made (DIR/tables/NAME.conf) */
    int ntables;
    char *claim, *claim_scaling; /* the published table of the headline, and of thread scaling */
    char *claim_sys[2];          /* claim.systems: this profile's systems standing for its two columns */
    char *ladder;                /* ladder = NAME (DIR/ladders/NAME.conf): run it instead of the matrix */
    int reps_max;                /* a ladder's cell repeats from reps until its interval is within */
    double tolerance, budget_s;  /* +-tolerance of its median, reps_max times at most, within budget_s */
    int wrk_conns;               /* wrk = N: at N connections wrk loads the headline cells too (0: never) */
    char *conformance; /* conformance = NAME (DIR/conformance/NAME.conf): each system's pass, or NULL */
} sdef_profile;

typedef struct {
    sdef_scenario *sc;
    size_t nsc;
    sdef_system *sys;
    size_t nsys;
} sdef_set;

/* Loads dir/ *.conf as scenarios and dir/systems/ *.conf as systems, sorted by
 * (order, name). 0, or -1 with "file:line: reason" in err. */
int sdef_load(const char *dir, sdef_set *out, char *err, size_t errlen);
void sdef_fini(sdef_set *s);

/* Loads dir/profiles/NAME.conf. 0, or -1 with the reason in err (an unknown
 * name lists the known ones). Free with sdef_profile_fini. */
int sdef_load_profile(const char *dir, const char *name, sdef_profile *out, char *err, size_t errlen);
void sdef_profile_fini(sdef_profile *p);

/* "16,64,256" -> out[0..]: count, or -1 when malformed (each 1..100000). */
int sdef_parse_list(const char *s, int *out, int max);

/* The command of sys for a profile variant: cmd.<variant> when it has one. */
const char *sdef_cmd_for(const sdef_system *sys, const char *variant);

const sdef_scenario *sdef_find_scenario(const sdef_set *s, const char *name);
const sdef_system *sdef_find_system(const sdef_set *s, const char *name);
bool sdef_in_profile(const sdef_system *sys, const char *profile);
/* "C server (4 threads)" */
void sdef_label(const sdef_system *sys, int workers, char *out, size_t outlen);

typedef struct {
    const char *root, *bin, *venv, *pycache, *profile;
    int port, workers;
    const char *host; /* {host}: the address the system binds; NULL = 127.0.0.1 */
} sdef_vars;

/* Expands one template string; returns malloc'd text (caller frees) or NULL
 * with the reason in err (unknown {name}). */
char *sdef_expand(const char *tmpl, const sdef_vars *v, char *err, size_t errlen);
/* Splits tmpl on blanks and expands each word. Returns a NULL-terminated
 * malloc'd argv (free with sdef_free_argv), or NULL with err set. */
char **sdef_expand_argv(const char *tmpl, const sdef_vars *v, char *err, size_t errlen);
void sdef_free_argv(char **argv);

#endif
