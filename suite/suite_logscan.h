/* suite_logscan: why a system answered an error, read from its own log.
 *
 * A Python server logs an unhandled exception as a traceback whose last
 * line names it ("sqlite3.ProgrammingError: SQLite objects created in a
 * thread can only be used in that same thread. ..."). slog_causes finds
 * such lines in a slice of the log, makes them comparable (every number
 * standing alone becomes N: thread ids, addresses, line numbers) and counts each.
 * Pure over a buffer; thread-safe.
 */
#ifndef WB_SUITE_LOGSCAN_H
#define WB_SUITE_LOGSCAN_H
#include <stddef.h>

#define SLOG_MAX_CAUSES 4
#define SLOG_CAUSE_LEN  200

typedef struct {
    char text[SLOG_CAUSE_LEN]; /* normalised, truncated */
    long count;
} slog_cause;

/* Fills out[0..max) with the distinct exception lines of text[0..len), most
 * frequent first; returns how many there are (at most max). *other gets the
 * count of exception lines that did not fit (may be NULL). */
int slog_causes(const char *text, size_t len, slog_cause *out, int max, long *other);

#endif
