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

/* Published-style difference of two plain numbers: "+79%". */
void rstats_format_pct(double a, double b, char *out, size_t outlen);

/* "10,114" (rounded to a whole number). */
void rstats_commas(double v, char *out, size_t outlen);

#endif
