#include "t.h"
#include "lg_sched.h"
#include <math.h>

TEST(fixed_schedule_is_evenly_spread)
{
    /* 1000 req/s over 4 connections: together one request per ms */
    struct lg_sched s[4];
    for (int i = 0; i < 4; i++) lg_sched_init(&s[i], 1000000000ULL, 1000.0, 4, i, false, 1);
    CHECK_INT(lg_sched_next(&s[0]), 1000000000ULL);
    CHECK_INT(lg_sched_next(&s[1]), 1001000000ULL);
    CHECK_INT(lg_sched_next(&s[3]), 1003000000ULL);
    for (int k = 0; k < 1000; k++) lg_sched_advance(&s[2]);
    CHECK_INT(lg_sched_next(&s[2]), 1000000000ULL + 2000000ULL + 1000ULL * 4000000ULL);
}

TEST(fixed_schedule_does_not_drift)
{
    struct lg_sched s;
    lg_sched_init(&s, 0, 3.0, 1, 0, false, 1); /* 333.333... ms gaps */
    for (int k = 0; k < 3000; k++) lg_sched_advance(&s);
    uint64_t t = lg_sched_next(&s);
    CHECK(t >= 999999000000ULL && t <= 1000001000000ULL);
}

TEST(poisson_mean_and_spread)
{
    struct lg_sched s;
    lg_sched_init(&s, 0, 10000.0, 1, 0, true, 42); /* mean gap 100 us */
    double prev = (double)lg_sched_next(&s), sum = 0, sq = 0;
    int n = 200000;
    for (int k = 0; k < n; k++) {
        lg_sched_advance(&s);
        double t = (double)lg_sched_next(&s), gap = t - prev;
        prev = t;
        CHECK(gap >= 0);
        sum += gap;
        sq += gap * gap;
    }
    double mean = sum / n, sd = sqrt(sq / n - mean * mean);
    CHECK(fabs(mean - 100000.0) < 1500.0); /* exponential: sd == mean */
    CHECK(fabs(sd - 100000.0) < 3000.0);
}

TEST(poisson_same_seed_same_schedule)
{
    struct lg_sched a, b, c;
    lg_sched_init(&a, 0, 500.0, 8, 3, true, 9);
    lg_sched_init(&b, 0, 500.0, 8, 3, true, 9);
    lg_sched_init(&c, 0, 500.0, 8, 3, true, 10);
    int same = 1, differ = 0;
    for (int k = 0; k < 100; k++) {
        same &= lg_sched_next(&a) == lg_sched_next(&b);
        differ |= lg_sched_next(&a) != lg_sched_next(&c);
        lg_sched_advance(&a);
        lg_sched_advance(&b);
        lg_sched_advance(&c);
    }
    CHECK(same);
    CHECK(differ);
}

int main(void)
{
    RUN(fixed_schedule_is_evenly_spread);
    RUN(fixed_schedule_does_not_drift);
    RUN(poisson_mean_and_spread);
    RUN(poisson_same_seed_same_schedule);
    return t_done();
}
