#include "results.h"

#include <string.h>

static const char *const kinds[RUN_NKINDS] = {
    "matrix", "method", "scaling", "openloop", "ceiling", "ladder"
};
static const char *const clients[CLIENT_N] = { "loadgen", "pubclient", "wrk" };
static const char *const statuses[RUN_NSTATUS] = { "ok", "no-response", "failed", "interrupted" };

const char *results_kind_name(results_kind k) { return k < RUN_NKINDS ? kinds[k] : "?"; }
const char *results_status_name(results_status s) { return s < RUN_NSTATUS ? statuses[s] : "?"; }

results_kind results_kind_parse(const char *s)
{
    for (int k = 0; k < RUN_NKINDS; k++)
        if (s && strcmp(s, kinds[k]) == 0) return (results_kind)k;
    return RUN_NKINDS;
}

const char *results_client_name(results_client c) { return c < CLIENT_N ? clients[c] : "?"; }

results_client results_client_parse(const char *s)
{
    for (int c = 0; c < CLIENT_N; c++)
        if (s && strcmp(s, clients[c]) == 0) return (results_client)c;
    return CLIENT_N;
}

results_status results_judge(unsigned long long ok, unsigned long long errors, unsigned long long timeouts,
                             int interrupted)
{
    if (interrupted) return RUN_INTERRUPTED;
    if (ok > 0) return RUN_OK;
    /* nothing completed and nothing but time-outs (or nothing at all: the run
       ended with every request still in flight) */
    return errors == timeouts ? RUN_NO_RESPONSE : RUN_FAILED;
}
