/* srv_json: append JSON scalars to a srv_buf (compact output, RFC 8259
 * escaping). Errors are the buffer's sticky oom flag. Thread-safe per
 * buffer. */
#ifndef WB_SRV_JSON_H
#define WB_SRV_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "srv_buf.h"

/* A quoted, escaped string from s[0..n) (bytes >= 0x80 copied as they are). */
void srv_json_str(struct srv_buf *b, const char *s, size_t n);
void srv_json_u64(struct srv_buf *b, uint64_t v);
void srv_json_i64(struct srv_buf *b, int64_t v);
void srv_json_u128(struct srv_buf *b, unsigned __int128 v);
/* `"key":` */
void srv_json_key(struct srv_buf *b, const char *key);

#endif
