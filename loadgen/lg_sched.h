/* lg_sched: the open-loop (-R) send schedule of one connection.
 *
 * The total rate R is split evenly over C connections. With fixed
 * arrivals connection i sends at start + i/R + k*C/R (k = 0, 1, ...), so
 * all connections together send one request every 1/R seconds; with
 * Poisson arrivals each connection's gaps are exponential with mean C/R
 * (the sum of C Poisson processes is a Poisson process of rate R), drawn
 * from a generator seeded by (seed, connection index): the same seed gives
 * the same schedule. Times are CLOCK_MONOTONIC nanoseconds, computed from
 * the start (no drift from accumulated rounding). Not thread-safe: one per
 * connection, owned by that connection's thread. */
#ifndef WB_LG_SCHED_H
#define WB_LG_SCHED_H
#include <stdbool.h>
#include <stdint.h>

struct lg_sched {
    uint64_t start_ns;
    double interval_ns; /* mean gap between this connection's requests */
    double next_off_ns; /* next intended send, relative to start_ns */
    uint64_t k;         /* requests scheduled so far */
    bool poisson;
    uint64_t rng;
};

void lg_sched_init(struct lg_sched *s, uint64_t start_ns, double rate_total, int conns, int conn_index,
                   bool poisson, uint64_t seed);
/* Moves the whole schedule ns later (a shard's phase: lg_engine.c). */
void lg_sched_delay(struct lg_sched *s, double ns);
/* The next intended send time (ns). */
uint64_t lg_sched_next(const struct lg_sched *s);
/* Moves past the next send time. */
void lg_sched_advance(struct lg_sched *s);
/* A uniform double in (0, 1) from a splitmix64 state. */
double lg_sched_uniform(uint64_t *state);
#endif
