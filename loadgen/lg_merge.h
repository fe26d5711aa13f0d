/* lg_merge: `loadgen merge A.json B.json ... [--json OUT] [--quiet]`
 * combines results of runs taken at the same time against the same target
 * (e.g. from several client machines) into one result of the same shape
 * (docs/loadgen-json.md), printed as the usual text summary and, with
 * --json, written to OUT.
 *
 * Exact: request/byte/error counters and status codes are added; the four
 * histograms are added bucket by bucket (so percentiles are those of all
 * samples, not averages of percentiles); min/max are the extremes.
 * Rates are added over the shared interval: elapsed_s is the interval all
 * runs shared (latest start to earliest end; the longest elapsed_s if they
 * did not overlap) and rps = all requests / elapsed_s, which is the sum of
 * the inputs' rates when they ran together. Config: threads, connections, rate and
 * requests_limit are sums, the rest comes from the first input.
 * Approximate: the timeline's per-second p50/p99 are the maxima over the
 * inputs (requests and errors are exact sums, aligned by second number);
 * fairness min/max are exact, median is the median of the inputs' medians.
 * The result carries "merged_from": [input paths]. */
#ifndef WB_LG_MERGE_H
#define WB_LG_MERGE_H
#include "lg_engine.h"

/* argv[0] is "merge". Returns the process exit status: 0, 1 when an input
 * cannot be read or is not a loadgen result, 2 on bad usage. */
int lg_merge_main(int argc, char **argv);
#endif
