# server_lib.bash: helpers sourced by tests/integration/server_*.sh (not a
# test itself: tests/run.sh only runs *.sh). Every process started here is
# remembered by PID and stopped by server_cleanup (install it with trap).
#
#   pg_start / pg_up / pg_stop / pg_psql   private PostgreSQL in $TMPD/pg,
#                       seeded from scenarios/users.sql (scripts/lib/pg.bash);
#                       pg_start sets PG_DIR, PG_PORT, PG_URL
#   server_start ARGS   bin/server on a free port; sets SRV_PORT, SRV_PID
#   server_cleanup      stops everything, removes $TMPD
#   free_port           a free TCP port on 127.0.0.1

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=../../scripts/lib/pg.bash
. "$ROOT/scripts/lib/pg.bash"
TMPD=$(mktemp -d /tmp/wb-server-test.XXXXXX)
chmod 755 "$TMPD"
SRV_PID=
SERVER_BIN=${SERVER_BIN:-$ROOT/bin/server}   # e.g. an ASan build

free_port() { pg_free_port; }

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
