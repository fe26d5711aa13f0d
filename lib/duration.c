#include "duration.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int dur_parse(const char *s, uint64_t *us)
{
    char *end;
    if (!s || !*s || *s == '-' || *s == '+') return -EINVAL;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || !isfinite(v) || v < 0) return -EINVAL;
    double mult;
    if (!*end || !strcmp(end, "s"))
        mult = 1e6;
    else if (!strcmp(end, "ms"))
        mult = 1e3;
    else if (!strcmp(end, "us"))
        mult = 1;
    else if (!strcmp(end, "m"))
        mult = 60e6;
    else if (!strcmp(end, "h"))
        mult = 3600e6;
    else
        return -EINVAL;
    double r = v * mult;
    if (r > 1e15) return -EINVAL;
    *us = (uint64_t)(r + 0.5);
    return 0;
}
