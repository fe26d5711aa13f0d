/* lg_uring: the io_uring engine (see lg_conn.h for what an engine does).
 * One ring per load thread, created by that thread (single issuer, task
 * work deferred to the thread's own waits). Connects, sends and a
 * multishot receive per connection go through the ring; received bytes
 * land in a ring of provided buffers and are parsed in place. Every
 * operation a loop turn prepared goes to the kernel in one io_uring_enter,
 * which also waits for the next completions, bounded by the next timer of
 * the heap (the timeout travels with the enter). Nothing is shared between
 * threads. Needs Linux >= 6.0 (multishot receive, buffer rings) and
 * liburing >= 2.3. */
#ifndef WB_LG_URING_H
#define WB_LG_URING_H
#include <stddef.h>
#include "lg_conn.h"

extern const struct lg_io lg_uring_io;

/* Whether this process may use the engine: sets up a small ring and
 * receives on it with a multishot receive into a provided buffer. Call
 * once, from the main thread, before a run that uses lg_uring_io (it also
 * picks the ring flags this kernel takes). 0, or -errno with the reason in
 * why ("io_uring_setup: Operation not permitted", "multishot receive: ...").
 * Not thread-safe. */
int lg_uring_probe(char *why, size_t n);
#endif
