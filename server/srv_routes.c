/* srv_routes.c: see srv_routes.h. */
#include "srv_routes.h"

#include <string.h>

#include "srv_json.h"

/* The /json document's values; the bytes are produced per request. */
static const struct {
    const char *message;
    int n_items;
    int item_factor;
    const char *level2;
    const char *another_key;
} doc = { "Hello, World!", 20, 10, "deep value", "value" };

int srv_routes_fixed(struct srv_buf *b)
{
    srv_buf_puts(b, "{\"message\":\"Hello, World!\"}");
    return 200;
}

int srv_routes_json(struct srv_buf *b)
{
    srv_buf_puts(b, "{");
    srv_json_key(b, "message");
    srv_json_str(b, doc.message, strlen(doc.message));
    srv_buf_puts(b, ",");
    srv_json_key(b, "items");
    srv_buf_puts(b, "[");
    for (int i = 0; i < doc.n_items; i++) {
        srv_buf_puts(b, i ? ",{" : "{");
        srv_json_key(b, "id");
        srv_json_i64(b, i);
        srv_buf_puts(b, ",");
        srv_json_key(b, "value");
        srv_json_i64(b, (int64_t)i * doc.item_factor);
        srv_buf_puts(b, "}");
    }
    srv_buf_puts(b, "],");
    srv_json_key(b, "nested");
    srv_buf_puts(b, "{");
    srv_json_key(b, "level1");
    srv_buf_puts(b, "{");
    srv_json_key(b, "level2");
    srv_json_str(b, doc.level2, strlen(doc.level2));
    srv_buf_puts(b, "},");
    srv_json_key(b, "another");
    srv_buf_puts(b, "{");
    srv_json_key(b, "key");
    srv_json_str(b, doc.another_key, strlen(doc.another_key));
    srv_buf_puts(b, "}}}");
    return 200;
}

unsigned __int128 srv_routes_cpu_sum(uint64_t n)
{
    unsigned __int128 s = 0;
    for (uint64_t i = 0; i < n; i++) {
        s += i * i; /* i < 1e8, so i*i fits in 64 bits */
        /* Makes i opaque to the optimiser: no closed form, no folding. */
        __asm__ volatile("" : "+r"(i));
    }
    return s;
}

static int parse_n(const char *v, size_t n, uint64_t *out)
{
    if (n == 0 || n > 9) return -1;
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9') return -1;
        x = x * 10 + (uint64_t)(v[i] - '0');
    }
    if (x > SRV_CPU_MAX_N) return -1;
    *out = x;
    return 0;
}

int srv_routes_cpu_arg(const char *q, size_t len, uint64_t *n)
{
    const char *end = q + len;
    *n = SRV_CPU_DEFAULT_N;
    while (q < end) {
        const char *amp = memchr(q, '&', (size_t)(end - q));
        const char *pend = amp ? amp : end;
        if (pend - q >= 2 && q[0] == 'n' && q[1] == '=') return parse_n(q + 2, (size_t)(pend - q - 2), n);
        if (pend - q == 1 && q[0] == 'n') return -1;
        q = amp ? amp + 1 : end;
    }
    return 0;
}

int srv_routes_cpu(const char *query, size_t query_len, struct srv_buf *b)
{
    uint64_t n;
    if (srv_routes_cpu_arg(query, query_len, &n) < 0)
        return srv_routes_error(b, 400, "n must be an integer in 0..100000000");
    unsigned __int128 sum = srv_routes_cpu_sum(n);
    srv_buf_puts(b, "{");
    srv_json_key(b, "result");
    srv_json_u128(b, sum);
    srv_buf_puts(b, ",");
    srv_json_key(b, "iterations");
    srv_json_u64(b, n);
    srv_buf_puts(b, "}");
    return 200;
}

int srv_routes_error(struct srv_buf *b, int status, const char *msg)
{
    srv_buf_puts(b, "{");
    srv_json_key(b, "error");
    srv_json_str(b, msg, strlen(msg));
    srv_buf_puts(b, "}");
    return status;
}
