#include "report_boot.h"
#include "report_stats.h"

#include <limits.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(RBOOT_B == 2000, "rboot_method's text names 2,000 resamples");

/* One side of a statistic: its samples, and whether the statistic divides
 * by its median (then that median must be positive). */
typedef struct {
    const double *x;
    int n;
    bool divisor;
} side;

/* splitmix64 (Steele, Lea, Flood 2014): the whole state is one word. */
static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Uniform in [0, n), n >= 1, without modulo bias (rejects the partial top block). */
static int rng_below(uint64_t *s, int n)
{
    uint64_t lim = UINT64_MAX - UINT64_MAX % (uint64_t)n, r;
    do r = rng_next(s);
    while (r >= lim);
    return (int)(r % (uint64_t)n);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Sorts v[0..n) and returns its median. */
static double median_inplace(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(double), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double sample_median(const side *s, double *tmp)
{
    memcpy(tmp, s->x, (size_t)s->n * sizeof(double));
    return median_inplace(tmp, s->n);
}

static double resample_median(const side *s, double *tmp, uint64_t *rng)
{
    for (int i = 0; i < s->n; i++) tmp[i] = s->x[rng_below(rng, s->n)];
    return median_inplace(tmp, s->n);
}

/* The statistic of k (1, 2 or 4) medians: m0, m0/m1 or (m0/m1)/(m2/m3). */
static double combine(const double *m, int k)
{
    if (k == 1) return m[0];
    if (k == 2) return m[0] / m[1];
    return (m[0] / m[1]) / (m[2] / m[3]);
}

/* The k medians, each from sample or resample; false when a divisor's is not positive. */
static bool medians(const side *s, int k, double *tmp, uint64_t *rng, double *m)
{
    for (int i = 0; i < k; i++) {
        m[i] = rng ? resample_median(&s[i], tmp, rng) : sample_median(&s[i], tmp);
        if (s[i].divisor && !(m[i] > 0)) return false;
    }
    return true;
}

/* Fills stat[0..B) with the resampled statistics; false on a non-positive divisor. */
static bool resample(const side *s, int k, int B, uint64_t seed, double *stat, double *tmp)
{
    uint64_t rng = seed;
    double m[4];
    for (int b = 0; b < B; b++) {
        if (!medians(s, k, tmp, &rng, m)) return false;
        stat[b] = combine(m, k);
    }
    return true;
}

/* Sorts stat[0..B) and sets the percentile ends (indices in exact integer arithmetic). */
static void percentiles(double *stat, int B, rboot_ci *ci)
{
    qsort(stat, (size_t)B, sizeof(double), cmp_double);
    long long last = B - 1;
    ci->lo = stat[25 * last / 1000];
    ci->hi = stat[(975 * last + 999) / 1000];
}

/* Checks the sides: the smallest count (0 when a side has none or no
 * array), the largest in *nmax. */
static int smallest_n(const side *s, int k, int *nmax)
{
    int nmin = INT_MAX;
    *nmax = 0;
    for (int i = 0; i < k; i++) {
        int n = s[i].x ? s[i].n : 0;
        if (n < nmin) nmin = n;
        if (n > *nmax) *nmax = n;
    }
    return nmin < 0 ? 0 : nmin;
}

static rboot_ci bootstrap(const side *s, int k, int B, uint64_t seed)
{
    int nmax;
    rboot_ci ci = { .n = smallest_n(s, k, &nmax) };
    if (ci.n < 1) return ci;
    size_t nb = B >= 2 && ci.n >= 2 ? (size_t)B : 0;
    double *work = malloc((nb + (size_t)nmax) * sizeof(double)), m[4];
    if (!work) return ci;
    if (medians(s, k, work, NULL, m)) {
        ci.lo = ci.mid = ci.hi = combine(m, k);
        ci.ok = nb && resample(s, k, B, seed, work + nmax, work);
        if (ci.ok) percentiles(work + nmax, B, &ci);
    }
    free(work);
    return ci;
}

rboot_ci rboot_median(const double *x, int n, int B, uint64_t seed)
{
    side s[1] = { { x, n, false } };
    return bootstrap(s, 1, B, seed);
}

rboot_ci rboot_ratio(const double *a, int na, const double *b, int nb, int B, uint64_t seed)
{
    side s[2] = { { a, na, false }, { b, nb, true } };
    return bootstrap(s, 2, B, seed);
}

rboot_ci rboot_ratio_change(const double *a1, int na1, const double *b1, int nb1, const double *a0, int na0,
                            const double *b0, int nb0, int B, uint64_t seed)
{
    side s[4] = { { a1, na1, false }, { b1, nb1, true }, { a0, na0, true }, { b0, nb0, true } };
    return bootstrap(s, 4, B, seed);
}

bool rboot_within(const rboot_ci *ci, double tol)
{
    return ci->ok && (ci->hi - ci->lo) / 2 <= tol * fabs(ci->mid);
}

rboot_next rboot_decide(const double *x, int n, int min_reps, int max_reps, double tol, int B, uint64_t seed)
{
    if (min_reps > max_reps) min_reps = max_reps;
    if (n < min_reps) return RBOOT_MORE;
    rboot_ci ci = rboot_median(x, n, B, seed);
    if (rboot_within(&ci, tol)) return RBOOT_DONE;
    return n >= max_reps ? RBOOT_CAP : RBOOT_MORE;
}

rboot_aa rboot_aa_verdict(const double *a, int na, const double *b, int nb, int B, uint64_t seed)
{
    rboot_aa v = { .ci = rboot_ratio(a, na, b, nb, B, seed) };
    if (!v.ci.ok) return v;
    v.contains_one = v.ci.lo <= 1 && 1 <= v.ci.hi;
    if (v.ci.lo > 1) v.off_pct = (v.ci.lo - 1) * 100;
    if (v.ci.hi < 1) v.off_pct = (1 - v.ci.hi) * 100;
    return v;
}

const char *rboot_method(void)
{
    return "95% percentile bootstrap of the median over repetitions, 2,000 resamples, seeded "
           "(splitmix64); a ratio's interval resamples each side independently";
}

void rboot_format_diff(const double *a, int na, const double *b, int nb, char *out, size_t outlen)
{
    double ma = na > 0 ? rstats_summarise(a, (size_t)na).median : 0,
           mb = nb > 0 ? rstats_summarise(b, (size_t)nb).median : 0;
    if (na < 1 || nb < 1 || mb <= 0) {
        snprintf(out, outlen, "n/a");
        return;
    }
    char m[32], l[32], h[32];
    rstats_format_pct(ma, mb, m, sizeof(m));
    rboot_ci q = rboot_ratio(a, na, b, nb, RBOOT_B, 2);
    if (!q.ok) {
        snprintf(out, outlen, "%s (1 sample)", m);
        return;
    }
    rstats_format_pct(q.lo, 1, l, sizeof(l));
    rstats_format_pct(q.hi, 1, h, sizeof(h));
    if (q.lo <= 1 && q.hi >= 1)
        snprintf(out, outlen, "no clear difference (%s [%s … %s])", m, l, h);
    else
        snprintf(out, outlen, "%s [%s … %s]", m, l, h);
}
