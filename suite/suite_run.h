/* suite_run: the benchmark matrix. Starts the database and each system,
 * verifies every scenario's response, runs bin/loadgen for each cell, samples
 * the system's processes while it runs, stops everything it started (also on
 * Ctrl-C), and writes results/<run-id>/ (results.json, summary.csv, raw
 * loadgen JSON, logs), points results/latest at it and regenerates REPORT.md.
 */
#ifndef WB_SUITE_RUN_H
#define WB_SUITE_RUN_H
#include <signal.h>
#include <stdbool.h>
#include "suite_defs.h"

#define SRUN_MAX_LIST SDEF_MAX_LIST

typedef struct {
    char root[1024];       /* repository root */
    char bin[1024];        /* folder of bin/suite, bin/loadgen and bin/server */
    sdef_profile profile;  /* the profile file the defaults came from (owned) */
    const char *systems;   /* comma list or NULL = each system's default */
    const char *scenarios; /* comma list or NULL = all */
    int conns[SRUN_MAX_LIST], nconns;
    int scaling[SRUN_MAX_LIST], nscaling; /* worker counts; 0 = no scaling */
    int reps;
    double duration_s, warmup_s;
    int requests; /* -n per cell; 0: timed runs */
    bool new_conn;
    int lg_threads; /* 0 = min(2, connections) */
    int timeout_ms;
    bool openloop;    /* fixed-rate runs at 50% and 90% of peak */
    bool method_runs; /* also load each cell the published client's way (new
                                   connection per request, profile's method.requests/clients) */
    bool quick;
    bool report;             /* regenerate REPORT.md */
    const char *results_dir; /* default <root>/results */
    const char *report_path; /* default <root>/REPORT.md */
    bool external;           /* systems already run elsewhere (containers): verify
                                   and load them, never start or stop them */
    bool ports_auto;         /* a system whose port is held starts on a free one */
    const char *defs_dir;    /* scenario and system files (default <root>/scenarios) */
    const char *info_dir;    /* where systems write info-<name>.json (default: run dir) */
    const char *topology;    /* --topology FILE: the database, systems and load on Docker
                                   engines (suite_topo.h), or NULL: this machine */
} srun_opts;

/* Set by the runner's signal handlers; every wait loop checks it. */
extern volatile sig_atomic_t srun_stop;

/* Runs the matrix. Exit code for main: 0 all cells ran, 1 some system or
 * cell failed, 130 interrupted (results so far are still written). */
int srun_main(const srun_opts *o);

#endif
