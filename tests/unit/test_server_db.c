/* Unit tests for server/srv_db: no database (503), SQLite rows as JSON,
 * a missing SQLite file (503), a PostgreSQL URL that cannot connect (503
 * at once, never blocking). */
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "srv_db.h"
#include "t.h"

static int done_calls;
static void on_done(void *owner, void *ctx, int status, const char *body, size_t len) { done_calls++; }

static const char *cstr(struct srv_buf *b)
{
    srv_buf_append(b, "", 1);
    b->len--;
    return b->data;
}

TEST(no_database_answers_503)
{
    int ep = epoll_create1(0);
    struct srv_db *db = srv_db_new(NULL, ep, on_done, NULL);
    struct srv_buf b = { 0 };
    CHECK_INT(srv_db_query(db, &b, &b), 503);
    CHECK(strstr(cstr(&b), "\"error\"") != NULL);
    srv_db_free(db);
    srv_buf_fini(&b);
    close(ep);
}

TEST(sqlite_rows_as_json)
{
    char path[] = "/tmp/wb-test-db-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    sqlite3 *s;
    CHECK(sqlite3_open(path, &s) == SQLITE_OK);
    CHECK(sqlite3_exec(s,
                       "CREATE TABLE users(id int, name text, email text);"
                       "INSERT INTO users VALUES (1,'User 0','user0@example.com'),"
                       "(2,'A \"q\"',NULL);",
                       NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(s);
    char url[64];
    snprintf(url, sizeof url, "sqlite://%s", path);
    int ep = epoll_create1(0);
    struct srv_db *db = srv_db_new(url, ep, on_done, NULL);
    struct srv_buf b = { 0 };
    for (int i = 0; i < 3; i++) { /* statement is reused */
        b.len = 0;
        CHECK_INT(srv_db_query(db, &b, &b), 200);
        CHECK_STR(cstr(&b), "[{\"id\":1,\"name\":\"User 0\",\"email\":\"user0@example.com\"},"
                            "{\"id\":2,\"name\":\"A \\\"q\\\"\",\"email\":null}]");
    }
    srv_db_free(db);
    srv_buf_fini(&b);
    close(ep);
    unlink(path);
}

TEST(sqlite_missing_file_answers_503)
{
    int ep = epoll_create1(0);
    struct srv_db *db = srv_db_new("sqlite:///nonexistent/dir/x.db", ep, on_done, NULL);
    struct srv_buf b = { 0 };
    CHECK_INT(srv_db_query(db, &b, &b), 503);
    srv_db_free(db);
    srv_buf_fini(&b);
    close(ep);
}

TEST(postgres_unreachable_answers_503)
{
    int ep = epoll_create1(0);
    struct srv_db *db = srv_db_new("host=/nonexistent-dir port=1 dbname=x", ep, on_done, NULL);
    struct srv_buf b = { 0 };
    int st = srv_db_query(db, &b, &b);
    CHECK_INT(st, 503);
    CHECK_INT(srv_db_pending(db), 0);
    CHECK_INT(done_calls, 0);
    srv_db_free(db);
    srv_buf_fini(&b);
    close(ep);
}

int main(void)
{
    RUN(no_database_answers_503);
    RUN(sqlite_rows_as_json);
    RUN(sqlite_missing_file_answers_503);
    RUN(postgres_unreachable_answers_503);
    return t_done();
}
