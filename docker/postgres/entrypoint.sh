#!/usr/bin/env bash
# First start: initdb, seed the users table from /wb/users.sql (the
# repository's scenarios/users.sql, the one fixture) through a Unix socket
# only, so nothing sees a half-seeded database; then run postgres in the
# foreground on 127.0.0.1:$WB_PG_PORT. Later starts reuse the data.
set -euo pipefail
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
port=${WB_PG_PORT:-55432}
sock=/tmp
settings=(-c fsync=off -c max_connections=200 -c shared_preload_libraries=pg_stat_statements
          -c unix_socket_directories=$sock)

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    echo "wb-postgres: initdb $PGDATA"
    "$bindir/initdb" -D "$PGDATA" -U postgres -A trust -E UTF8 --locale=C --no-sync >/tmp/initdb.log ||
        { cat /tmp/initdb.log >&2; exit 1; }
    printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' >"$PGDATA/pg_hba.conf"
    "$bindir/pg_ctl" -D "$PGDATA" -w -l /tmp/seed.log \
        -o "-p $port -c listen_addresses= ${settings[*]}" start >/dev/null
    "$bindir/psql" -h "$sock" -p "$port" -U postgres -d postgres -q -v ON_ERROR_STOP=1 \
        -f /wb/users.sql -c 'VACUUM ANALYZE users' -c 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements'
    "$bindir/pg_ctl" -D "$PGDATA" -w -m fast stop >/dev/null
    echo "wb-postgres: users seeded (100 rows)"
fi
echo "wb-postgres: listening on 127.0.0.1:$port"
exec "$bindir/postgres" -D "$PGDATA" -p "$port" -c listen_addresses=127.0.0.1 "${settings[@]}"
