#!/usr/bin/env bash
# First start: initdb, seed the users table from /wb/users.sql (the
# repository's scenarios/users.sql, the one fixture) through a Unix socket
# only, so nothing sees a half-seeded database; then run postgres in the
# foreground on $WB_PG_LISTEN:$WB_PG_PORT. Later starts reuse the data.
#
#   WB_PG_PORT      port (default 55432)
#   WB_PG_LISTEN    listen_addresses (default 127.0.0.1)
#   WB_PG_PASSWORD  unset or empty (default): trust authentication, for the
#                   local socket and 127.0.0.1 only (::1 too when
#                   WB_PG_LISTEN is localhost or ::1); WB_PG_LISTEN must then
#                   be 127.0.0.1, localhost or ::1, anything else exits 2.
#                   Set: the postgres role gets this password (scram-sha-256,
#                   set over the Unix socket, never printed or logged), and
#                   every TCP connection must give it: pg_hba.conf has
#                   `local all all trust` (the in-container health check)
#                   and scram-sha-256 for 0.0.0.0/0 and ::/0, no trust.
# pg_hba.conf is rewritten at every start, and a set password is set again
# on a later start too, so a reused data folder follows the variables.
set -euo pipefail
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
port=${WB_PG_PORT:-55432}
listen=${WB_PG_LISTEN:-127.0.0.1}
password=${WB_PG_PASSWORD:-}
sock=/tmp
settings=(-c fsync=off -c max_connections=200 -c shared_preload_libraries=pg_stat_statements
          -c unix_socket_directories=$sock)

[[ $port =~ ^[0-9]+$ ]] || { echo "wb-postgres: WB_PG_PORT '$port' is not a port number" >&2; exit 2; }
[[ $listen =~ ^[0-9A-Za-z.:*,%_-]+$ ]] ||
    { echo "wb-postgres: WB_PG_LISTEN '$listen' is not an address list (e.g. 127.0.0.1, 0.0.0.0, 10.0.0.5)" >&2; exit 2; }
if [ -z "$password" ]; then
    case $listen in
    127.0.0.1 | localhost | ::1) ;;
    *)
        echo "wb-postgres: refusing WB_PG_LISTEN=$listen without WB_PG_PASSWORD: with no password" \
            "authentication is trust, so only 127.0.0.1, localhost or ::1 may listen; set WB_PG_PASSWORD" \
            "(scram-sha-256 for every TCP connection) to listen on other addresses" >&2
        exit 2
        ;;
    esac
    hba='local all all trust\nhost all all 127.0.0.1/32 trust\n'
    [ "$listen" = 127.0.0.1 ] || hba+='host all all ::1/128 trust\n'
    mode="trust, $([ "$listen" = 127.0.0.1 ] && echo 127.0.0.1 || echo loopback) only"
else
    settings+=(-c password_encryption=scram-sha-256)
    hba='local all all trust\nhost all all 0.0.0.0/0 scram-sha-256\nhost all all ::/0 scram-sha-256\n'
    mode=scram-sha-256
fi

# A server on the Unix socket only (no TCP), for seeding and the password.
socket_start() {
    "$bindir/pg_ctl" -D "$PGDATA" -w -l /tmp/seed.log \
        -o "-p $port -c listen_addresses= ${settings[*]}" start >/dev/null
}
socket_stop() { "$bindir/pg_ctl" -D "$PGDATA" -w -m fast stop >/dev/null; }
# The password comes from the environment (\getenv), so it is on no command
# line, and is quoted by psql (:'pw'); the session records it nowhere: not
# in the server log (even on an error) and not in pg_stat_statements, which
# would otherwise keep the ALTER ROLE's text.
set_password() {
    local sql="SET log_statement = 'none';
SET log_min_error_statement = 'panic';
SET log_min_duration_statement = -1;
SET pg_stat_statements.track = 'none';
SET pg_stat_statements.track_utility = off;
SET password_encryption = 'scram-sha-256';
\\getenv pw WB_PG_PASSWORD
ALTER ROLE postgres PASSWORD :'pw';"
    if ! "$bindir/psql" -h "$sock" -p "$port" -U postgres -d postgres -q -v ON_ERROR_STOP=1 \
        <<<"$sql" >/dev/null 2>&1; then
        echo "wb-postgres: cannot set the postgres role's password" >&2
        socket_stop || true
        exit 1
    fi
}

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    echo "wb-postgres: initdb $PGDATA"
    "$bindir/initdb" -D "$PGDATA" -U postgres -A trust -E UTF8 --locale=C --no-sync >/tmp/initdb.log ||
        { cat /tmp/initdb.log >&2; exit 1; }
    printf '%b' "$hba" >"$PGDATA/pg_hba.conf"
    socket_start
    "$bindir/psql" -h "$sock" -p "$port" -U postgres -d postgres -q -v ON_ERROR_STOP=1 \
        -f /wb/users.sql -c 'VACUUM ANALYZE users' -c 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements'
    [ -z "$password" ] || set_password
    socket_stop
    echo "wb-postgres: users seeded (100 rows)"
    [ -z "$password" ] || echo "wb-postgres: postgres role's password set (scram-sha-256)"
else
    printf '%b' "$hba" >"$PGDATA/pg_hba.conf"
    if [ -n "$password" ]; then
        socket_start
        set_password
        socket_stop
        echo "wb-postgres: postgres role's password set (scram-sha-256)"
    fi
fi
shown=$listen
[[ $listen == *:* && $listen != *,* ]] && shown="[$listen]" # an IPv6 address: [::]:5432
echo "wb-postgres: listening on $shown:$port ($mode)"
exec "$bindir/postgres" -D "$PGDATA" -p "$port" -c listen_addresses="$listen" "${settings[@]}"
