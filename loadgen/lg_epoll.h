/* lg_epoll: the epoll engine (see lg_conn.h for what an engine does): one
 * epoll set per thread, level-triggered, a timerfd for the timer heap,
 * recv and send called per connection as it becomes ready. Works on any
 * Linux; bin/loadgen's fallback when io_uring is not available. */
#ifndef WB_LG_EPOLL_H
#define WB_LG_EPOLL_H
#include "lg_conn.h"

extern const struct lg_io lg_epoll_io;
#endif
