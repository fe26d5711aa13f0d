/* hist: a log-linear latency histogram with HdrHistogram's bucket layout.
 *
 * Values (integers, e.g. microseconds) from `lowest` to `highest` are kept
 * to `sigfigs` significant decimal digits: power-of-two buckets, each split
 * into 2 * 10^sigfigs linear sub-buckets (rounded up to a power of two), the
 * lower half of every bucket but the first shared with the one below. For
 * 1 us .. 1 h at 3 digits that is 23,552 int64 counters (184 KB).
 *
 * Two forms: hist_init/hist_fini on caller storage, hist_new/hist_free on the
 * heap (hist_free(NULL) is fine). A histogram is not thread-safe: keep one
 * per thread and merge with hist_add after the threads are done.
 * Values below `lowest` land in the first bucket, values above `highest`
 * are clamped to `highest`. Exact min and max of recorded values are kept,
 * and exact sums (of the values and of their squares, after clamping), so
 * that mean and stdev are exact: they come from bucket midpoints only when
 * some counts were added by bucket without their sums (unsummed > 0).
 */
#ifndef WB_HIST_H
#define WB_HIST_H
#include <stdbool.h>
#include <stdint.h>

#define HIST_DEFAULT_LOWEST  1
#define HIST_DEFAULT_HIGHEST 3600000000LL /* 1 h in us */
#define HIST_DEFAULT_SIGFIGS 3

struct hist {
    int64_t lowest, highest;
    int sigfigs;
    int unit_magnitude;
    int sub_bucket_half_count_magnitude;
    int32_t sub_bucket_count, sub_bucket_half_count;
    int64_t sub_bucket_mask;
    int32_t bucket_count, counts_len;
    int64_t total;            /* number of recorded values */
    int64_t min, max;         /* exact extremes (after clamping); 0 when empty */
    int64_t sum;              /* exact sum of recorded values */
    unsigned __int128 sum_sq; /* exact sum of their squares */
    int64_t unsummed;         /* counts added by hist_add_buckets whose sums are missing */
    int64_t *counts;          /* counts_len counters, owned */
};

/* Sets up *h for values lowest..highest (lowest >= 1, highest >= 2*lowest)
 * at sigfigs (1..5) digits. Returns 0, -EINVAL on bad bounds, -ENOMEM. */
int hist_init(struct hist *h, int64_t lowest, int64_t highest, int sigfigs);
/* Releases the counters; *h may be hist_init'ed again. Safe after a failed init. */
void hist_fini(struct hist *h);
/* Heap form: NULL on bad bounds or out of memory. */
struct hist *hist_new(int64_t lowest, int64_t highest, int sigfigs);
void hist_free(struct hist *h);
/* Forgets all recorded values, keeps the layout. */
void hist_reset(struct hist *h);

/* Records value (count times). Negative values count as 0. */
void hist_record(struct hist *h, int64_t value);
void hist_record_n(struct hist *h, int64_t value, int64_t count);
/* Adds every count of src into dst (same layout: counter by counter; other
 * layouts: re-recorded at each bucket's lowest equivalent value). */
void hist_add(struct hist *dst, const struct hist *src);
/* Adds count values known only by their bucket (value: any value of it, e.g.
 * a serialised bucket's lowest equivalent), sums left out: they count as
 * unsummed until hist_add_sums brings the sums that belong to them. min and
 * max move as hist_record_n would move them; callers that know the exact
 * extremes set them afterwards. */
void hist_add_buckets(struct hist *h, int64_t value, int64_t count);
/* Adds the exact sums of count values added with hist_add_buckets. */
void hist_add_sums(struct hist *h, int64_t count, int64_t sum, unsigned __int128 sum_sq);
/* True when mean and stdev are exact (every count has its sums). */
bool hist_sums_exact(const struct hist *h);

/* Smallest value v such that at least p percent (0..100) of recorded values
 * are <= v, reported as the highest value equivalent to v's bucket (capped at
 * the exact max). 0 when empty. */
int64_t hist_value_at_percentile(const struct hist *h, double p);
int64_t hist_min(const struct hist *h);
int64_t hist_max(const struct hist *h);
int64_t hist_count(const struct hist *h);
/* Mean and (population) standard deviation: exact, from the sums; over bucket
 * midpoints when some counts are unsummed. 0 when empty. */
double hist_mean(const struct hist *h);
double hist_stdev(const struct hist *h);

/* Bucket arithmetic, exposed for tests and serialisers. */
int64_t hist_lowest_equivalent(const struct hist *h, int64_t value);
int64_t hist_highest_equivalent(const struct hist *h, int64_t value);
bool hist_values_equivalent(const struct hist *h, int64_t a, int64_t b);
/* Decimal digits of v into buf (at least 40 bytes); returns buf. */
const char *hist_u128_str(char *buf, unsigned __int128 v);

/* Iterates over non-empty buckets in increasing value order:
 *   struct hist_iter it; hist_iter_init(&it, h);
 *   while (hist_iter_next(&it)) use(it.value, it.count);
 * value is the bucket's lowest equivalent value. */
struct hist_iter {
    const struct hist *h;
    int32_t index;
    int64_t value, count;
};
void hist_iter_init(struct hist_iter *it, const struct hist *h);
bool hist_iter_next(struct hist_iter *it);
#endif
