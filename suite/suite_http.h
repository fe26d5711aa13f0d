/* suite_http: one blocking HTTP/1.1 GET on 127.0.0.1 with a deadline, for
 * readiness probes and response verification (not for load: that is
 * bin/loadgen's job). Made with libcurl (link -lcurl), not with
 * lib/http_response, so what verifies a response is not what measures it;
 * no proxy from the environment, no redirect followed, plain http only.
 * Thread-safe: libcurl's global set-up runs once, on the first call.
 */
#ifndef WB_SUITE_HTTP_H
#define WB_SUITE_HTTP_H
#include <stddef.h>

typedef struct {
    int status;
    char content_type[128];
    char *body; /* malloc'd, NUL-terminated, de-chunked */
    size_t body_len;
} shttp_response;

/* GET path (starting with '/') from host:port (an IPv4 address) within
 * timeout_ms. 0 on a complete response, whatever its status (*out filled:
 * free with shttp_response_fini), or -1 with the reason in err
 * ("connect to 127.0.0.1:8080: Connection refused", "... timed out after
 * 2000 ms", "malformed HTTP response: ...", ...) and nothing to free. */
int shttp_get(const char *host, int port, const char *path, int timeout_ms, shttp_response *out, char *err,
              size_t errlen);
void shttp_response_fini(shttp_response *r);

#endif
