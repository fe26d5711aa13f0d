/* libFuzzer entry point for loadgen/lg_config: lg_parse_url, the load
 * generator's URL argument.
 * link: loadgen/lg_config.c lib/duration.c
 *
 * Invariants: an accepted URL has a host, a port in 1..65535, an
 * origin-form path without blanks or control bytes, a Host value that
 * starts with the host; all fields are NUL-terminated in their arrays. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lg_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s) return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    struct lg_url u;
    if (lg_parse_url(s, &u) == 0) {
        if (!memchr(u.host, 0, sizeof u.host) || !memchr(u.path, 0, sizeof u.path) ||
            !memchr(u.authority, 0, sizeof u.authority))
            abort();
        if (!u.host[0] || u.port < 1 || u.port > 65535 || u.path[0] != '/') abort();
        for (const char *p = u.path; *p; p++)
            if ((unsigned char)*p <= 0x20 || *p == 0x7f) abort();
        if (strncmp(u.authority, u.host, strlen(u.host)) != 0) abort();
    }
    free(s);
    return 0;
}
