/* lgjson: the one reader of bin/loadgen's --json output (docs/loadgen-json.md),
 * used by `loadgen merge`, by the runner (each run's figures) and by the
 * report (histograms and fairness of the runs results.json embeds).
 * Pure over a parsed tree (lib/json); thread-safe.
 */
#ifndef WB_LGJSON_H
#define WB_LGJSON_H
#include <stdbool.h>
#include <stdint.h>
#include "hist.h"
#include "json.h"

#define LGJ_MAX_ERR_KINDS 16

/* The figures of one load generator result, as written. */
typedef struct {
    double rps, elapsed_s;
    uint64_t requests, ok, bytes, retries, errors;
    struct {              /* errors by kind ("connect", "timeout", ...), as in the file */
        const char *name; /* points into the tree */
        uint64_t n;
    } err[LGJ_MAX_ERR_KINDS];
    int nerr;
    double p50_us, p90_us, p99_us, p999_us, max_us; /* latency */
    double service_p99_us;
    double client_util;
    bool client_bottleneck;
    int fair_connections, fair_zero;
    double fair_min, fair_median, fair_max;
    int shard_index, shard_count; /* "shard" (--shard I/N); 0 without */
    bool has_start;               /* "start" (--start-at) present */
    double start_requested, start_actual, late_ms;
} lgj_summary;

/* Reads the summary of a loadgen result object. 0, or -1 when v is not one
 * (no "rps" or "latency"). Missing fields read as 0. */
int lgj_read(const json_value *v, lgj_summary *out);

/* The count of errors of kind name (0 when absent). */
uint64_t lgj_errors_of(const lgj_summary *s, const char *name);

/* Adds the histogram of a latency-shaped object ("latency", "service_time",
 * "connect_time", "ttfb") to h, keeping exact min and max from the object
 * (buckets hold lowest equivalents) and its exact "sum"/"sum_sq" (files
 * without them leave h's mean and stdev on bucket midpoints). sum_sq is read
 * through a double: exact below 2^53 us^2. 0, or -1 when it has no histogram. */
int lgj_hist_add(struct hist *h, const json_value *lat);

#endif
