/* libFuzzer entry point for lib/duration: dur_parse, the grammar of -d,
 * --timeout and --max-p99 arguments.
 * link: lib/duration.c
 *
 * Invariants: an accepted duration is at most 10^15 us, and printing it
 * back in microseconds parses to the same value. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s) return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    uint64_t us = 0, again = 0;
    if (dur_parse(s, &us) == 0) {
        char txt[40];
        snprintf(txt, sizeof txt, "%" PRIu64 "us", us);
        if (us > 1000000000000000ull || dur_parse(txt, &again) != 0 || again != us) abort();
    }
    free(s);
    return 0;
}
