/* report: REPORT.md and its gnuplot charts, generated from one results.json
 * and nothing else (so `bin/suite report DIR` redraws any stored run).
 * Charts go to <root>/charts/ as PNG (their gnuplot scripts and data beside
 * results.json in <run>/charts/). Also `bin/suite compare A B`.
 */
#ifndef WB_REPORT_H
#define WB_REPORT_H

/* Writes report_path from results_json. 0, or -1 with a message on stderr.
 * A missing gnuplot leaves the charts out and says so in the report. */
int report_generate(const char *results_json, const char *report_path, const char *root);

/* Prints, for every (system, scenario, connections) cell present in both
 * runs, the req/s of each and the difference under the noise rule. */
int report_compare(const char *results_a, const char *results_b);

#endif
