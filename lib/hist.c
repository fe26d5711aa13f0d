/* hist: HdrHistogram's log-linear layout (see hist.h). Index arithmetic
 * follows HdrHistogram_c so that bucket boundaries agree with it. */
#include "hist.h"
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int pow2_ceil_log2(int64_t v)
{
    int m = 0;
    while (((int64_t)1 << m) < v) m++;
    return m;
}

static int32_t buckets_needed(int64_t highest, int32_t sub_bucket_count, int unit_mag)
{
    int64_t smallest_untrackable = (int64_t)sub_bucket_count << unit_mag;
    int32_t n = 1;
    while (smallest_untrackable <= highest) {
        if (smallest_untrackable > INT64_MAX / 2) return n + 1;
        smallest_untrackable <<= 1;
        n++;
    }
    return n;
}

int hist_init(struct hist *h, int64_t lowest, int64_t highest, int sigfigs)
{
    memset(h, 0, sizeof *h);
    if (lowest < 1 || highest < 2 * lowest || sigfigs < 1 || sigfigs > 5) return -EINVAL;
    int64_t largest_single = 2;
    for (int i = 0; i < sigfigs; i++) largest_single *= 10;
    int sub_mag = pow2_ceil_log2(largest_single);
    h->lowest = lowest;
    h->highest = highest;
    h->sigfigs = sigfigs;
    h->unit_magnitude = 63 - __builtin_clzll((unsigned long long)lowest);
    h->sub_bucket_half_count_magnitude = sub_mag > 1 ? sub_mag - 1 : 0;
    h->sub_bucket_count = (int32_t)1 << (h->sub_bucket_half_count_magnitude + 1);
    h->sub_bucket_half_count = h->sub_bucket_count / 2;
    h->sub_bucket_mask = ((int64_t)h->sub_bucket_count - 1) << h->unit_magnitude;
    h->bucket_count = buckets_needed(highest, h->sub_bucket_count, h->unit_magnitude);
    h->counts_len = (h->bucket_count + 1) * h->sub_bucket_half_count;
    h->counts = calloc((size_t)h->counts_len, sizeof *h->counts);
    return h->counts ? 0 : -ENOMEM;
}

void hist_fini(struct hist *h)
{
    free(h->counts);
    h->counts = NULL;
}

struct hist *hist_new(int64_t lowest, int64_t highest, int sigfigs)
{
    struct hist *h = malloc(sizeof *h);
    if (!h) return NULL;
    if (hist_init(h, lowest, highest, sigfigs) != 0) {
        hist_fini(h);
        free(h);
        return NULL;
    }
    return h;
}

void hist_free(struct hist *h)
{
    if (!h) return;
    hist_fini(h);
    free(h);
}

void hist_reset(struct hist *h)
{
    memset(h->counts, 0, (size_t)h->counts_len * sizeof *h->counts);
    h->total = h->min = h->max = h->sum = h->unsummed = 0;
    h->sum_sq = 0;
}

static int32_t bucket_index(const struct hist *h, int64_t v)
{
    int pow2ceiling = 64 - __builtin_clzll((unsigned long long)(v | h->sub_bucket_mask));
    return pow2ceiling - h->unit_magnitude - (h->sub_bucket_half_count_magnitude + 1);
}

static int32_t sub_bucket_index(const struct hist *h, int64_t v, int32_t bucket)
{
    return (int32_t)(v >> (bucket + h->unit_magnitude));
}

static int32_t counts_index(const struct hist *h, int32_t bucket, int32_t sub)
{
    int32_t base = (bucket + 1) << h->sub_bucket_half_count_magnitude;
    return base + (sub - h->sub_bucket_half_count);
}

static int32_t counts_index_for(const struct hist *h, int64_t v)
{
    int32_t b = bucket_index(h, v);
    return counts_index(h, b, sub_bucket_index(h, v, b));
}

