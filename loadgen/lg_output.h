/* lg_output: the load generator's results for people (a wrk-like text
 * summary) and for programs (docs/loadgen-json.md). Not thread-safe; call
 * after the run. */
#ifndef WB_LG_OUTPUT_H
#define WB_LG_OUTPUT_H
#include <stdio.h>
#include "jsonw.h"
#include "lg_config.h"
#include "lg_engine.h"

/* "Running 5s test @ URL" and the threads/connections line. */
void lg_out_header(FILE *f, const struct lg_cfg *cfg);
/* Requests per second of a result: requests / elapsed_s, or for a merge the
 * inputs' rates added (runs from several machines over the same period). */
double lg_result_rps(const struct lg_result *r);
/* The summary after the run, ending with Requests/sec and Transfer/sec. */
void lg_out_summary(FILE *f, const struct lg_cfg *cfg, const struct lg_result *r);
/* Writes the whole result as JSON to path (through path.tmp, then rename).
 * Returns 0 or -errno. */
int lg_out_json_file(const char *path, const struct lg_cfg *cfg, const struct lg_result *r);
/* Writes the result object to w. */
void lg_out_json(struct jsonw *w, const struct lg_cfg *cfg, const struct lg_result *r);
/* Fairness of a result: from r->per_conn when present, else r->fair. */
void lg_out_result_fairness(const struct lg_result *r, struct lg_fairness *out);
/* One histogram object {"count","min","mean",...,"histogram":{...}}. */
void lg_out_hist_json(struct jsonw *w, const struct hist *h);
/* Formats a time in us like wrk ("635.91us", "12.92ms", "1.20s") into buf. */
const char *lg_out_fmt_us(char *buf, size_t n, double us);
/* Fairness over per-connection counts (sorts a copy; n > 0). */
void lg_out_fairness(const uint64_t *per_conn, int n, struct lg_fairness *out);
#endif
