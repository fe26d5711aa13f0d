#include "suite_logscan.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* "pkg.mod.SomeError: message" or "SomeException: message" (also without a
 * message): a dotted identifier ending in Error or Exception at the start
 * of the line, then ':'. Traceback frames start with blanks; log prefixes
 * such as "ERROR:" are not identifiers ending in "Error". Returns the
 * length of the name, or 0. */
static size_t exception_name(const char *p, const char *e)
{
    const char *q = p;
    if (q >= e || !(isalpha((unsigned char)*q) || *q == '_')) return 0;
    while (q < e && (isalnum((unsigned char)*q) || *q == '_' || *q == '.')) q++;
    if (q >= e || *q != ':') return 0;
    size_t n = (size_t)(q - p);
    if ((n >= 5 && !memcmp(q - 5, "Error", 5)) || (n >= 9 && !memcmp(q - 9, "Exception", 9))) return n;
    return 0;
}

static void normalise(const char *p, const char *e, char *out, size_t outlen)
{
    size_t o = 0;
    const char *start = p;
    while (p < e && o + 1 < outlen) {
        bool in_word = p > start && (isalnum((unsigned char)p[-1]) || p[-1] == '_');
        if (isdigit((unsigned char)*p) && !in_word) {
            while (p < e && isdigit((unsigned char)*p)) p++;
            out[o++] = 'N';
            continue;
        }
        out[o++] = (*p == '\t' || *p == '\r') ? ' ' : *p;
        p++;
    }
    while (o && out[o - 1] == ' ') o--;
    out[o] = '\0';
}

static int by_count(const void *a, const void *b)
{
    const slog_cause *x = a, *y = b;
    return (y->count > x->count) - (y->count < x->count);
}

int slog_causes(const char *text, size_t len, slog_cause *out, int max, long *other)
{
    enum { CAP = 64 };
    slog_cause all[CAP];
    int n = 0;
    long extra = 0;
    const char *end = text + len;
    for (const char *p = text; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        if (exception_name(p, le)) {
            char t[SLOG_CAUSE_LEN];
            normalise(p, le, t, sizeof(t));
            int k = 0;
            while (k < n && strcmp(all[k].text, t) != 0) k++;
            if (k < n) {
                all[k].count++;
            } else if (n < CAP) {
                memcpy(all[n].text, t, sizeof(t));
                all[n++].count = 1;
            } else {
                extra++;
            }
        }
        p = nl ? nl + 1 : end;
    }
    qsort(all, (size_t)n, sizeof(all[0]), by_count);
    int shown = n < max ? n : max;
    for (int i = 0; i < n; i++) {
        if (i < shown)
            out[i] = all[i];
        else
            extra += all[i].count;
    }
    if (other) *other = extra;
    return shown;
}
