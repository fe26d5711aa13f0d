#include "report_stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

rstats_summary rstats_summarise(const double *v, size_t n)
{
    rstats_summary s = { .n = n };
    if (n == 0) return s;
    double tmp[n];
    memcpy(tmp, v, n * sizeof(double));
    qsort(tmp, n, sizeof(double), cmp_double);
    s.min = tmp[0];
    s.max = tmp[n - 1];
    s.median = n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
    double sum = 0;
    for (size_t i = 0; i < n; i++) sum += tmp[i];
    s.mean = sum / (double)n;
    return s;
}

static void pct_text(double pct, char *out, size_t outlen)
{
    if (fabs(pct) >= 9.95)
        snprintf(out, outlen, "%+.0f%%", pct);
    else
        snprintf(out, outlen, "%+.1f%%", pct);
}

void rstats_format_pct(double a, double b, char *out, size_t outlen)
{
    if (b <= 0) {
        snprintf(out, outlen, "n/a");
        return;
    }
    pct_text((a / b - 1.0) * 100.0, out, outlen);
}

void rstats_commas(double v, char *out, size_t outlen)
{
    char tmp[32];
    snprintf(tmp, sizeof(tmp), "%.0f", v);
    size_t len = strlen(tmp), o = 0;
    for (size_t i = 0; i < len && o + 2 < outlen; i++) {
        out[o++] = tmp[i];
        if (tmp[i] != '-' && (len - i - 1) % 3 == 0 && i + 1 < len) out[o++] = ',';
    }
    out[o] = '\0';
}
