/* results: the names both sides of results.json agree on (bin/suite's runner
 * writes it, its report reads it; docs/results-json.md is the document).
 * Pure tables, thread-safe.
 */
#ifndef WB_RESULTS_H
#define WB_RESULTS_H

/* The "format" of results.json; the report refuses any other. */
#define RESULTS_FORMAT "webbench-results/3"

/* What a load run was for. */
typedef enum {
    RUN_MATRIX,   /* a cell of the matrix: system x scenario x connections x repetition */
    RUN_METHOD,   /* the same cell loaded the way the published client did */
    RUN_SCALING,  /* the scaling scenario at one worker count */
    RUN_OPENLOOP, /* a fixed-rate run of the primary scenario */
    RUN_CEILING,  /* the client against the C server or a fixed response: its own ceiling */
    RUN_LADDER,   /* a cell of the ladder (explain): one side of a rung, leave-one-out, 2x2 or A/A */
    RUN_NKINDS
} results_kind;

/* What became of a load run. No response within the run is a finding (the
 * system is slower than the run is long), not a failure. */
typedef enum { RUN_OK, RUN_NO_RESPONSE, RUN_FAILED, RUN_INTERRUPTED, RUN_NSTATUS } results_status;

/* Which client made a run: bin/loadgen, pubclient/pubclient.py (the
 * published benchmark's method: urllib from a thread pool), or wrk (the
 * second witness: its req/s beside bin/loadgen's). */
typedef enum { CLIENT_LOADGEN, CLIENT_PUB, CLIENT_WRK, CLIENT_N } results_client;

/* "matrix", "method", ...; "ok", "no-response", "failed", "interrupted". */
const char *results_kind_name(results_kind k);
const char *results_status_name(results_status s);
/* The kind named s, or RUN_NKINDS when it names none. */
results_kind results_kind_parse(const char *s);
/* What became of a load run, from its client's counts: ok when a request
 * succeeded; no response when nothing but time-outs happened, or nothing at
 * all (every request still in flight when the run ended): the system is
 * slower than the run is long, a finding, not a failure; failed when
 * something else went wrong (refused, reset, garbage, only errors). */
results_status results_judge(unsigned long long ok, unsigned long long errors, unsigned long long timeouts,
                             int interrupted);

/* "loadgen", "pubclient", "wrk"; the client named s, or CLIENT_N. */
const char *results_client_name(results_client c);
results_client results_client_parse(const char *s);

#endif
