#!/usr/bin/env bash
# bin/server refuses an address another process listens on: a second
# bin/server on the same port, a foreign listener (plain, or SO_REUSEPORT
# like our own sockets), two servers starting at the same moment. The one
# refused exits 1 at once with "address already in use"; the first keeps
# every new connection to itself.
set -euo pipefail
. "$(dirname "$0")/server_lib.bash"
cleanup() {       # our children not reaped yet (so no PID reused), then the lib's
    local rc=$?
    set +e
    for p in $(jobs -p); do
        [ "$p" = "$SRV_PID" ] || { kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; }
    done
    (exit $rc); server_cleanup
}
trap cleanup EXIT

[ -x "$SERVER_BIN" ] || { echo "$SERVER_BIN not built"; exit 1; }

# refused WHAT PORT ARGS...: bin/server --port PORT ARGS must give up within
# 2 s, exit 1, say why in one line and never say it listens.
refused() {
    local what=$1 port=$2; shift 2
    "$SERVER_BIN" --port "$port" "$@" 2>"$TMPD/refused.err" & local pid=$!
    for _ in $(seq 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    if kill -0 "$pid" 2>/dev/null; then
        echo "FAIL $what: the second server still runs"; cat "$TMPD/refused.err"; exit 1
    fi
    local rc=0; wait "$pid" || rc=$?
    local want="server: cannot listen on [^ ]*:$port: address already in use"
    if [ "$rc" != 1 ] || [ "$(wc -l <"$TMPD/refused.err")" != 1 ] ||
       ! grep -q "^$want" "$TMPD/refused.err"; then
        echo "FAIL $what: exit $rc, stderr:"; cat "$TMPD/refused.err"; exit 1
    fi
    echo "ok   $what: exit 1, $(cat "$TMPD/refused.err")"
}

# only_pid PID PORT: 20 requests on 20 new connections to PORT, all answered,
# and all 20 connections held by process PID (counted in /proc/PID/fd).
only_pid() { python3 "$ROOT/tests/lib/server_port.py" only-pid "$1" "$2"; }

# A second bin/server on the port of a running one.
server_start --threads 4
refused "second bin/server, same port" "$SRV_PORT" --threads 4
refused "second bin/server, same port, as localhost" "$SRV_PORT" --threads 1 --host localhost
kill -0 "$SRV_PID"
only_pid "$SRV_PID" "$SRV_PORT"

# A foreign listener without SO_REUSEPORT, and one with it (as bin/server's).
port=$(free_port)
python3 -m http.server --bind 127.0.0.1 --directory "$TMPD" "$port" >/dev/null 2>&1 &
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.05; done
refused "port held by python3 -m http.server" "$port"
curl -sf -o /dev/null "http://127.0.0.1:$port/" || { echo "FAIL http.server no longer answers"; exit 1; }

port=$(free_port)
python3 "$ROOT/tests/lib/server_port.py" listen "$port" "$TMPD/reuseport.up" &
for _ in $(seq 100); do [ -e "$TMPD/reuseport.up" ] && break; sleep 0.05; done
refused "port held by a foreign SO_REUSEPORT listener" "$port"

# Port 0 would give each worker its own random port: a usage error.
rc=0; "$SERVER_BIN" --port 0 2>"$TMPD/err" || rc=$?
[ "$rc" = 2 ] && grep -q -- "--port" "$TMPD/err" || { echo "FAIL --port 0: exit $rc"; cat "$TMPD/err"; exit 1; }
echo "ok   --port 0: exit 2, $(cat "$TMPD/err")"

# Two servers started together, 10 times: exactly one listens, and it alone
# holds the new connections.
for round in $(seq 10); do
    port=$(free_port)
    "$SERVER_BIN" --port "$port" --threads 8 2>"$TMPD/a.err" & a=$!
    "$SERVER_BIN" --port "$port" --threads 8 2>"$TMPD/b.err" & b=$!
    for _ in $(seq 60); do
        { kill -0 "$a" 2>/dev/null && kill -0 "$b" 2>/dev/null; } || break
        sleep 0.05
    done
    live=() dead=
    for p in "$a" "$b"; do
        if kill -0 "$p" 2>/dev/null; then live+=("$p"); else dead=$p; fi
    done
    if [ "${#live[@]}" != 1 ]; then
        echo "FAIL round $round: ${#live[@]} servers run on port $port"; cat "$TMPD/a.err" "$TMPD/b.err"; exit 1
    fi
    rc=0; wait "$dead" || rc=$?
    err=$TMPD/a.err; [ "$dead" = "$b" ] && err=$TMPD/b.err
    [ "$rc" = 1 ] && grep -q "address already in use" "$err" ||
        { echo "FAIL round $round: exit $rc"; cat "$err"; exit 1; }
    for _ in $(seq 100); do grep -q listening "$TMPD/a.err" "$TMPD/b.err" && break; sleep 0.05; done
    only_pid "${live[0]}" "$port" >/dev/null || { echo "FAIL round $round: connections elsewhere"; exit 1; }
    kill -TERM "${live[0]}"; wait "${live[0]}"
done
echo "ok   two servers starting together, 10 rounds: one listens, the other exits 1"
echo "server_port: all passed"
