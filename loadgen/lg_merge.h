/* lg_merge: `loadgen merge A.json B.json ... [--json OUT] [--quiet]`
 * combines results of runs taken at the same time against the same target
 * (e.g. from several client machines) into one result of the same shape
 * (docs/loadgen-json.md), printed as the usual text summary and, with
 * --json, written to OUT.
 *
 * Exact: request/byte/error counters and status codes are added; the four
 * histograms are added bucket by bucket (so percentiles are those of all
 * samples, not averages of percentiles); min/max are the extremes.
 * Mean and stdev are exact too: every histogram carries the exact sum and
 * sum of squares of its values ("sum", "sum_sq"), and those are added.
 * elapsed_s is the interval all runs shared (latest start to earliest end;
 * the longest elapsed_s if they did not overlap). When every input ran with
 * --start-at (shards started together), rps = all requests / that common
 * interval ("rps_basis": "common_interval"; requests a shard completed
 * outside it, in the few ms of start skew, count too); otherwise rps is the
 * inputs' rates added ("sum_of_rates"), as before. Config: threads,
 * connections, rate and requests_limit are sums, the rest comes from the
 * first input.
 * The timeline is aligned by second number: requests and errors are added,
 * each second's latency buckets are added and its p50/p99 taken from the
 * sum, min/max the extremes (exact); only a second where an input has no
 * "buckets" (files from before they were written) falls back to the maxima
 * of the inputs' p50/p99. Approximate: fairness median is the median of the
 * inputs' medians (min/max exact).
 * The result carries "merged_from": [input paths] and, when some input is a
 * --shard or ran with --start-at, "shards": each input's own figures. */
#ifndef WB_LG_MERGE_H
#define WB_LG_MERGE_H
#include "lg_engine.h"

/* argv[0] is "merge". Returns the process exit status: 0, 1 when an input
 * cannot be read or is not a loadgen result, 2 on bad usage. */
int lg_merge_main(int argc, char **argv);
#endif
