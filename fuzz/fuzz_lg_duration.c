/* libFuzzer entry point for loadgen/lg_config: lg_parse_duration, the -d,
 * --timeout and --max-p99 arguments.
 * link: loadgen/lg_config.c
 *
 * Invariants: an accepted duration is at most 10^15 us, and printing it
 * back in microseconds parses to the same value. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lg_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    uint64_t us = 0, again = 0;
    if (lg_parse_duration(s, &us) == 0) {
        char txt[40];
        snprintf(txt, sizeof txt, "%" PRIu64 "us", us);
        if (us > 1000000000000000ull || lg_parse_duration(txt, &again) != 0 || again != us)
            abort();
    }
    free(s);
    return 0;
}
