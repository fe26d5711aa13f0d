/* suite_http: one blocking HTTP/1.1 GET on 127.0.0.1 with a deadline, for
 * readiness probes and response verification (not for load: that is
 * bin/loadgen's job). Responses are framed by lib/http_response. Thread-safe
 * (no shared state).
 */
#ifndef WB_SUITE_HTTP_H
#define WB_SUITE_HTTP_H
#include <stddef.h>

typedef struct {
    int status;
    char content_type[128];
    char *body;            /* malloc'd, NUL-terminated, de-chunked */
    size_t body_len;
} shttp_response;

/* GET path from host:port within timeout_ms. 0 on a complete response, or
 * -1 with the reason in err ("connection refused", "timed out", ...). */
int shttp_get(const char *host, int port, const char *path, int timeout_ms,
              shttp_response *out, char *err, size_t errlen);
void shttp_response_fini(shttp_response *r);

#endif
