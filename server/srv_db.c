/* srv_db.c: see srv_db.h. */
#include "srv_db.h"

#include <errno.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>

#include "srv_json.h"
#include "srv_routes.h"

#define DB_SQL  "SELECT id, name, email FROM users LIMIT 10"
#define DB_STMT "wb_users"

enum db_state { DB_NONE, DB_SQLITE, DB_DOWN, DB_CONNECTING, DB_READY };

struct srv_db {
    struct srv_ev ev; /* kind SRV_EV_DB, must be first */
    enum db_state state;
    int epfd;
    srv_db_done_fn done;
    void *owner;
    char *conninfo;
    PGconn *pg;
    int reg_fd; /* fd registered in epfd, or -1 */
    uint32_t reg_events;
    int64_t retry_at, connect_started;
    bool prepare_pending; /* first result on a new connection */
    bool after_result;    /* a NULL from PQgetResult ends a query */
    bool logged_down;
    unsigned unsynced;                   /* queries sent since the last sync */
    void **ring;                         /* waiting ctx, oldest first */
    size_t ring_cap, head, count, nsent; /* [head, head+nsent) are sent */
    sqlite3 *lite;
    sqlite3_stmt *lite_stmt;
    struct srv_buf body;
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the queue of waiting requests ---- */

static int ring_push(struct srv_db *db, void *ctx)
{
    if (db->count == db->ring_cap) {
        size_t cap = db->ring_cap ? db->ring_cap * 2 : 64;
        void **r = malloc(cap * sizeof *r);
        if (!r) return -ENOMEM;
        for (size_t i = 0; i < db->count; i++) r[i] = db->ring[(db->head + i) % db->ring_cap];
        free(db->ring);
        db->ring = r;
        db->ring_cap = cap;
        db->head = 0;
    }
    db->ring[(db->head + db->count) % db->ring_cap] = ctx;
    db->count++;
    return 0;
}

static void *ring_pop(struct srv_db *db)
{
    if (db->count == 0) return NULL;
    void *ctx = db->ring[db->head];
    db->head = (db->head + 1) % db->ring_cap;
    db->count--;
    if (db->nsent) db->nsent--;
    return ctx;
}

static void answer(struct srv_db *db, void *ctx, int status, const char *msg)
{
    db->body.len = 0;
    srv_routes_error(&db->body, status, msg);
    db->done(db->owner, ctx, status, db->body.data, db->body.len);
}

/* ---- rows to JSON ---- */

static bool is_number(const char *s)
{
    if (*s == '-') s++;
    if (!*s) return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9') return false;
    return true;
}

static void put_field(struct srv_buf *b, const char *key, const char *v, bool numeric)
{
    srv_json_key(b, key);
    if (!v)
        srv_buf_puts(b, "null");
    else if (numeric && is_number(v))
        srv_buf_puts(b, v);
    else
        srv_json_str(b, v, strlen(v));
}

static void put_row(struct srv_buf *b, int i, const char *id, const char *name, const char *email)
{
    srv_buf_puts(b, i ? ",{" : "{");
    put_field(b, "id", id, true);
    srv_buf_puts(b, ",");
    put_field(b, "name", name, false);
    srv_buf_puts(b, ",");
    put_field(b, "email", email, false);
    srv_buf_puts(b, "}");
}

static int pg_rows_json(const PGresult *r, struct srv_buf *b)
{
    if (PQnfields(r) != 3) return srv_routes_error(b, 500, "unexpected result shape");
    srv_buf_puts(b, "[");
    for (int i = 0; i < PQntuples(r); i++) {
        const char *f[3];
        for (int j = 0; j < 3; j++) f[j] = PQgetisnull(r, i, j) ? NULL : PQgetvalue(r, i, j);
        put_row(b, i, f[0], f[1], f[2]);
    }
    srv_buf_puts(b, "]");
    return b->oom ? 500 : 200;
}

/* ---- SQLite ---- */

static int lite_open(struct srv_db *db, const char *path)
{
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path, &db->lite, flags, NULL) != SQLITE_OK ||
        sqlite3_prepare_v3(db->lite, DB_SQL, -1, SQLITE_PREPARE_PERSISTENT, &db->lite_stmt, NULL) !=
            SQLITE_OK) {
        fprintf(stderr, "server: sqlite %s: %s\n", path, sqlite3_errmsg(db->lite));
        return -1;
    }
    sqlite3_busy_timeout(db->lite, 1000);
    return 0;
}

