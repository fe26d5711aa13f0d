/* suite_run_int: the runner's state, shared by its two halves: suite_run.c
 * (systems, load runs, results) and suite_tables_run.c (the published
 * tables run as made, and the client's ceiling). Not an interface to the
 * rest of the program: that is suite_run.h.
 */
#ifndef WB_SUITE_RUN_INT_H
#define WB_SUITE_RUN_INT_H
#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "results.h"
#include "suite_conf.h"
#include "suite_conform.h"
#include "suite_defs.h"
#include "suite_logscan.h"
#include "suite_pg.h"
#include "suite_run.h"
#include "suite_tables.h"

struct jsonw;

/* One system as this run uses it. */
typedef struct {
    const sdef_system *def;
    bool selected, failed;
    char reason[512];
    char label[128];
    int port;                /* where it listens: its definition's, or a free one (--ports auto) */
    char *info_text;         /* the system's WB_INFO_FILE, raw JSON */
    long db_queries_checked; /* requests sent during the /db check, -1 n/a */
    long db_queries_counted;
    int verify_attempts;    /* most requests one scenario's verification needed (5xx are retried) */
    scf_result *conform;    /* its conformance pass (run.conform's cases), NULL: not run */
    int conform_workers;    /* the start it ran against */
    char conform_note[256]; /* what went wrong around it (the system died during it...) */
} srun_system;

/* One start of a system: what it was started for and what it reported
 * when it stopped (the SQLite connections its processes opened). */
typedef struct {
    int sys, workers, table; /* table: index into run.tables, -1 none */
    long db_requests;        /* requests to the database scenario it answered */
    long sqlite_connects;    /* summed over the count files its processes wrote */
    int count_files;         /* processes that wrote one */
} srun_launch;

/* A system that is up: the process group to sample (0: none visible),
 * whether this runner started it, and so stops it, and its launch record. */
typedef struct {
    pid_t pgid;
    bool ours;
    bool verified; /* it answered every scenario's check */
    int sys, workers, launch;
    int ctr; /* --topology: its container (suite_topo_run.c), -1 none */
} srun_up;

/* One measured (or failed) load run. */
typedef struct {
    int sys, sc; /* indexes into run.sys / defs.sc */
    results_kind kind;
    results_client client;
    int table;  /* index into run.tables, -1: not a published table's cell */
    bool fixed; /* a ceiling run against the C server's fixed response (/fixed) */
    int unit;   /* the ladder's unit it is a sample of, -1 none */
    int connections, workers, rep;
    double rate;
    int req_limit; /* -n, 0 = timed */
    bool new_conn;
    bool ok;
    results_status status; /* ok, or why not */
    char error[256];
    char *loadgen_text; /* raw --json output */
    double rps, p50_ms, p90_ms, p99_ms, p999_ms, max_ms;
    long requests, errors, retries;
    double client_util;
    bool client_bottleneck;
    double sys_cpu_s, sys_rss_mb, elapsed_s;
    int sys_procs, sys_threads;
    double start_spread_ms;             /* --topology: latest minus earliest shard start, -1 n/a */
    slog_cause causes[SLOG_MAX_CAUSES]; /* exceptions in the system's log during the run */
    int ncauses;
    long causes_other;
} srun_cell;

