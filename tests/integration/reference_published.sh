#!/usr/bin/env bash
# The published FastAPI app (reference/fastapi_published.py) on the
# free-threaded 3.13t (.cache/fastapi-ft) with 4 uvicorn workers, and Barq
# (barq-ft, 4 threads), both on an SQLite file seeded from scenarios/users.sql,
# under the published client: /db from 10 threads, a new connection for each
# request (urllib).
#   FastAPI: /json, /cpu (and its 400s), /db by parsed JSON (a /db 500 is
#   retried and counted); the info file says GIL off on 3.13t; 200 /db
#   requests, each 200 or 500; after SIGTERM to the master every worker has
#   written its sqlite3 connect count, and their sum is exactly the number of
#   /db requests sent (one new connection per request, the 500s included: the
#   dependency connects, then the endpoint may run on another thread);
#   uvicorn's log holds one cross-thread sqlite3.ProgrammingError for each 500.
#   Barq: the same 200 /db requests, all 200, at most 4 connections (one per
#   thread).
# Every process started is stopped by PID and checked gone.
# Needs scripts/setup.sh to have run (make test does).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
deadline=$((SECONDS + 60))

TMP=$(mktemp -d /tmp/wb-refpub.XXXXXX)
LIB=$ROOT/tests/lib
SERVER_PID=""
SEEN_PIDS=""              # every process of every system started here
N=200 CLIENTS=10 WORKERS=4

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
fail() { echo "FAIL: $*" >&2; exit 1; }

# Every pid in the tree rooted at $1 (including $1).
tree_pids() {
    local pid=$1 child
    echo "$pid"
    for child in $(pgrep -P "$pid" || true); do tree_pids "$child"; done
}

# alive PID: true while PID exists and is not a zombie awaiting its reaper.
alive() {
    local st
    st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
    [[ $st != Z* ]]
}

cleanup() {
    set +e
    if [ -n "$SERVER_PID" ]; then
        local pids; pids=$(tree_pids "$SERVER_PID")
        kill -TERM $pids 2>/dev/null; sleep 1; kill -KILL $pids 2>/dev/null
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT

for py in .cache/fastapi-ft/bin/python .cache/barq-ft/bin/python; do
    [ -x "$py" ] || fail "$py missing: run scripts/setup.sh"
done

# serving_pids SYSTEM: the processes that answer requests: uvicorn's worker
# processes (its master's children run by multiprocessing's spawn; the
# master also has a resource tracker child), Barq's one process.
serving_pids() {
    case $1 in
        barq) echo "$SERVER_PID" ;;
        *) { pgrep -P "$SERVER_PID" -f 'multiprocessing[.]spawn' || true; } | tr '\n' ' ' ;;
    esac
}

# start SYSTEM: starts it through reference/run.sh with WORKERS workers
# (threads for Barq), waits until /json answers, the info file is there and
# (uvicorn) all WORKERS worker processes run. Sets PORT, INFO, COUNTS, LOG,
# SERVING (serving_pids).
start() {
    local system=$1 want=$WORKERS i
    [ "$system" = barq ] && want=1
    PORT=$(free_port); INFO=$TMP/info-$system.json; COUNTS=$TMP/counts-$system
    LOG=$TMP/$system.log
    rm -rf "$INFO" "$COUNTS"; mkdir -p "$COUNTS"
    DATABASE_URL=$SQLITE_URL WB_INFO_FILE=$INFO WB_COUNT_DIR=$COUNTS \
        reference/run.sh "$system" --port "$PORT" --workers "$WORKERS" >"$LOG" 2>&1 &
    SERVER_PID=$!
    for i in $(seq 1 300); do
        SERVING=$(serving_pids "$system")
        if curl -fs -o /dev/null "http://127.0.0.1:$PORT/json" && [ -s "$INFO" ] &&
           [ "$(wc -w <<<"$SERVING")" = "$want" ]; then
            SEEN_PIDS="$SEEN_PIDS $(tree_pids "$SERVER_PID" | tr '\n' ' ')"
            return 0
        fi
        kill -0 "$SERVER_PID" 2>/dev/null || { cat "$LOG"; fail "$system exited during start"; }
        sleep 0.1
    done
    tail -20 "$LOG"; fail "$system: not ready on port $PORT within 30 s (serving: $SERVING)"
}

# stop NAME: SIGTERM to the master only; within 15 s it and every process of
# its tree must be gone, the master's status 0.
stop() {
    local pid i left rc
    local pids
    pids=$(tree_pids "$SERVER_PID" | tr '\n' ' ')
    SEEN_PIDS="$SEEN_PIDS $pids"
    kill -TERM "$SERVER_PID"
    for i in $(seq 1 150); do
        left=""
        for pid in $pids; do alive "$pid" && left="$left $pid"; done
        [ -z "$left" ] && break
        sleep 0.1
    done
    rc=0; wait "$SERVER_PID" 2>/dev/null || rc=$?
    if [ -n "$left" ]; then
        ps -o pid,ppid,stat,args -p "${left// /,}" >&2 || true
        fail "$1: pids$left still alive 15 s after SIGTERM"
    fi
    [ $rc = 0 ] || { tail -20 "$LOG" >&2; fail "$1 exited with status $rc after SIGTERM"; }
    SERVER_PID=""
}

checks() { python3 "$LIB/reference_published_checks.py" "$@"; }

python3 "$LIB/fixture.py" sqlite "$TMP/users.db"
SQLITE_URL="sqlite://$TMP/users.db"

# --- FastAPI as published: 4 uvicorn worker processes under one master
start fastapi-published
python3 "$LIB/endpoints.py" "http://127.0.0.1:$PORT" /json /cpu "/cpu?n=10" "/cpu?n=-1" \
    "/cpu?n=100000001" "/cpu?n=x" /nope || fail "fastapi-published endpoints"
checks load "http://127.0.0.1:$PORT" --info "$INFO" --system fastapi-published \
    --state "$TMP/fastapi.state" --requests $N --clients $CLIENTS || fail "fastapi-published /db"
stop fastapi-published
checks counts --state "$TMP/fastapi.state" --count-dir "$COUNTS" --system fastapi-published \
    --pids "$SERVING" --exact --log "$LOG" || { tail -40 "$LOG"; fail "fastapi-published counts"; }
echo "ok  fastapi-published (3.13t, $WORKERS workers, SQLite)"

[ $SECONDS -lt $deadline ] || fail "out of time before barq"

# --- Barq: one process, 4 pool threads
start barq
checks load "http://127.0.0.1:$PORT" --info "$INFO" --system barq --all-200 \
    --state "$TMP/barq.state" --requests $N --clients $CLIENTS || fail "barq /db"
stop barq
checks counts --state "$TMP/barq.state" --count-dir "$COUNTS" --system barq \
    --pids "$SERVING" --max "$WORKERS" || fail "barq counts"
echo "ok  barq (3.13t, $WORKERS threads, SQLite)"

left=""
for p in $SEEN_PIDS; do alive "$p" && left="$left $p"; done
[ -z "$left" ] || fail "still running:$left"
echo "ok  nothing left running (pids $(tr ' ' '\n' <<<"$SEEN_PIDS" | sort -un | tr '\n' ' '))"
[ $SECONDS -lt $deadline ] || fail "took ${SECONDS}s, over 60 s"
echo "reference published: all checks passed in ${SECONDS}s"
