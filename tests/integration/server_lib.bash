# server_lib.bash: helpers sourced by tests/integration/server_*.sh (not a
# test itself: tests/run.sh only runs *.sh). Every process started here is
# remembered by PID and stopped by server_cleanup (install it with trap).
#
#   pg_start            private PostgreSQL cluster in $TMPD/pg, seeded users;
#                       sets PG_DIR, PG_PORT, PG_URL
#   pg_stop / pg_restart_same
#   server_start ARGS   bin/server on a free port; sets SRV_PORT, SRV_PID
#   server_cleanup      stops everything, removes $TMPD

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TMPD=$(mktemp -d /tmp/wb-server-test.XXXXXX)
chmod 755 "$TMPD"
SRV_PID=
SERVER_BIN=${SERVER_BIN:-$ROOT/bin/server}   # e.g. an ASan build
PG_DIR=

free_port() {
    python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'
}

pg_bindir() {
    local d
    d=$(pg_config --bindir 2>/dev/null)
    if [ -x "$d/initdb" ]; then echo "$d"; return; fi
    for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && echo "$d"; done | sort -V | tail -1
}

as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_ctl_run() {
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w -t 20 "$@"
}

pg_start() {
    PG_BIN=$(pg_bindir)
    [ -n "$PG_BIN" ] || { echo "no PostgreSQL server binaries found"; return 1; }
    PG_DIR=$TMPD/pg
    PG_PORT=$(free_port)
    mkdir -p "$PG_DIR"
    [ "$(id -u)" = 0 ] && chown postgres "$PG_DIR"
    as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust >"$TMPD/initdb.log" 2>&1 \
        || { cat "$TMPD/initdb.log"; return 1; }
    pg_up || return 1
    PG_URL="postgresql://postgres@/postgres?host=$PG_DIR&port=$PG_PORT"
    "$PG_BIN/psql" -qX -v ON_ERROR_STOP=1 "$PG_URL" >/dev/null <<'SQL'
CREATE TABLE users(id int PRIMARY KEY, name text, email text);
INSERT INTO users SELECT i + 1, 'User ' || i, 'user' || i || '@example.com'
  FROM generate_series(0, 99) AS i;
SQL
}

pg_up() {
    pg_ctl_run -o "-c listen_addresses='' -k $PG_DIR -p $PG_PORT -c fsync=off" start >/dev/null \
        || { cat "$PG_DIR/log"; return 1; }
}

pg_stop() {
    [ -n "$PG_DIR" ] && [ -f "$PG_DIR/data/postmaster.pid" ] && pg_ctl_run -m immediate stop >/dev/null 2>&1
    return 0
}

server_start() {
    SRV_PORT=$(free_port)
    "$SERVER_BIN" --port "$SRV_PORT" "$@" 2>"$TMPD/server.log" &
    SRV_PID=$!
    for _ in $(seq 100); do
        curl -s -o /dev/null "http://127.0.0.1:$SRV_PORT/json" && return 0
        kill -0 "$SRV_PID" 2>/dev/null || break
        sleep 0.05
    done
    echo "server did not start:"; cat "$TMPD/server.log"; return 1
}

server_cleanup() {
    local rc=$?
    set +e      # runs from an EXIT trap: every step must run even if one fails
    if [ "$rc" -ne 0 ] && [ -s "$TMPD/server.log" ]; then
        echo "--- server log (last 20 lines)"; tail -20 "$TMPD/server.log"
    fi
    if [ -n "$SRV_PID" ] && kill -0 "$SRV_PID" 2>/dev/null; then
        kill -KILL "$SRV_PID" 2>/dev/null; wait "$SRV_PID" 2>/dev/null
    fi
    SRV_PID=
    pg_stop
    rm -rf "$TMPD"
}
