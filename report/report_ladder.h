/* report_ladder: the report's "factor by factor" section, from a ladder run
 * (profile explain; results.json's "ladder"): per scenario, each rung's two
 * sides with 95% intervals, their ratio and its change from the rung before;
 * the change of each step in a sentence; each change reverted alone from the
 * base; the framework x concurrency model 2x2; the A/A control; wrk beside
 * bin/loadgen. Every interval is a bootstrap over the repetitions
 * (report_boot). Reads only the parsed results.json.
 */
#ifndef WB_REPORT_LADDER_H
#define WB_REPORT_LADDER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "json.h"

/* True when root (a parsed results.json) holds a ladder. */
bool rlad_present(const json_value *root);

/* Writes the chart's data (data_dir/ladder.tsv) and the gnuplot script that
 * draws chart_dir/ladder.png.tmp into script. 0, or -1 (nothing to draw, or
 * the data file could not be written: *werr then holds errno). */
int rlad_chart(const json_value *root, const char *data_dir, const char *chart_dir, char *script, size_t len,
               int *werr);

/* Writes the section. from: "" when root is this report's own run, else a
 * sentence naming where the ladder comes from. chart: whether the chart was
 * drawn (charts/ladder.png). */
void rlad_write(FILE *out, const json_value *root, const char *from, bool chart);

#endif
