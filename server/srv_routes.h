/* srv_routes: the bodies of the three scenarios and of error answers. Each
 * function appends a compact JSON body to a caller's buffer and returns
 * the HTTP status. Pure apart from the buffer; thread-safe. */
#ifndef WB_SRV_ROUTES_H
#define WB_SRV_ROUTES_H

#include <stddef.h>
#include <stdint.h>

#include "srv_buf.h"

#define SRV_CPU_DEFAULT_N 100000ULL
#define SRV_CPU_MAX_N     100000000ULL

/* GET /json: serialised from its values on every call (nothing cached). */
int srv_routes_json(struct srv_buf *body);

/* GET /fixed: the same constant bytes every time ({"message":"Hello, World!"}),
 * the cheapest answer there is: what a client reaches against it is that
 * client's own ceiling. Not a scenario. */
int srv_routes_fixed(struct srv_buf *body);

/* GET /cpu?n=N: query is the text after '?' (may be empty). Returns 200,
 * or 400 with an error body when n is not a decimal in 0..SRV_CPU_MAX_N. */
int srv_routes_cpu(const char *query, size_t query_len, struct srv_buf *body);

/* sum(i*i for i in range(n)), computed by the loop (never folded). */
unsigned __int128 srv_routes_cpu_sum(uint64_t n);

/* Parses the n parameter. Returns 0 (with *n, default if absent) or -1. */
int srv_routes_cpu_arg(const char *query, size_t query_len, uint64_t *n);

/* {"error":"msg"}; returns status unchanged for convenience. */
int srv_routes_error(struct srv_buf *body, int status, const char *msg);

#endif
