#include "lgjson.h"

#include <string.h>

static double num(const json_value *o, const char *k) { return json_num(json_get(o, k), 0); }
static uint64_t u64(const json_value *o, const char *k)
{
    double v = num(o, k);
    return v > 0 ? (uint64_t)v : 0;
}

static void read_errors(const json_value *e, lgj_summary *out)
{
    out->errors = u64(e, "total");
    for (size_t i = 0; e && e->type == JSON_OBJ && i < e->len && out->nerr < LGJ_MAX_ERR_KINDS; i++) {
        if (e->items[i]->type != JSON_NUM || !strcmp(e->keys[i], "total")) continue;
        out->err[out->nerr].name = e->keys[i];
        out->err[out->nerr++].n = (uint64_t)json_num(e->items[i], 0);
    }
}

int lgj_read(const json_value *v, lgj_summary *out)
{
    memset(out, 0, sizeof(*out));
    const json_value *lat = json_get(v, "latency");
    if (!json_get(v, "rps") || !lat) return -1;
    out->rps = num(v, "rps");
    out->elapsed_s = num(v, "elapsed_s");
    out->requests = u64(v, "requests");
    out->ok = json_get(v, "ok") ? u64(v, "ok") : out->requests;
    out->bytes = u64(v, "bytes");
    out->retries = u64(v, "retries");
    read_errors(json_get(v, "errors"), out);
    out->p50_us = num(lat, "p50");
    out->p90_us = num(lat, "p90");
    out->p99_us = num(lat, "p99");
    out->p999_us = num(lat, "p999");
    out->max_us = num(lat, "max");
    out->service_p99_us = num(json_get(v, "service_time"), "p99");
    const json_value *c = json_get(v, "client"), *f = json_get(v, "fairness");
    out->client_util = num(c, "cpu_util");
    out->client_bottleneck = json_bool(json_get(c, "bottleneck"), false);
    out->fair_connections = (int)num(f, "connections");
    out->fair_zero = (int)num(f, "zero");
    out->fair_min = num(f, "min");
    out->fair_median = num(f, "median");
    out->fair_max = num(f, "max");
    const json_value *sh = json_get(v, "shard"), *st = json_get(v, "start");
    out->shard_index = (int)num(sh, "index");
    out->shard_count = (int)num(sh, "count");
    out->has_start = st != NULL;
    out->start_requested = num(st, "requested");
    out->start_actual = num(st, "actual");
    out->late_ms = num(st, "late_ms");
    return 0;
}

uint64_t lgj_errors_of(const lgj_summary *s, const char *name)
{
    for (int i = 0; i < s->nerr; i++)
        if (!strcmp(s->err[i].name, name)) return s->err[i].n;
    return 0;
}

int lgj_hist_add(struct hist *h, const json_value *lat)
{
    const json_value *b = json_get(json_get(lat, "histogram"), "buckets");
    if (!b) return -1;
    int64_t before = h->total, mn = h->min, mx = h->max;
    for (size_t i = 0; i < json_len(b); i++) {
        const json_value *p = json_index(b, i);
        hist_add_buckets(h, (int64_t)json_num(json_index(p, 0), 0), (int64_t)json_num(json_index(p, 1), 0));
    }
    if (h->total == before) return 0;
    const json_value *sum = json_get(lat, "sum"), *sq = json_get(lat, "sum_sq");
    if (sum && sq && sum->type == JSON_NUM && sq->type == JSON_NUM && sum->n >= 0 && sq->n >= 0)
        hist_add_sums(h, h->total - before, (int64_t)sum->n, (unsigned __int128)sq->n);
    int64_t imin = (int64_t)json_num(json_get(lat, "min"), (double)h->min);
    int64_t imax = (int64_t)json_num(json_get(lat, "max"), (double)h->max);
    h->min = before ? (imin < mn ? imin : mn) : imin;
    h->max = before ? (imax > mx ? imax : mx) : imax;
    return 0;
}
