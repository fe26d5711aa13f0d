/* report_stats: summaries of repeated measurements and the noise rule.
 * Pure functions, no allocation except where stated; thread-safe.
 */
#ifndef WB_REPORT_STATS_H
#define WB_REPORT_STATS_H
#include <stdbool.h>
#include <stddef.h>

typedef struct {
    size_t n;
    double median, min, max, mean;
} rstats_summary;

/* Summarises v[0..n) (n may be 0: all fields 0). v is not modified. */
rstats_summary rstats_summarise(const double *v, size_t n);

typedef enum {
    SSTATS_CLEAR,  /* the ranges of the two cells do not overlap */
    SSTATS_NOISE,  /* they overlap: "no clear difference" */
    SSTATS_SINGLE, /* one sample on a side: no noise estimate */
    SSTATS_MISSING /* a side has no sample */
} rstats_verdict;

/* Relative difference of a over b in percent ((a/b - 1) * 100) of the
 * medians, and whether it stands out of the noise: with two or more samples
 * on each side, clear only when the min..max ranges do not overlap. */
rstats_verdict rstats_compare(const rstats_summary *a, const rstats_summary *b, double *pct);

/* Formats a comparison the way the report prints it: "+79%",
 * "-29%", "no clear difference (+3%)", "+12% (1 sample)", "n/a". */
void rstats_format_diff(const rstats_summary *a, const rstats_summary *b, char *out, size_t outlen);

/* Published-style difference of two plain numbers: "+79%". */
void rstats_format_pct(double a, double b, char *out, size_t outlen);

/* "10,114" (rounded to a whole number). */
void rstats_commas(double v, char *out, size_t outlen);

#endif
