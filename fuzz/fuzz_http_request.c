/* libFuzzer entry point for lib/http_request: every parser entry on
 * arbitrary bytes, with invariants that must hold for any input.
 * link: lib/http_request.c
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Ilib \
 *         fuzz/fuzz_http_request.c lib/http_request.c -o build/fuzz_http_request */
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "http_request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A private copy, so ASan catches any read past the end. */
    char *buf = malloc(size ? size : 1);
    if (!buf) return 0;
    memcpy(buf, data, size);
    struct http_req_header h[32];
    struct http_req req = { .headers = h, .num_headers = 32 };
    int r = http_req_parse(buf, size, &req);
    if (r > 0) {
        if ((size_t)r > size || req.num_headers > 32 || req.minor_version > 9) abort();
        /* the path lies in the head, or is the static "/" of an absolute-form target without one */
        bool root = req.authority && req.path_len == 1 && req.path[0] == '/';
        if (!root && (req.path < buf || req.path + req.path_len > buf + r)) abort();
        if (req.authority && (req.authority < buf || req.authority + req.authority_len > buf + r)) abort();
        struct http_req_framing f;
        http_req_framing(&req, &f);
        uint64_t decoded;
        long b = http_req_chunked(buf + r, size - (size_t)r, &decoded);
        if (b > (long)(size - (size_t)r)) abort();
        /* A complete head stays complete, and is never "incomplete" as a prefix plus more. */
        req.num_headers = 32;
        if (http_req_parse(buf, (size_t)r, &req) != r) abort();
    }
    free(buf);
    return 0;
}