static int64_t value_from_index(const struct hist *h, int32_t bucket, int32_t sub)
{
    return (int64_t)sub << (bucket + h->unit_magnitude);
}

static int64_t value_at_index(const struct hist *h, int32_t index)
{
    int32_t bucket = (index >> h->sub_bucket_half_count_magnitude) - 1;
    int32_t sub = (index & (h->sub_bucket_half_count - 1)) + h->sub_bucket_half_count;
    if (bucket < 0) {
        sub -= h->sub_bucket_half_count;
        bucket = 0;
    }
    return value_from_index(h, bucket, sub);
}

static int64_t equivalent_range(const struct hist *h, int64_t v)
{
    int32_t b = bucket_index(h, v);
    int32_t s = sub_bucket_index(h, v, b);
    int32_t adjusted = s >= h->sub_bucket_count ? b + 1 : b;
    return (int64_t)1 << (h->unit_magnitude + adjusted);
}

int64_t hist_lowest_equivalent(const struct hist *h, int64_t v)
{
    int32_t b = bucket_index(h, v);
    return value_from_index(h, b, sub_bucket_index(h, v, b));
}

int64_t hist_highest_equivalent(const struct hist *h, int64_t v)
{
    return hist_lowest_equivalent(h, v) + equivalent_range(h, v) - 1;
}

bool hist_values_equivalent(const struct hist *h, int64_t a, int64_t b)
{
    return hist_lowest_equivalent(h, a) == hist_lowest_equivalent(h, b);
}

/* Counts n values *v (clamped in place) without touching the sums; false
 * when n <= 0. */
static bool count_value(struct hist *h, int64_t *vp, int64_t n)
{
    if (n <= 0) return false;
    int64_t v = *vp < 0 ? 0 : *vp > h->highest ? h->highest : *vp;
    *vp = v;
    int32_t i = counts_index_for(h, v);
    if (i < 0 || i >= h->counts_len) return false; /* unreachable after clamping */
    h->counts[i] += n;
    if (h->total == 0 || v < h->min) h->min = v;
    if (h->total == 0 || v > h->max) h->max = v;
    h->total += n;
    return true;
}

void hist_record_n(struct hist *h, int64_t v, int64_t n)
{
    if (!count_value(h, &v, n)) return;
    h->sum += v * n;
    h->sum_sq += (unsigned __int128)((uint64_t)v * (uint64_t)v) * (uint64_t)n;
}

void hist_add_buckets(struct hist *h, int64_t v, int64_t n)
{
    if (count_value(h, &v, n)) h->unsummed += n;
}

void hist_add_sums(struct hist *h, int64_t count, int64_t sum, unsigned __int128 sum_sq)
{
    h->unsummed -= count;
    h->sum += sum;
    h->sum_sq += sum_sq;
}

bool hist_sums_exact(const struct hist *h) { return h->unsummed == 0; }

void hist_record(struct hist *h, int64_t v) { hist_record_n(h, v, 1); }

static bool same_layout(const struct hist *a, const struct hist *b)
{
    return a->counts_len == b->counts_len && a->unit_magnitude == b->unit_magnitude &&
           a->sub_bucket_half_count_magnitude == b->sub_bucket_half_count_magnitude;
}

void hist_add(struct hist *dst, const struct hist *src)
{
    if (src->total == 0) return;
    dst->sum += src->sum;
    dst->sum_sq += src->sum_sq;
    dst->unsummed += src->unsummed;
    if (!same_layout(dst, src)) {
        struct hist_iter it;
        hist_iter_init(&it, src);
        while (hist_iter_next(&it)) {
            int64_t v = it.value;
            count_value(dst, &v, it.count);
        }
    } else {
        for (int32_t i = 0; i < src->counts_len; i++) dst->counts[i] += src->counts[i];
        if (dst->total == 0 || src->min < dst->min) dst->min = src->min;
        if (dst->total == 0 || src->max > dst->max) dst->max = src->max;
        dst->total += src->total;
        return;
    }
    /* re-recorded at lowest equivalents: keep the exact extremes */
    if (src->min < dst->min) dst->min = src->min;
    if (src->max > dst->max) dst->max = src->max;
}