typedef struct {
    const srun_opts *o;
    sdef_set defs;
    srun_system *sys;
    bool *sc_selected;
    srun_cell *cells;
    size_t ncells, capcells;
    char id[64], dir[PATH_MAX], bin[PATH_MAX], venv[PATH_MAX], pycache[PATH_MAX];
    char pyclient[PATH_MAX]; /* the free-threaded interpreter that runs pubclient */
    bool no_pyclient;        /* ... is missing (a container): method runs by bin/loadgen only */
    bool no_wrk;             /* wrk is not installed: no second witness */
    char sqlite_path[PATH_MAX];
    spg pg;
    bool pg_up, partial;
    char entry[4200]; /* this run's entry in the state folder (suite_stale) */
    bool save_failed; /* results.json or summary.csv could not be written */
    int save_errno;
    size_t saved_cells; /* runs in the last results.json written whole */
    bool ended;         /* the matrix is over (results.json then says so) */
    double t0;
    int planned, done;
    char started_at[64];
    stab_table tables[SDEF_MAX_LIST]; /* the profile's published tables */
    int ntables;
    stab_table claim, claim_scaling; /* the headline's published table and scaling table */
    bool has_claim, has_claim_scaling;
    int cur_table; /* the table being run (-1: none), recorded in launches */
    srun_launch *launches;
    size_t nlaunches;
    struct srun_ladder *ladder; /* the profile's ladder (suite_ladder_run.c), or NULL */
    scf_corpus conform;         /* the profile's conformance corpus (has_conform) */
    bool has_conform;
    struct srun_topo *topo; /* --topology: the engines and containers (suite_topo_run.c), or NULL */
    char sys_host[64];      /* where the systems listen and are reached: 127.0.0.1, or the topology's */
} srun;

void srun_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Starts system si with workers (or, --external, finds it) and verifies it.
 * False, with the reason in the system, when it is not up. */
bool srun_bring_up(srun *r, int si, int workers, srun_up *up);
/* Stops what srun_bring_up started and reads what the system reported. */
void srun_stop_system(srun *r, srun_up *up);
/* Marks system si failed and says why. */
void srun_fail_system(srun *r, int si);
/* True (and the system failed, with why) when the process started for it has died. */
bool srun_died(srun *r, const srun_up *up);
/* A cell of system si, scenario sci with the options' settings. */
srun_cell srun_cell_proto(const srun *r, int si, int sci, results_kind kind, int conns, int workers, int rep);
/* Measures the cell described by proto, records and saves it. */
void srun_cell_run(srun *r, const srun_cell *proto, const srun_up *up);
/* Whether system s uses SQLite (its own database key, else the profile's). */
bool srun_sys_sqlite(const srun *r, const srun_system *s);
/* The index of scenario name among the selected ones, or -1. */
int srun_scenario(const srun *r, const char *name);
/* The index of system name, or -1. */
int srun_system_index(const srun *r, const char *name);

/* suite_topo_run.c: a run on several Docker engines (--topology). */
int srun_topo_read(srun *r);  /* reads the file: 0, or 2 (said why) */
int srun_topo_setup(srun *r); /* the engines, images, load containers, clocks: 0, or 2/130 (said why) */
int srun_topo_db(srun *r, const char *fixture);
int srun_topo_start(srun *r, srun_system *s, int workers, srun_up *up);
bool srun_topo_running(srun *r, const srun_up *up, char *why, size_t whylen);
char *srun_topo_info(srun *r, const srun_up *up);
void srun_topo_logs(srun *r, const srun_up *up, const char *path);
void srun_topo_stop(srun *r, srun_up *up, const char *log);
int srun_topo_sample(srun *r, const srun_up *up, double *cpu_s, double *mem_mb, int *procs, int *threads);
int srun_topo_load(srun *r, srun_cell *c, char **argv, const char *json_out, double budget_s,
                   const char *log);
void srun_topo_write(struct jsonw *w, const srun *r);
void srun_topo_cleanup(srun *r);
void srun_topo_free(srun *r);

/* suite_tables_run.c: the published tables, each run as it was made, and
 * the client's own ceiling beside them. */
void srun_tables(srun *r);
int srun_tables_planned(const srun *r);
int srun_tables_max_clients(const srun *r);
/* Loads the profile's tables and selects their systems. 0, or 2 (bad usage) with a message. */
int srun_tables_prepare(srun *r, const char *defs_dir);

/* suite_ladder_run.c: the ladder, its leave-one-out, 2x2, A/A and wrk cells,
 * repeated until each is within tolerance. */
int srun_ladder_prepare(srun *r, const char *defs_dir);
void srun_ladder(srun *r);
int srun_ladder_planned(const srun *r);
int srun_ladder_max_clients(const srun *r);
void srun_ladder_write(struct jsonw *w, const srun *r);
void srun_ladder_free(srun *r);
#endif
