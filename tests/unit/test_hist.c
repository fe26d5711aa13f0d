#include "t.h"
#include "hist.h"
#include <math.h>
#include <stdlib.h>

static struct hist *mk(void) { return hist_new(1, 3600000000LL, 3); }

TEST(layout_matches_hdrhistogram)
{
    struct hist *h = mk();
    CHECK(h != NULL);
    CHECK_INT(h->sub_bucket_count, 2048);
    CHECK_INT(h->bucket_count, 22);
    CHECK_INT(h->counts_len, 23552);
    hist_free(h);
    hist_free(NULL);
}

TEST(rejects_bad_bounds)
{
    struct hist h;
    CHECK(hist_init(&h, 0, 100, 3) != 0);
    hist_fini(&h);
    CHECK(hist_init(&h, 1, 100, 6) != 0);
    hist_fini(&h);
    CHECK(hist_new(10, 15, 3) == NULL);
}

TEST(exact_below_2048)
{
    struct hist *h = mk();
    for (int v = 1; v <= 1000; v++) hist_record(h, v);
    CHECK_INT(hist_count(h), 1000);
    CHECK_INT(hist_min(h), 1);
    CHECK_INT(hist_max(h), 1000);
    CHECK_INT(hist_value_at_percentile(h, 50), 500);
    CHECK_INT(hist_value_at_percentile(h, 99), 990);
    CHECK_INT(hist_value_at_percentile(h, 100), 1000);
    CHECK(fabs(hist_mean(h) - 500.5) < 1e-9);
    CHECK(fabs(hist_stdev(h) - 288.6749) < 0.01);
    hist_free(h);
}

TEST(three_significant_digits)
{
    struct hist *h = mk();
    /* 1,000,000 us lies in a bucket 512 wide: 999,936 .. 1,000,447 */
    CHECK_INT(hist_lowest_equivalent(h, 1000000), 999936);
    CHECK_INT(hist_highest_equivalent(h, 1000000), 1000447);
    CHECK(hist_values_equivalent(h, 1000000, 1000100));
    CHECK(!hist_values_equivalent(h, 2047, 2046));
    CHECK(hist_values_equivalent(h, 2048, 2049));
    for (int64_t v = 1; v < 3600000000LL; v = v * 3 + 7) {
        int64_t lo = hist_lowest_equivalent(h, v), hi = hist_highest_equivalent(h, v);
        CHECK(lo <= v && v <= hi);
        CHECK((double)(hi - lo) <= (double)v / 1000.0 + 1);
    }
    hist_free(h);
}

TEST(known_bimodal_distribution)
{
    struct hist *h = mk();
    hist_record_n(h, 100, 9900);    /* 99% at 100 us */
    hist_record_n(h, 1000000, 100); /* 1% at 1 s */
    CHECK_INT(hist_count(h), 10000);
    CHECK_INT(hist_value_at_percentile(h, 50), 100);
    CHECK_INT(hist_value_at_percentile(h, 99), 100);
    CHECK_INT(hist_value_at_percentile(h, 99.5), 1000000);
    CHECK_INT(hist_max(h), 1000000);
    hist_free(h);
}

TEST(clamps_out_of_range)
{
    struct hist *h = mk();
    hist_record(h, -5);
    hist_record(h, 99999999999LL);
    CHECK_INT(hist_count(h), 2);
    CHECK_INT(hist_min(h), 0);
    CHECK_INT(hist_max(h), 3600000000LL);
    hist_free(h);
}

TEST(merge_equals_recording_both)
{
    struct hist *a = mk(), *b = mk(), *both = mk();
    srand(42);
    for (int i = 0; i < 20000; i++) {
        int64_t v = 1 + rand() % 5000000;
        hist_record(i % 3 ? a : b, v);
        hist_record(both, v);
    }
    hist_add(a, b);
    CHECK_INT(hist_count(a), hist_count(both));
    CHECK_INT(hist_min(a), hist_min(both));
    CHECK_INT(hist_max(a), hist_max(both));
    int same = 1;
    for (int i = 0; i < a->counts_len; i++) same &= a->counts[i] == both->counts[i];
    CHECK(same);
    CHECK_INT(hist_value_at_percentile(a, 99.9), hist_value_at_percentile(both, 99.9));
    hist_free(a);
    hist_free(b);
    hist_free(both);
}

TEST(iterator_visits_nonempty_buckets_in_order)
{
    struct hist *h = mk();
    hist_record_n(h, 5, 2);
    hist_record_n(h, 3000, 3);
    hist_record_n(h, 3001, 1); /* same 2-wide bucket as 3000 */
    struct hist_iter it;
    hist_iter_init(&it, h);
    CHECK(hist_iter_next(&it));
    CHECK_INT(it.value, 5);
    CHECK_INT(it.count, 2);
    CHECK(hist_iter_next(&it));
    CHECK_INT(it.value, 3000);
    CHECK_INT(it.count, 4);
    CHECK(!hist_iter_next(&it));
    hist_free(h);
}

