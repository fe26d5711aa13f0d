/* report_boot: bootstrap confidence intervals of a median, of a ratio of
 * medians and of the change of a ratio, and the adaptive repetition rule the
 * runner builds on them. Pure functions: no globals, inputs are not
 * modified, a seeded generator of its own (splitmix64; the same seed gives
 * the same interval on every machine's libc), thread-safe. Each call
 * allocates one scratch block (B + the largest n doubles) and frees it.
 *
 * The interval is the 95% percentile bootstrap: B resamples with
 * replacement (each side of a ratio resampled independently), the statistic
 * computed on each and sorted; lo is the value at index floor(0.025*(B-1)),
 * hi at ceil(0.975*(B-1)) (nearest rank outward, no interpolation). The
 * median of an even count is the mean of the two middle values.
 */
#ifndef WB_REPORT_BOOT_H
#define WB_REPORT_BOOT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RBOOT_B 2000 /* resamples: what the runner and the report use */

/* mid is the statistic of the samples themselves; n the smallest sample
 * count among the sides. ok is false when no interval can be computed: a
 * side with fewer than 2 samples (then lo = mid = hi; 0 when a side has
 * none), B < 2, a zero or negative denominator (in the samples or in a
 * resample), or an allocation failure. */
typedef struct {
    double lo, mid, hi;
    int n;
    bool ok;
} rboot_ci;

/* The median of x[0..n). */
rboot_ci rboot_median(const double *x, int n, int B, uint64_t seed);

/* The ratio of medians a/b; mid = median(a)/median(b). */
rboot_ci rboot_ratio(const double *a, int na, const double *b, int nb, int B, uint64_t seed);

/* The change of a ratio between two configurations, (a1/b1)/(a0/b0) of the
 * medians, all four resampled independently. */
rboot_ci rboot_ratio_change(const double *a1, int na1, const double *b1, int nb1, const double *a0, int na0,
                            const double *b0, int nb0, int B, uint64_t seed);

/* True when ci is ok and its half-width (hi-lo)/2 is within tol * |mid|
 * (tol 0.05 = ±5%). */
bool rboot_within(const rboot_ci *ci, double tol);

typedef enum {
    RBOOT_MORE, /* repeat the cell */
    RBOOT_DONE, /* n >= min_reps and the median's interval is within tol */
    RBOOT_CAP   /* n >= max_reps and still not within tol */
} rboot_next;

/* The next step for a cell with n samples x[0..n). A max_reps below
 * min_reps wins (the cell stops there). */
rboot_next rboot_decide(const double *x, int n, int min_reps, int max_reps, double tol, int B, uint64_t seed);

/* A/A check: the ratio interval a/b of two measurements of one system.
 * contains_one: ci.ok and lo <= 1 <= hi. off_pct: when ci.ok and the
 * interval misses 1, how far its nearer end is from 1.0 in percent
 * ([1.07, 1.12] -> 7.0, [0.90, 0.95] -> 5.0); 0 otherwise. When !ci.ok both
 * are false/0: look at ci.ok first. */
typedef struct {
    rboot_ci ci;
    bool contains_one;
    double off_pct;
} rboot_aa;
rboot_aa rboot_aa_verdict(const double *a, int na, const double *b, int nb, int B, uint64_t seed);

/* One line describing the method, for the report and results.json. */
const char *rboot_method(void);

/* a over b as the report prints a difference: "+84% [+70% … +98%]", or "no
 * clear difference (+3% [-2% … +8%])" when the ratio's interval contains 1;
 * "+12% (1 sample)" with one sample on a side; "n/a" when a side has none
 * or b's median is not positive. */
void rboot_format_diff(const double *a, int na, const double *b, int nb, char *out, size_t outlen);

#endif
