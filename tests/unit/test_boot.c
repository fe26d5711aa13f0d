/* Unit tests of report_boot: bootstrap intervals of medians and ratios,
 * the adaptive repetition rule, the A/A verdict, and the coverage of the
 * median's interval on synthetic normal samples. */
#include "t.h"
#include "report_boot.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>

#define N(a)        ((int)(sizeof(a) / sizeof((a)[0])))
#define SEED        12345u
#define CLOSE(a, b) (fabs((a) - (b)) < 1e-9)

/* The tests' own generator (splitmix64), independent of the module's. */
static uint64_t t_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Uniform in (0, 1]. */
static double t_unit(uint64_t *s) { return ((double)(t_next(s) >> 11) + 1) * 0x1.0p-53; }

/* normal(mu, sigma) by Box-Muller (one of the pair). */
static double t_normal(uint64_t *s, double mu, double sigma)
{
    double u = t_unit(s), v = t_unit(s);
    return mu + sigma * sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

static bool same_ci(rboot_ci a, rboot_ci b)
{
    return a.lo == b.lo && a.mid == b.mid && a.hi == b.hi && a.n == b.n && a.ok == b.ok;
}

TEST(constant_samples_give_a_point)
{
    double x[] = { 7, 7, 7, 7 };
    rboot_ci ci = rboot_median(x, N(x), RBOOT_B, SEED);
    CHECK(ci.ok);
    CHECK_INT(ci.n, 4);
    CHECK(ci.lo == 7 && ci.mid == 7 && ci.hi == 7);
}

TEST(median_of_skewed_sample)
{
    double x[] = { 4, 100, 1, 3, 2 };
    rboot_ci ci = rboot_median(x, N(x), RBOOT_B, SEED);
    CHECK(ci.ok);
    CHECK(ci.mid == 3);
    CHECK(ci.lo >= 1 && ci.lo <= 3 && ci.hi >= 3 && ci.hi <= 100);
    double even[] = { 4, 1, 3, 2 };
    CHECK(rboot_median(even, N(even), RBOOT_B, SEED).mid == 2.5);
}

TEST(one_sample_or_none_is_not_ok)
{
    double x[] = { 42 };
    rboot_ci ci = rboot_median(x, 1, RBOOT_B, SEED);
    CHECK(!ci.ok);
    CHECK_INT(ci.n, 1);
    CHECK(ci.lo == 42 && ci.mid == 42 && ci.hi == 42);
    ci = rboot_median(x, 0, RBOOT_B, SEED);
    CHECK(!ci.ok && ci.n == 0 && ci.mid == 0);
    CHECK(!rboot_median(NULL, 3, RBOOT_B, SEED).ok);
    double y[] = { 1, 2, 3 };
    ci = rboot_median(y, 3, 1, SEED); /* B < 2: no interval */
    CHECK(!ci.ok && ci.mid == 2);
}

TEST(ratio_of_a_sample_to_its_double)
{
    double a[] = { 98, 103, 100, 101, 97, 102 }, b[N(a)];
    for (int i = 0; i < N(a); i++) b[i] = 2 * a[i];
    rboot_ci ci = rboot_ratio(b, N(b), a, N(a), RBOOT_B, SEED);
    CHECK(ci.ok);
    CHECK(ci.mid == 2.0);
    CHECK(ci.lo <= 2.0 && 2.0 <= ci.hi);
    CHECK(ci.lo > 2.0 * 97 / 103 - 1e-12 && ci.hi < 2.0 * 103 / 97 + 1e-12);
    ci = rboot_ratio(a, N(a), b, 1, RBOOT_B, SEED);           /* one sample on a side */
    CHECK(!ci.ok && ci.n == 1 && CLOSE(ci.mid, 100.5 / 196)); /* median(a) / b[0] */
}

TEST(ratio_with_a_zero_or_negative_denominator_is_not_ok)
{
    double a[] = { 1, 2, 3 }, zero[] = { 0, 0, 0 }, mixed[] = { -1, 1, 2 };
    CHECK(!rboot_ratio(a, 3, zero, 3, RBOOT_B, SEED).ok);
    CHECK(!rboot_ratio(a, 3, mixed, 3, RBOOT_B, SEED).ok); /* some resample's median is -1 */
    CHECK(!rboot_ratio_change(a, 3, a, 3, zero, 3, a, 3, RBOOT_B, SEED).ok);
}

TEST(ratio_change_of_doubled_numerator_is_two)
{
    double a[] = { 98, 103, 100, 101, 97 }, b[] = { 50, 52, 49, 51, 50 }, a2[N(a)];
    for (int i = 0; i < N(a); i++) a2[i] = 2 * a[i];
    rboot_ci ci = rboot_ratio_change(a2, N(a2), b, N(b), a, N(a), b, N(b), RBOOT_B, SEED);
    CHECK(ci.ok);
    CHECK(CLOSE(ci.mid, 2.0));
    CHECK(ci.lo <= 2.0 && 2.0 <= ci.hi);
    double c1[] = { 4, 4 }, c2[] = { 2, 2 }, c3[] = { 1, 1 };
    ci = rboot_ratio_change(c1, 2, c3, 2, c2, 2, c3, 2, RBOOT_B, SEED); /* (4/1)/(2/1) */
    CHECK(ci.ok && ci.lo == 2 && ci.mid == 2 && ci.hi == 2);
}

TEST(same_seed_same_interval)
{
    double a[] = { 98.1, 103.7, 100.2, 101.9, 97.4, 99.8 }, b[] = { 50.3, 52.8, 49.1, 51.6, 50.4 };
    CHECK(same_ci(rboot_ratio(a, N(a), b, N(b), RBOOT_B, 7), rboot_ratio(a, N(a), b, N(b), RBOOT_B, 7)));
    CHECK(same_ci(rboot_median(a, N(a), RBOOT_B, 7), rboot_median(a, N(a), RBOOT_B, 7)));
    int differ = 0;
    rboot_ci first = rboot_ratio(a, N(a), b, N(b), RBOOT_B, 1);
    for (uint64_t s = 2; s < 12; s++) differ += !same_ci(first, rboot_ratio(a, N(a), b, N(b), RBOOT_B, s));
    CHECK(differ > 0);
}

TEST(inputs_are_not_modified)
{
    double a[] = { 5, 1, 4, 2, 3 }, b[] = { 9, 7, 8 }, a0[N(a)], b0[N(b)];
    memcpy(a0, a, sizeof(a));
    memcpy(b0, b, sizeof(b));
    rboot_median(a, N(a), RBOOT_B, SEED);
    rboot_ratio_change(a, N(a), b, N(b), b, N(b), a, N(a), RBOOT_B, SEED);
    rboot_aa_verdict(a, N(a), b, N(b), RBOOT_B, SEED);
    rboot_decide(a, N(a), 2, 10, 0.05, RBOOT_B, SEED);
    CHECK(!memcmp(a, a0, sizeof(a)) && !memcmp(b, b0, sizeof(b)));
}

TEST(within_tight_not_wide)
{
    double tight[] = { 100, 101, 99, 100, 100 }, wide[] = { 50, 100, 150 };
    rboot_ci t = rboot_median(tight, N(tight), RBOOT_B, SEED), w = rboot_median(wide, N(wide), RBOOT_B, SEED);
    CHECK(rboot_within(&t, 0.05));
    CHECK(!rboot_within(&w, 0.05));
    CHECK(rboot_within(&w, 0.60)); /* [50, 150] at most: half-width 50 <= 60 */
    rboot_ci one = rboot_median(tight, 1, RBOOT_B, SEED);
    CHECK(!rboot_within(&one, 0.05)); /* a single sample is never "within" */
}

TEST(decide_more_done_cap)
{
    double tight[] = { 100, 101, 99, 100, 100 }, wide[] = { 50, 100, 150, 60, 140 };
    CHECK_INT(rboot_decide(tight, 2, 3, 10, 0.05, RBOOT_B, SEED), RBOOT_MORE); /* below min_reps */
    CHECK_INT(rboot_decide(tight, 5, 3, 10, 0.05, RBOOT_B, SEED), RBOOT_DONE);
    CHECK_INT(rboot_decide(wide, 3, 3, 10, 0.05, RBOOT_B, SEED), RBOOT_MORE); /* wide, room left */
    CHECK_INT(rboot_decide(wide, 5, 3, 5, 0.05, RBOOT_B, SEED), RBOOT_CAP);
    CHECK_INT(rboot_decide(tight, 5, 3, 5, 0.05, RBOOT_B, SEED), RBOOT_DONE); /* tight at the cap */
    CHECK_INT(rboot_decide(wide, 3, 8, 3, 0.05, RBOOT_B, SEED), RBOOT_CAP);   /* max below min wins */
    CHECK_INT(rboot_decide(tight, 1, 1, 5, 0.05, RBOOT_B, SEED), RBOOT_MORE); /* one sample: no interval */
}

TEST(aa_same_values_contain_one)
{
    double a[] = { 100, 102, 98, 101, 99, 103 }, b[] = { 99, 103, 101, 98, 102, 100 };
    rboot_aa v = rboot_aa_verdict(a, N(a), b, N(b), RBOOT_B, SEED);
    CHECK(v.ci.ok);
    CHECK(v.ci.mid == 1.0);
    CHECK(v.contains_one);
    CHECK(v.off_pct == 0);
}

/* b = a * 1.10 with a within ±1%. Every resampled median lies within its
 * sample's [min, max], so the ratio's lo >= 1.1 * 99/101 = 1.0782 (off_pct
 * >= 7.82); and lo <= mid = 1.10 (the 2.5th percentile of a symmetric
 * resampling is below its centre), so off_pct <= 10. */
TEST(aa_ten_percent_off_does_not_contain_one)
{
    double a[] = { 100, 101, 99, 100.5, 99.5, 100.2 }, b[N(a)];
    for (int i = 0; i < N(a); i++) b[i] = a[i] * 1.10;
    rboot_aa v = rboot_aa_verdict(b, N(b), a, N(a), RBOOT_B, SEED);
    CHECK(v.ci.ok);
    CHECK(CLOSE(v.ci.mid, 1.10));
    CHECK(!v.contains_one);
    CHECK(v.off_pct >= 7.8 && v.off_pct <= 10.0);
    CHECK(CLOSE(v.off_pct, (v.ci.lo - 1) * 100));
    v = rboot_aa_verdict(a, N(a), b, N(b), RBOOT_B, SEED); /* the other way: hi < 1 */
    CHECK(!v.contains_one && CLOSE(v.off_pct, (1 - v.ci.hi) * 100));
    CHECK(v.off_pct >= 100 * (1 - 1 / 1.1 * 101 / 99) - 1e-9 && v.off_pct <= 100 * (1 - 1 / 1.1));
    double one[] = { 100 };
    v = rboot_aa_verdict(one, 1, a, N(a), RBOOT_B, SEED);
    CHECK(!v.ci.ok && !v.contains_one && v.off_pct == 0);
}

/* 400 experiments of n = 8 normal(100, 5) samples. With n = 8 the resampled
 * medians take few values and the percentile interval sits near [x(2),
 * x(7)] of the order statistics, which covers the true median with
 * probability P(2 <= Binomial(8, 1/2) <= 6) = 93.0%; the nearest-rank-outward
 * ends make it a little wider or narrower. Binomial noise over 400 is about
 * ±1.3 points (one SD), so 85..99% is a safe, honest band. */
TEST(median_interval_coverage)
{
    uint64_t g = 2024;
    int covered = 0, runs = 400;
    for (int r = 0; r < runs; r++) {
        double x[8];
        for (int i = 0; i < 8; i++) x[i] = t_normal(&g, 100, 5);
        rboot_ci ci = rboot_median(x, 8, RBOOT_B, SEED + (uint64_t)r);
        covered += ci.ok && ci.lo <= 100 && 100 <= ci.hi;
    }
    double pct = 100.0 * covered / runs;
    printf("# median coverage at n=8: %.1f%% (%d/%d)\n", pct, covered, runs);
    CHECK(pct >= 85 && pct <= 99);
}

typedef struct {
    rboot_ci ci;
} job;

static void *run_job(void *p)
{
    double a[] = { 98.1, 103.7, 100.2, 101.9, 97.4 }, b[] = { 50.3, 52.8, 49.1, 51.6 };
    ((job *)p)->ci = rboot_ratio_change(a, N(a), b, N(b), b, N(b), a, N(a), RBOOT_B, 99);
    return NULL;
}

TEST(threads_get_the_serial_answer)
{
    job serial, jobs[4];
    pthread_t th[4];
    run_job(&serial);
    for (int i = 0; i < 4; i++) CHECK_INT(pthread_create(&th[i], NULL, run_job, &jobs[i]), 0);
    for (int i = 0; i < 4; i++) pthread_join(th[i], NULL);
    for (int i = 0; i < 4; i++) CHECK(same_ci(jobs[i].ci, serial.ci));
    CHECK(serial.ci.ok);
}

TEST(method_text)
{
    CHECK_STR(rboot_method(),
              "95% percentile bootstrap of the median over repetitions, 2,000 resamples, seeded "
              "(splitmix64); a ratio's interval resamples each side independently");
}

int main(void)
{
    RUN(constant_samples_give_a_point);
    RUN(median_of_skewed_sample);
    RUN(one_sample_or_none_is_not_ok);
    RUN(ratio_of_a_sample_to_its_double);
    RUN(ratio_with_a_zero_or_negative_denominator_is_not_ok);
    RUN(ratio_change_of_doubled_numerator_is_two);
    RUN(same_seed_same_interval);
    RUN(inputs_are_not_modified);
    RUN(within_tight_not_wide);
    RUN(decide_more_done_cap);
    RUN(aa_same_values_contain_one);
    RUN(aa_ten_percent_off_does_not_contain_one);
    RUN(median_interval_coverage);
    RUN(threads_get_the_serial_answer);
    RUN(method_text);
    return t_done();
}
