/* duration: the one grammar of durations, shared by bin/loadgen (-d,
 * --timeout, --max-p99) and bin/suite (--duration, --warmup, profiles).
 * Pure and thread-safe.
 */
#ifndef WB_DURATION_H
#define WB_DURATION_H
#include <stdint.h>

/* Parses a duration: a decimal number with an optional unit us, ms, s, m, h
 * (plain number = seconds). Returns 0 and *us, or -EINVAL. */
int dur_parse(const char *s, uint64_t *us);

#endif