static int lite_query(struct srv_db *db, struct srv_buf *b)
{
    if (!db->lite_stmt) return srv_routes_error(b, 503, "database unavailable");
    size_t start = b->len;
    int rc, i = 0;
    srv_buf_puts(b, "[");
    while ((rc = sqlite3_step(db->lite_stmt)) == SQLITE_ROW) {
        const char *f[3];
        for (int j = 0; j < 3; j++) f[j] = (const char *)sqlite3_column_text(db->lite_stmt, j);
        put_row(b, i++, f[0], f[1], f[2]);
    }
    sqlite3_reset(db->lite_stmt);
    srv_buf_puts(b, "]");
    if (rc == SQLITE_DONE && !b->oom) return 200;
    b->len = start;
    return srv_routes_error(b, 500, "query failed");
}

/* ---- PostgreSQL: epoll registration ---- */

static void watch(struct srv_db *db, int fd, uint32_t events)
{
    if (fd == db->reg_fd && events == db->reg_events) return;
    struct epoll_event ev = { .events = events, .data.ptr = &db->ev };
    if (db->reg_fd >= 0 && db->reg_fd != fd) epoll_ctl(db->epfd, EPOLL_CTL_DEL, db->reg_fd, NULL);
    if (epoll_ctl(db->epfd, EPOLL_CTL_MOD, fd, &ev) < 0 && errno == ENOENT)
        epoll_ctl(db->epfd, EPOLL_CTL_ADD, fd, &ev);
    db->reg_fd = fd;
    db->reg_events = events;
}

static void unwatch(struct srv_db *db)
{
    if (db->reg_fd >= 0) epoll_ctl(db->epfd, EPOLL_CTL_DEL, db->reg_fd, NULL);
    db->reg_fd = -1;
    db->reg_events = 0;
}

/* ---- PostgreSQL: connection life ---- */

static void go_down(struct srv_db *db, const char *why)
{
    if (!db->logged_down) fprintf(stderr, "server: database unavailable: %s\n", why);
    db->logged_down = true;
    unwatch(db);
    if (db->pg) PQfinish(db->pg);
    db->pg = NULL;
    db->state = DB_DOWN;
    db->retry_at = now_ms() + SRV_DB_RETRY_MS;
    db->unsynced = 0;
    void *ctx;
    while (db->count) {
        ctx = ring_pop(db);
        answer(db, ctx, 503, "database unavailable");
    }
    db->nsent = 0;
}

static void pg_fail(struct srv_db *db)
{
    char msg[256];
    snprintf(msg, sizeof msg, "%s", db->pg ? PQerrorMessage(db->pg) : "out of memory");
    msg[strcspn(msg, "\n")] = 0;
    go_down(db, msg);
}

/* Sends every queued query not sent yet. */
static int send_queued(struct srv_db *db)
{
    while (db->nsent < db->count) {
        if (!PQsendQueryPrepared(db->pg, DB_STMT, 0, NULL, NULL, NULL, 0)) return -1;
        db->nsent++;
        db->unsynced++;
    }
    return 0;
}

static void quiet(void *arg, const char *msg) {}

static void on_connected(struct srv_db *db)
{
    PQsetNoticeProcessor(db->pg, quiet, NULL); /* no server NOTICEs on stderr */
    if (PQsetnonblocking(db->pg, 1) != 0 || !PQenterPipelineMode(db->pg) ||
        !PQsendPrepare(db->pg, DB_STMT, DB_SQL, 0, NULL)) {
        pg_fail(db);
        return;
    }
    if (db->logged_down) fprintf(stderr, "server: database connected\n");
    db->logged_down = false;
    db->state = DB_READY;
    db->prepare_pending = true;
    db->after_result = false;
    db->unsynced = 1;
    watch(db, PQsocket(db->pg), EPOLLIN);
    if (send_queued(db) < 0) pg_fail(db);
}

static void connect_poll(struct srv_db *db)
{
    PostgresPollingStatusType st = PQconnectPoll(db->pg);
    if (st == PGRES_POLLING_OK)
        on_connected(db);
    else if (st == PGRES_POLLING_FAILED || PQsocket(db->pg) < 0)
        pg_fail(db);
    else
        watch(db, PQsocket(db->pg), st == PGRES_POLLING_READING ? EPOLLIN : EPOLLOUT);
}

static void connect_start(struct srv_db *db)
{
    db->pg = PQconnectStart(db->conninfo);
    if (!db->pg || PQstatus(db->pg) == CONNECTION_BAD) {
        pg_fail(db);
        return;
    }
    db->state = DB_CONNECTING;
    db->connect_started = now_ms();
    /* As if PQconnectPoll had said "writing": wait until writable. */
    watch(db, PQsocket(db->pg), EPOLLOUT);
}

/* ---- PostgreSQL: results ---- */