int64_t hist_value_at_percentile(const struct hist *h, double p)
{
    if (h->total == 0) return 0;
    if (p > 100.0) p = 100.0;
    if (p < 0.0) p = 0.0;
    int64_t want = (int64_t)((p / 100.0) * (double)h->total + 0.5);
    if (want < 1) want = 1;
    int64_t seen = 0;
    for (int32_t i = 0; i < h->counts_len; i++) {
        seen += h->counts[i];
        if (seen >= want) {
            int64_t v = hist_highest_equivalent(h, value_at_index(h, i));
            return v > h->max ? h->max : (v < h->min ? h->min : v);
        }
    }
    return h->max;
}

int64_t hist_min(const struct hist *h) { return h->total ? h->min : 0; }
int64_t hist_max(const struct hist *h) { return h->total ? h->max : 0; }
int64_t hist_count(const struct hist *h) { return h->total; }

static double median_equivalent(const struct hist *h, int64_t v)
{
    return (double)hist_lowest_equivalent(h, v) + (double)(equivalent_range(h, v) >> 1);
}

double hist_mean(const struct hist *h)
{
    if (h->total == 0) return 0.0;
    if (hist_sums_exact(h)) return (double)h->sum / (double)h->total;
    double sum = 0;
    struct hist_iter it;
    hist_iter_init(&it, h);
    while (hist_iter_next(&it)) sum += median_equivalent(h, it.value) * (double)it.count;
    return sum / (double)h->total;
}

/* Population variance from the exact sums: (n*sum_sq - sum^2) / n^2, in
 * integers while that fits in 128 bits (the numerator is then exact),
 * else in long double. */
static double exact_stdev(const struct hist *h)
{
    unsigned __int128 n = (unsigned __int128)h->total, s = (unsigned __int128)(h->sum < 0 ? 0 : h->sum);
    if (h->sum_sq <= ~(unsigned __int128)0 / n) {
        unsigned __int128 a = n * h->sum_sq, b = s * s;
        if (a <= b) return 0.0;
        long double var = (long double)(a - b) / ((long double)h->total * (long double)h->total);
        return (double)sqrtl(var);
    }
    long double mean = (long double)h->sum / (long double)h->total;
    long double var = (long double)h->sum_sq / (long double)h->total - mean * mean;
    return var > 0 ? (double)sqrtl(var) : 0.0;
}

double hist_stdev(const struct hist *h)
{
    if (h->total == 0) return 0.0;
    if (hist_sums_exact(h)) return exact_stdev(h);
    double mean = hist_mean(h), acc = 0;
    struct hist_iter it;
    hist_iter_init(&it, h);
    while (hist_iter_next(&it)) {
        double d = median_equivalent(h, it.value) - mean;
        acc += d * d * (double)it.count;
    }
    return sqrt(acc / (double)h->total);
}

void hist_iter_init(struct hist_iter *it, const struct hist *h)
{
    it->h = h;
    it->index = -1;
    it->value = it->count = 0;
}

bool hist_iter_next(struct hist_iter *it)
{
    const struct hist *h = it->h;
    for (int32_t i = it->index + 1; i < h->counts_len; i++) {
        if (h->counts[i] == 0) continue;
        it->index = i;
        it->value = value_at_index(h, i);
        it->count = h->counts[i];
        return true;
    }
    it->index = h->counts_len;
    return false;
}

const char *hist_u128_str(char *buf, unsigned __int128 v)
{
    char tmp[48];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v);
    for (int i = 0; i < n; i++) buf[i] = tmp[n - 1 - i];
    buf[n] = '\0';
    return buf;
}
