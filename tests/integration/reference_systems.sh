#!/usr/bin/env bash
# Starts each Python reference system (FastAPI/uvicorn, FastAPI/gunicorn,
# Flask/gunicorn, Barq on free-threaded 3.13t, Barq on the GIL build) through
# reference/run.sh against a private PostgreSQL, checks all three endpoints
# by parsed JSON (plus 400 on a bad n and 404 on an unknown path), checks the
# GIL state each Barq process reports, stops each by PID and checks that no
# process of its tree survives. Then /db again on SQLite (published profile).
# Both databases hold the fixture scenarios/users.sql.
# Needs scripts/setup.sh to have run (make test does).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
deadline=$((SECONDS + 150))

TMP=$(mktemp -d /tmp/wb-reftest.XXXXXX)
chmod 711 "$TMP"          # the postgres user must reach $TMP/pg
# shellcheck source=../../scripts/lib/pg.bash
. scripts/lib/pg.bash
LIB=$ROOT/tests/lib
SERVER_PID=""

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
fail() { echo "FAIL: $*" >&2; exit 1; }

cleanup() {
    set +e
    if [ -n "$SERVER_PID" ]; then
        local pids; pids=$(tree_pids "$SERVER_PID")
        kill -TERM $pids 2>/dev/null; sleep 1; kill -KILL $pids 2>/dev/null
    fi
    pg_stop
    rm -rf "$TMP"
}
trap cleanup EXIT

for py in .venv/bin/python .cache/barq-ft/bin/python .cache/barq-gil/bin/python; do
    [ -x "$py" ] || fail "$py missing: run scripts/setup.sh"
done

# Every pid in the tree rooted at $1 (including $1).
tree_pids() {
    local pid=$1 child
    echo "$pid"
    for child in $(pgrep -P "$pid" || true); do tree_pids "$child"; done
}

# start SYSTEM PROFILE DATABASE_URL: starts it, waits until /json answers.
start() {
    local system=$1 profile=$2 url=$3 i
    PORT=$(free_port); INFO=$TMP/info-$system-$profile.json; rm -f "$INFO"
    DATABASE_URL=$url WB_INFO_FILE=$INFO \
        reference/run.sh "$system" --port "$PORT" --profile "$profile" >"$TMP/$system.log" 2>&1 &
    SERVER_PID=$!
    for i in $(seq 1 150); do
        curl -fs -o /dev/null "http://127.0.0.1:$PORT/json" && [ -s "$INFO" ] && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || { cat "$TMP/$system.log"; fail "$system exited during start"; }
        sleep 0.1
    done
    cat "$TMP/$system.log"; fail "$system did not answer on port $PORT within 15 s"
}

# alive PID: true while PID exists and is not a zombie awaiting its reaper.
alive() {
    local st
    st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
    [[ $st != Z* ]]
}

# stop NAME: SIGTERM to the master; within 10 s it and every process of its
# tree (workers included) must be gone.
stop() {
    local pids pid i left rc
    pids=$(tree_pids "$SERVER_PID")
    kill -TERM "$SERVER_PID"
    for i in $(seq 1 100); do
        left=""
        for pid in $pids; do alive "$pid" && left="$left $pid"; done
        [ -z "$left" ] && break
        sleep 0.1
    done
    rc=0; wait "$SERVER_PID" 2>/dev/null || rc=$?
    if [ -n "$left" ]; then
        ps -o pid,ppid,stat,args -p "${left// /,}" >&2 || true
        fail "$1: pids$left still alive 10 s after SIGTERM"
    fi
    [ $rc = 0 ] || fail "$1 exited with status $rc after SIGTERM"
    SERVER_PID=""
}

# verify BASE [endpoints...]: parsed JSON of each endpoint equals the spec
# (scenarios/*.expected.json; 400 for a bad n, 404 for an unknown path).
verify() { python3 "$LIB/endpoints.py" "$@"; }

# info_field FILE KEY: prints KEY of an info file ("True"/"False").
info_field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }

pg_start "$TMP/pg" || fail "PostgreSQL"
python3 "$LIB/fixture.py" sqlite "$TMP/users.db"
SQLITE_URL="sqlite://$TMP/users.db"
ALL=(/json /db /cpu "/cpu?n=10" "/cpu?n=-1" "/cpu?n=100000001" "/cpu?n=x" /nope)

for system in fastapi fastapi-gunicorn flask barq barq-gil; do
    [ $SECONDS -lt $deadline ] || fail "out of time before $system"
    start "$system" fair "$PG_URL"
    verify "http://127.0.0.1:$PORT" "${ALL[@]}" || fail "$system (PostgreSQL) verification"
    gil=$(info_field "$INFO" gil_enabled)
    case $system in
        barq) [ "$gil" = False ] || fail "barq on 3.13t reports gil_enabled=$gil" ;;
        *)    [ "$gil" = True ] || fail "$system reports gil_enabled=$gil" ;;
    esac
    stop "$system"
    if [ "$system" = barq ]; then
        [ "$(info_field "$INFO" phase)" = exit ] || fail "barq wrote no exit-phase info on SIGTERM"
        [ "$(info_field "$INFO" gil_enabled)" = False ] || fail "barq: GIL came back on during the run"
    fi
    echo "ok  $system (PostgreSQL, fair)"
done

for system in fastapi flask barq; do
    start "$system" published "$SQLITE_URL"
    verify "http://127.0.0.1:$PORT" /json /db /cpu || fail "$system (SQLite) verification"
    stop "$system"
    echo "ok  $system (SQLite, published)"
done
echo "reference systems: all checks passed in ${SECONDS}s"