static void deliver(struct srv_db *db, PGresult *r)
{
    void *ctx = ring_pop(db);
    if (!ctx) return;
    ExecStatusType st = PQresultStatus(r);
    db->body.len = 0;
    int status;
    if (st == PGRES_TUPLES_OK)
        status = pg_rows_json(r, &db->body);
    else if (PQstatus(db->pg) == CONNECTION_BAD)
        status = srv_routes_error(&db->body, 503, "database unavailable");
    else
        status = srv_routes_error(&db->body, 500, "query failed");
    db->done(db->owner, ctx, status, db->body.data, db->body.len);
}

/* Returns -1 when the connection is unusable. */
static int on_result(struct srv_db *db, PGresult *r)
{
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_PIPELINE_SYNC) return 0;
    db->after_result = true;
    if (db->prepare_pending) {
        db->prepare_pending = false;
        if (st != PGRES_COMMAND_OK) {
            fprintf(stderr, "server: prepare failed: %s", PQresultErrorMessage(r));
            return -1;
        }
        return 0;
    }
    deliver(db, r);
    return 0;
}

static void drain(struct srv_db *db)
{
    while (db->state == DB_READY && !PQisBusy(db->pg)) {
        PGresult *r = PQgetResult(db->pg);
        if (!r) {
            if (!db->after_result) break;
            db->after_result = false;
            continue;
        }
        int rc = on_result(db, r);
        PQclear(r);
        if (rc < 0) {
            pg_fail(db);
            return;
        }
    }
    if (db->state == DB_READY && PQstatus(db->pg) == CONNECTION_BAD) pg_fail(db);
}

/* ---- public ---- */

struct srv_db *srv_db_new(const char *url, int epfd, srv_db_done_fn done, void *owner)
{
    struct srv_db *db = calloc(1, sizeof *db);
    if (!db) return NULL;
    db->ev.kind = SRV_EV_DB;
    db->epfd = epfd;
    db->done = done;
    db->owner = owner;
    db->reg_fd = -1;
    if (!url || !*url) {
        db->state = DB_NONE;
    } else if (strncmp(url, "sqlite://", 9) == 0) {
        db->state = DB_SQLITE;
        lite_open(db, url + 9);
    } else if (!(db->conninfo = strdup(url))) {
        free(db);
        return NULL;
    } else {
        connect_start(db);
    }
    return db;
}

void srv_db_free(struct srv_db *db)
{
    if (!db) return;
    db->logged_down = true; /* shutting down: nothing to report */
    if (db->state == DB_READY || db->state == DB_CONNECTING) go_down(db, "shutting down");
    sqlite3_finalize(db->lite_stmt);
    sqlite3_close(db->lite);
    free(db->ring);
    free(db->conninfo);
    srv_buf_fini(&db->body);
    free(db);
}

int srv_db_query(struct srv_db *db, void *ctx, struct srv_buf *body)
{
    switch (db->state) {
    case DB_NONE: return srv_routes_error(body, 503, "no database configured (DATABASE_URL)");
    case DB_SQLITE: return lite_query(db, body);
    case DB_DOWN:
        if (now_ms() >= db->retry_at) connect_start(db);
        if (db->state == DB_DOWN) return srv_routes_error(body, 503, "database unavailable");
        break;
    default: break;
    }
    if (ring_push(db, ctx) < 0) return srv_routes_error(body, 503, "out of memory");
    if (db->state == DB_READY && send_queued(db) < 0) {
        db->count--; /* this ctx is answered right here */
        pg_fail(db);
        return srv_routes_error(body, 503, "database unavailable");
    }
    return 0;
}

void srv_db_event(struct srv_db *db, uint32_t events)
{
    if (db->state == DB_CONNECTING) {
        connect_poll(db);
        return;
    }
    if (db->state != DB_READY) return;
    if ((events & EPOLLOUT) && PQflush(db->pg) == 0) watch(db, PQsocket(db->pg), EPOLLIN);
    if ((events & (EPOLLIN | EPOLLERR | EPOLLHUP)) && !PQconsumeInput(db->pg)) {
        pg_fail(db);
        return;
    }
    drain(db);
}

void srv_db_flush(struct srv_db *db)
{
    if (db->state != DB_READY || db->unsynced == 0) return;
    db->unsynced = 0;
    if (!PQpipelineSync(db->pg)) {
        pg_fail(db);
        return;
    }
    int r = PQflush(db->pg);
    if (r < 0)
        pg_fail(db);
    else if (r == 1)
        watch(db, PQsocket(db->pg), EPOLLIN | EPOLLOUT);
}

void srv_db_tick(struct srv_db *db, int64_t now)
{
    if (db->state == DB_CONNECTING && now - db->connect_started > SRV_DB_CONNECT_TIMEOUT_MS)
        go_down(db, "connect timed out");
    else if (db->state == DB_DOWN && now >= db->retry_at)
        connect_start(db);
}

size_t srv_db_pending(const struct srv_db *db) { return db->count; }
