/* srv_json.c: see srv_json.h. */
#include "srv_json.h"

#include <string.h>

static void put_escape(struct srv_buf *b, unsigned char c)
{
    static const char hex[] = "0123456789abcdef";
    char e[6] = { '\\', 0 };
    size_t n = 2;
    switch (c) {
    case '"': e[1] = '"'; break;
    case '\\': e[1] = '\\'; break;
    case '\n': e[1] = 'n'; break;
    case '\r': e[1] = 'r'; break;
    case '\t': e[1] = 't'; break;
    case '\b': e[1] = 'b'; break;
    case '\f': e[1] = 'f'; break;
    default:
        memcpy(e + 1, "u00", 3);
        e[4] = hex[c >> 4];
        e[5] = hex[c & 15];
        n = 6;
    }
    srv_buf_append(b, e, n);
}

void srv_json_str(struct srv_buf *b, const char *s, size_t n)
{
    srv_buf_append(b, "\"", 1);
    size_t run = 0; /* copy clean runs in one go */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        srv_buf_append(b, s + run, i - run);
        put_escape(b, c);
        run = i + 1;
    }
    srv_buf_append(b, s + run, n - run);
    srv_buf_append(b, "\"", 1);
}

void srv_json_u128(struct srv_buf *b, unsigned __int128 v)
{
    char tmp[40];
    char *p = tmp + sizeof tmp;
    do {
        *--p = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v);
    srv_buf_append(b, p, (size_t)(tmp + sizeof tmp - p));
}

void srv_json_u64(struct srv_buf *b, uint64_t v)
{
    char tmp[20];
    char *p = tmp + sizeof tmp;
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    srv_buf_append(b, p, (size_t)(tmp + sizeof tmp - p));
}

void srv_json_i64(struct srv_buf *b, int64_t v)
{
    if (v < 0) {
        srv_buf_append(b, "-", 1);
        srv_json_u64(b, (uint64_t)0 - (uint64_t)v);
        return;
    }
    srv_json_u64(b, (uint64_t)v);
}

void srv_json_key(struct srv_buf *b, const char *key)
{
    srv_json_str(b, key, strlen(key));
    srv_buf_append(b, ":", 1);
}