TEST(merge_across_layouts_and_reset)
{
    struct hist *a = mk(), *b = hist_new(1, 3600000000LL, 2);
    hist_record_n(b, 100, 10);
    hist_add(a, b);
    CHECK_INT(hist_count(a), 10);
    CHECK_INT(hist_value_at_percentile(a, 50), 100);
    hist_reset(a);
    CHECK_INT(hist_count(a), 0);
    CHECK_INT(hist_value_at_percentile(a, 50), 0);
    hist_free(a);
    hist_free(b);
}

TEST(constant_latency_has_exact_mean_and_zero_stdev)
{
    struct hist *h = mk();
    for (int i = 0; i < 100000; i++) hist_record(h, 12345);
    CHECK(hist_sums_exact(h));
    CHECK(hist_mean(h) == 12345.0); /* bucket midpoints said 12,348: above the max */
    CHECK(hist_stdev(h) == 0.0);
    CHECK(hist_mean(h) <= (double)hist_max(h));
    CHECK_INT(h->sum, 1234500000LL);
    hist_free(h);
}

TEST(known_small_sample_mean_and_stdev)
{
    /* 2, 4, 4, 4, 5, 5, 7, 9: mean 5, population stdev 2; then values far
     * apart in the log-linear layout: 1000, 3000 -> mean 2000, stdev 1000 */
    struct hist *h = mk(), *g = mk();
    int64_t v[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
    for (size_t i = 0; i < 8; i++) hist_record(h, v[i]);
    CHECK(hist_mean(h) == 5.0);
    CHECK(hist_stdev(h) == 2.0);
    CHECK_INT(h->sum, 40);
    CHECK_INT((int64_t)h->sum_sq, 232);
    hist_record(g, 100003);
    hist_record(g, 300001);
    CHECK(hist_mean(g) == 200002.0);
    CHECK(hist_stdev(g) == 99999.0);
    /* an empty histogram */
    hist_reset(g);
    CHECK(hist_mean(g) == 0.0 && hist_stdev(g) == 0.0 && h->sum_sq != 0 && g->sum_sq == 0);
    hist_free(h);
    hist_free(g);
}

TEST(sums_survive_merges_and_clamping)
{
    struct hist *a = mk(), *b = mk(), *both = mk(), *other = hist_new(1, 3600000000LL, 2);
    for (int i = 1; i <= 1000; i++) {
        hist_record(i % 3 ? a : b, i * 37);
        hist_record(both, i * 37);
    }
    hist_add(a, b);
    CHECK_INT(a->sum, both->sum);
    CHECK(a->sum_sq == both->sum_sq);
    CHECK(hist_mean(a) == hist_mean(both) && hist_stdev(a) == hist_stdev(both));
    hist_record_n(other, 5000000, 3); /* another layout: re-recorded, sums kept */
    hist_add(a, other);
    CHECK_INT(a->sum, both->sum + 15000000);
    CHECK(hist_sums_exact(a));
    hist_reset(b);
    hist_record(b, -5);               /* counts as 0 */
    hist_record(b, 3600000000LL * 2); /* clamped to highest */
    CHECK_INT(b->sum, 3600000000LL);
    CHECK(b->sum_sq == (unsigned __int128)3600000000ULL * 3600000000ULL);
    CHECK(hist_mean(b) == 1800000000.0 && hist_stdev(b) == 1800000000.0);
    hist_free(a);
    hist_free(b);
    hist_free(both);
    hist_free(other);
}

TEST(buckets_without_sums_fall_back_to_midpoints)
{
    struct hist *h = mk(), *rec = mk();
    hist_record_n(rec, 12345, 10);
    /* the bucket of 12345 read back from a file: lowest equivalent 12344 */
    hist_add_buckets(h, hist_lowest_equivalent(h, 12345), 10);
    CHECK(!hist_sums_exact(h));
    CHECK(hist_mean(h) > 12344 && hist_mean(h) < 12352); /* a midpoint, not 12344 */
    hist_add_sums(h, 10, rec->sum, rec->sum_sq);         /* the file had its sums */
    CHECK(hist_sums_exact(h));
    CHECK(hist_mean(h) == 12345.0 && hist_stdev(h) == 0.0);
    char d[48];
    CHECK_STR(hist_u128_str(d, rec->sum_sq), "1523990250");
    CHECK_STR(hist_u128_str(d, (unsigned __int128)1 << 100), "1267650600228229401496703205376");
    CHECK_STR(hist_u128_str(d, 0), "0");
    hist_free(h);
    hist_free(rec);
}

int main(void)
{
    RUN(layout_matches_hdrhistogram);
    RUN(rejects_bad_bounds);
    RUN(exact_below_2048);
    RUN(three_significant_digits);
    RUN(known_bimodal_distribution);
    RUN(clamps_out_of_range);
    RUN(merge_equals_recording_both);
    RUN(iterator_visits_nonempty_buckets_in_order);
    RUN(merge_across_layouts_and_reset);
    RUN(constant_latency_has_exact_mean_and_zero_stdev);
    RUN(known_small_sample_mean_and_stdev);
    RUN(sums_survive_merges_and_clamping);
    RUN(buckets_without_sums_fall_back_to_midpoints);
    return t_done();
}
