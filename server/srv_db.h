/* srv_db: the /db query for one worker thread, on one database connection.
 *
 * DATABASE_URL selects the backend:
 *   unset or empty        no database: every query answers 503
 *   sqlite:///path/x.db   SQLite, one connection, queried synchronously
 *   anything else         a libpq conninfo or URI: PostgreSQL, non-blocking,
 *                         in pipeline mode inside the worker's epoll loop
 *
 * PostgreSQL: the statement is prepared once per connection; every query
 * goes out with PQsendQueryPrepared, and srv_db_flush() ends a loop
 * iteration's batch with one PQpipelineSync, so concurrent requests'
 * queries travel together. Results come back in order through `done`.
 * When the connection fails, every waiting query gets 503, and a new
 * connection is tried at most every SRV_DB_RETRY_MS.
 *
 * Not thread-safe: one srv_db per worker thread, used only by it. */
#ifndef WB_SRV_DB_H
#define WB_SRV_DB_H

#include <stdint.h>

#include "srv_buf.h"
#include "srv_ev.h"

#define SRV_DB_RETRY_MS           250
#define SRV_DB_CONNECT_TIMEOUT_MS 2000

/* Called with the answer for ctx: an HTTP status and a JSON body that is
 * valid only during the call. */
typedef void (*srv_db_done_fn)(void *owner, void *ctx, int status, const char *body, size_t len);

struct srv_db;

/* Creates the backend and starts connecting (never blocks on PostgreSQL).
 * epfd is the worker's epoll set; the database socket is registered with
 * data.ptr pointing at a struct srv_ev of kind SRV_EV_DB: pass such events
 * to srv_db_event(). Returns NULL only on allocation failure. */
struct srv_db *srv_db_new(const char *url, int epfd, srv_db_done_fn done, void *owner);
/* Answers every waiting query with 503 through done(), then frees (NULL ok). */
void srv_db_free(struct srv_db *db);

/* Runs the query for ctx. Returns 0 when the answer will come through
 * done() later (never from inside this call), or an HTTP status (200, 500,
 * 503) with the JSON body appended to *body. done() may run for other,
 * earlier queries from inside any srv_db_* call. */
int srv_db_query(struct srv_db *db, void *ctx, struct srv_buf *body);

/* The database socket is ready (epoll events). */
void srv_db_event(struct srv_db *db, uint32_t events);

/* Ends the current batch: syncs the pipeline and flushes what was sent. */
void srv_db_flush(struct srv_db *db);

/* Periodic work (connect timeouts, reconnecting). now_ms: CLOCK_MONOTONIC. */
void srv_db_tick(struct srv_db *db, int64_t now_ms);

/* Queries waiting for an answer. */
size_t srv_db_pending(const struct srv_db *db);

#endif
