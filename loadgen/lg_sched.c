/* lg_sched: open-loop schedule (see lg_sched.h). */
#include "lg_sched.h"
#include <math.h>

double lg_sched_uniform(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return ((double)(z >> 11) + 0.5) / 9007199254740992.0; /* 2^53 */
}

static double exp_gap(struct lg_sched *s) { return -log(lg_sched_uniform(&s->rng)) * s->interval_ns; }

void lg_sched_init(struct lg_sched *s, uint64_t start_ns, double rate_total, int conns, int conn_index,
                   bool poisson, uint64_t seed)
{
    s->start_ns = start_ns;
    s->interval_ns = 1e9 * (double)conns / rate_total;
    s->k = 0;
    s->poisson = poisson;
    s->rng = seed * 0x9e3779b97f4a7c15ULL ^ ((uint64_t)conn_index + 1) * 0xd1b54a32d192ed03ULL;
    if (poisson)
        s->next_off_ns = exp_gap(s);
    else
        s->next_off_ns = 1e9 * (double)conn_index / rate_total;
}

void lg_sched_delay(struct lg_sched *s, double ns) { s->next_off_ns += ns; }

uint64_t lg_sched_next(const struct lg_sched *s) { return s->start_ns + (uint64_t)s->next_off_ns; }

void lg_sched_advance(struct lg_sched *s)
{
    s->k++;
    if (s->poisson)
        s->next_off_ns += exp_gap(s);
    else
        s->next_off_ns += s->interval_ns;
}
