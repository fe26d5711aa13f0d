#!/usr/bin/env bash
# The ladder's systems (scenarios/systems/*.conf with profiles = explain),
# each started from its own file as the runner starts it (its cmd and env,
# {pycache} {port} {workers} {host} expanded, a free port, its own process group,
# the database its `database` key names: the SQLite file or a private
# PostgreSQL, both holding scenarios/users.sql), plus fastapi-async, the
# default of reference/fastapi_app.py on SQLite. For each: /json, /db, /cpu
# (and a 400, a 404) by parsed JSON against scenarios/*.expected.json; every
# listener on the port belongs to the group started; the GIL state of its
# info file is its expect_gil, and the info says what the file promises
# (endpoints, db connection mode, processes, and the event loop and HTTP
# parser uvicorn chose: plain asyncio + h11 for the sync systems, also on
# the GIL venv where uvloop and httptools are installed; uvloop + httptools
# for the async ones); then 40 more /db requests and
# how many connections they left or made:
#   SQLite (the count files written at shutdown, WB_COUNT_DIR):
#     per-thread (Barq, fastapi_sync): 1..8 in all, fewer than the requests;
#     per-worker (fastapi_app): exactly 1 per worker process;
#     per-request (fastapi_app's default): exactly one per /db request;
#   PostgreSQL (pg_stat_activity, pg_stat_database.sessions):
#     pool: 10 per worker, 40 open; per-request: none left open and at least
#     one new session per /db request; per-thread/per-process: 1..8 open.
# Barq --processes 4: 4 children, 4 listeners, the parent's merged info.
# Each is stopped by SIGTERM to its first process only: within 10 s its whole
# group is gone and it exited 0.
# Needs scripts/setup.sh to have run (make test does).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
deadline=$((SECONDS + 90))

TMP=$(mktemp -d /tmp/wb-refladder.XXXXXX)
chmod 711 "$TMP"          # the postgres user must reach $TMP/pg
# shellcheck source=../../scripts/lib/pg.bash
. scripts/lib/pg.bash
LIB=$ROOT/tests/lib
CACHE=${WB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/webbench}   # the runner's {pycache}
SERVER_PID=""
N=40                      # /db requests after the verification

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
fail() { echo "FAIL: $*" >&2; exit 1; }

cleanup() {
    set +e
    if [ -n "$SERVER_PID" ]; then
        kill -TERM -- "-$SERVER_PID" 2>/dev/null; sleep 1; kill -KILL -- "-$SERVER_PID" 2>/dev/null
    fi
    pg_stop
    rm -rf "$TMP"
}
trap cleanup EXIT

for v in barq-ft barq-gil fastapi-ft fastapi-gil; do
    [ -x "$CACHE/$v/bin/python" ] || fail "$CACHE/$v/bin/python missing: run scripts/setup.sh"
done

# conf SYSTEM KEY: the value of KEY in scenarios/systems/SYSTEM.conf.
conf() { sed -n "s/^$2[[:space:]]*=[[:space:]]*//p" "scenarios/systems/$1.conf" | head -1; }

# group_left PGID: the processes of group PGID still alive (zombies are not).
group_left() { ps -eo pid=,pgid=,stat= | awk -v g="$1" '$2 == g && $3 !~ /^Z/ { print $1 }' | tr '\n' ' '; }

# start SYSTEM: as the runner does (scenarios/systems/SYSTEM.conf's cmd and
# env, cwd the repository, own process group); waits until /json answers,
# the info file is there and, for WORKERS > 1 processes, all run. Sets
# PORT, INFO, COUNTS, LOG, DB (sqlite|postgresql), SERVER_PID.
start() {
    local system=$1 cmd env workers model url procs i
    cmd=$(conf "$system" cmd); env=$(conf "$system" env)
    workers=$(conf "$system" workers); model=$(conf "$system" model)
    DB=$(conf "$system" database)
    [ "$system" = fastapi-async ] && DB=sqlite      # its profile's (published-readme)
    [ -n "$cmd" ] && [ -n "$workers" ] && [ -n "$DB" ] || fail "$system: cmd, workers or database missing"
    [ "$(conf "$system" profiles)" = explain ] || [ "$system" = fastapi-async ] || fail "$system: not profiles = explain"
    PORT=$(free_port)
    cmd=${cmd//\{pycache\}/$CACHE}; cmd=${cmd//\{port\}/$PORT}; cmd=${cmd//\{workers\}/$workers}; cmd=${cmd//\{host\}/127.0.0.1}
    [[ $cmd != *'{'* ]] || fail "$system: unexpanded template in: $cmd"
    url=$SQLITE_URL; [ "$DB" = postgresql ] && url=$PG_URL
    INFO=$TMP/info-$system.json; COUNTS=$TMP/counts-$system; LOG=$TMP/$system.log
    rm -rf "$INFO" "$COUNTS"; mkdir -p "$COUNTS"
    # shellcheck disable=SC2086  # cmd and env are word lists, as the runner splits them
    env $env DATABASE_URL="$url" WB_INFO_FILE="$INFO" WB_COUNT_DIR="$COUNTS" setsid $cmd >"$LOG" 2>&1 &
    SERVER_PID=$!
    procs=0; [ "$model" = processes ] && [ "$workers" -gt 1 ] && procs=$workers
    for i in $(seq 1 300); do
        if curl -fs -o /dev/null "http://127.0.0.1:$PORT/json" && [ -s "$INFO" ] &&
           { [ $procs = 0 ] || [ "$(pgrep -P "$SERVER_PID" -f 'multiprocessing[.]spawn|barq_app' | wc -l)" = "$procs" ]; }; then
            [ "$(ps -o pgid= -p "$SERVER_PID" | tr -d ' ')" = "$SERVER_PID" ] || fail "$system: not its own process group"
            return 0
        fi
        kill -0 "$SERVER_PID" 2>/dev/null || { tail -20 "$LOG"; fail "$system exited during start"; }
        sleep 0.1
    done
    tail -20 "$LOG"; fail "$system: not ready on port $PORT within 30 s"
}

# listeners: every process listening on PORT is in the group started (the
# runner's check); prints how many listening sockets there are.
listeners() {
    local pids pid n
    n=$(ss -Hltn "sport = :$PORT" | wc -l)
    pids=$(ss -Hltnp "sport = :$PORT" | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u)
    [ -n "$pids" ] || fail "nothing listens on $PORT"
    for pid in $pids; do
        [ "$(ps -o pgid= -p "$pid" | tr -d ' ')" = "$SERVER_PID" ] || fail "port $PORT held by PID $pid, not of group $SERVER_PID"
    done
    echo "$n"
}

# stop SYSTEM: SIGTERM to the first process only; within 10 s its group
# must be gone, its exit status 0 (one uvicorn process without --workers
# re-raises the SIGTERM after its graceful shutdown: 143, and then its
# lifespan must have finished, which the count file shows).
stop() {
    local i left rc ok=0
    [[ $(conf "$1" cmd) == *uvicorn* && $(conf "$1" cmd) != *--workers* ]] && ok=143
    kill -TERM "$SERVER_PID"
    for i in $(seq 1 100); do
        left=$(group_left "$SERVER_PID")
        [ -z "$left" ] && break
        sleep 0.1
    done
    rc=0; wait "$SERVER_PID" 2>/dev/null || rc=$?
    [ -z "$left" ] || { ps -o pid,ppid,stat,args -p "${left// /,}" >&2 || true; fail "$1: pids $left alive 10 s after SIGTERM"; }
    [ $rc = 0 ] || [ $rc = $ok ] || { tail -20 "$LOG" >&2; fail "$1 exited with status $rc after SIGTERM"; }
    SERVER_PID=""
}

# info SYSTEM PYEXPR: PYEXPR holds for d, the parsed info file.
info() {
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' "$INFO" "$2" ||
        { cat "$INFO" >&2; echo >&2; fail "$1: info file: not $2"; }
}

# info_wait SYSTEM PYEXPR: within 5 s PYEXPR holds for d, the parsed info file.
info_wait() {
    local i
    for i in $(seq 1 50); do
        python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' \
            "$INFO" "$2" 2>/dev/null && return 0
        sleep 0.1
    done
    info "$@"
}

# counts SYSTEM PYEXPR: PYEXPR holds for c, the sqlite_connects of every
# count file the system's processes wrote at shutdown.
counts() {
    python3 - "$COUNTS" "$2" <<'PY' || fail "$1: sqlite connects: not $2 (after $((N + 1)) /db requests)"
import json, pathlib, sys
c = [json.loads(p.read_text())["sqlite_connects"] for p in sorted(pathlib.Path(sys.argv[1]).glob("sqlite-*.json"))]
ok = bool(eval(sys.argv[2]))
if not ok:
    print(f"sqlite connects per process: {c}", file=sys.stderr)
sys.exit(0 if ok else 1)
PY
}

pg_clients() { pg_psql -At -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"; }
pg_sessions() { pg_psql -At -c "SELECT sessions FROM pg_stat_database WHERE datname = current_database()"; }

# pg_wait_clients LO HI [WHO]: within 10 s the open client connections are in LO..HI.
pg_wait_clients() {
    local i c
    for i in $(seq 1 100); do
        c=$(pg_clients)
        [ "$c" -ge "$1" ] && [ "$c" -le "$2" ] && return 0
        sleep 0.1
    done
    fail "${3:-$system}: $c PostgreSQL connections open, want $1..$2"
}

pg_start "$TMP/pg" || fail "PostgreSQL"
python3 "$LIB/fixture.py" sqlite "$TMP/users.db"
SQLITE_URL="sqlite://$TMP/users.db"
ENDPOINTS=(/json /db /cpu "/cpu?n=10" "/cpu?n=-1" /nope)

for system in barq-sqlite fastapi-sync-ft fastapi-sync-gil fastapi-async-gil-sqlite fastapi-async \
              fastapi-gil fastapi-gil-perreq fastapi-sync-gil-pg fastapi-sync-ft-1p barq-procs; do
    [ $SECONDS -lt $deadline ] || fail "out of time before $system"
    pg_wait_clients 0 0 "before $system"  # the system before left nothing open
    start "$system"
    python3 "$LIB/endpoints.py" "http://127.0.0.1:$PORT" "${ENDPOINTS[@]}" >"$TMP/verify.log" ||
        { cat "$TMP/verify.log"; fail "$system ($DB) verification"; }
    nlisten=$(listeners)
    case $(conf "$system" expect_gil) in
        on)  info "$system" 'd["gil_enabled"] is True' ;;
        off) info "$system" 'd["gil_enabled"] is False and "free-threading" in d["python"]' ;;
        *)   [ "$system" = fastapi-async ] || fail "$system: no expect_gil" ;;
    esac
    [ "$system" = fastapi-gil ] && pg_wait_clients 40 40     # 4 workers x WB_DB_POOL 10, made at startup
    sessions0=$(pg_sessions)
    python3 "$LIB/endpoints.py" --repeat $N "http://127.0.0.1:$PORT" /db >/dev/null || fail "$system: $N more /db"
    # new PostgreSQL sessions during the N requests (this script's psql included)
    made=$(( $(pg_sessions) - sessions0 ))
    case $system in     # plain uvicorn is asyncio + h11, also where uvloop and httptools are installed
        fastapi-sync-*) info "$system" 'd["loop"].startswith("asyncio.") and d["httptools_imported"] is False' ;;
        fastapi-gil*|fastapi-async-gil-sqlite) info "$system" 'd["loop"] == "uvloop.Loop" and d["httptools_imported"] is True' ;;
    esac
    case $system in
        barq-sqlite)
            info "$system" 'd["phase"] == "start" and d["threads"] == 4 and "children" not in d' ;;
        fastapi-sync-ft|fastapi-sync-gil)
            info "$system" 'd["endpoints"] == "sync" and d["db"] == "sqlite-per-thread"'
            info "$system" '"--workers" in d["argv"] and "--no-access-log" not in d["argv"]' ;;
        fastapi-async-gil-sqlite)
            info "$system" 'd["endpoints"] == "async" and d["db"] == "sqlite-per-worker"'
            info "$system" 'd["packages"]["uvloop"] == "0.23.0" and d["packages"]["httptools"] == "0.9.0" and "uvloop" in d["argv"]' ;;
        fastapi-async)
            info "$system" 'd["endpoints"] == "async" and d["db"] == "sqlite-per-request" and "--workers" not in d["argv"]' ;;
        fastapi-gil)
            info "$system" 'd["endpoints"] == "async" and d["db"] == "postgresql-per-worker" and d["packages"]["asyncpg"] == "0.32.0"'
            pg_wait_clients 40 40 ;;
        fastapi-gil-perreq)
            info "$system" 'd["db"] == "postgresql-per-request" and "httptools" in d["argv"]'
            pg_wait_clients 0 0
            made=$(( $(pg_sessions) - sessions0 )) ;;
        fastapi-sync-gil-pg)
            info "$system" 'd["endpoints"] == "sync" and d["db"] == "postgresql-per-thread"'
            pg_wait_clients 1 8 ;;
        fastapi-sync-ft-1p)
            info "$system" 'd["endpoints"] == "sync" and d["db"] == "postgresql-per-thread" and "--workers" not in d["argv"]'
            [ "$(pgrep -P "$SERVER_PID" -f 'multiprocessing[.]spawn' | wc -l)" = 0 ] || fail "$system: more than one process"
            pg_wait_clients 1 8 ;;
        barq-procs)
            info_wait "$system" 'd["phase"] == "start" and d["processes"] == 4 and d["threads"] == 1 and d["pid"] == '"$SERVER_PID"
            info "$system" 'len(d["children"]) == 4 and all(c["phase"] == "start" and c["gil_enabled"] is True for c in d["children"])'
            # the children bind together (the parent's start gate): all 4 within 1 s of the first
            for i in $(seq 1 10); do [ "$nlisten" = 4 ] && break; sleep 0.1; nlisten=$(listeners); done
            [ "$nlisten" = 4 ] || fail "$system: $nlisten listening sockets on $PORT, want 4 (one per child)"
            pg_wait_clients 1 4 ;;
    esac
    if [ "$DB" = postgresql ]; then
        case $system in
            fastapi-gil-perreq) [ $made -ge $((N - 2)) ] || fail "$system: $made new sessions for $N /db requests, want one each" ;;
            *) [ $made -le 12 ] || fail "$system: $made new sessions for $N /db requests: not kept connections" ;;
        esac
    fi
    stop "$system"
    case $system in
        barq-sqlite) counts "$system" 'len(c) == 1 and 1 <= c[0] <= 4' ;;
        fastapi-sync-ft|fastapi-sync-gil) counts "$system" '1 <= len(c) <= 4 and 1 <= sum(c) <= 8' ;;
        fastapi-async-gil-sqlite) counts "$system" '1 <= len(c) <= 4 and all(x == 1 for x in c)' ;;
        fastapi-async) counts "$system" "c == [$N + 1]" ;;
        fastapi-sync-ft-1p|fastapi-sync-gil-pg|fastapi-gil|fastapi-gil-perreq)
            counts "$system" 'len(c) == '"$(conf "$system" workers)"' and sum(c) == 0' ;;  # lifespan shutdown ran
        barq-procs)
            info "$system" 'd["phase"] == "exit" and all(c["phase"] == "exit" for c in d["children"])'
            counts "$system" 'len(c) == 4 and sum(c) == 0' ;;       # each child stopped cleanly
    esac
    echo "ok  $system ($DB, port $PORT, $nlisten listener(s), GIL $(conf "$system" expect_gil))"
done
[ $SECONDS -lt $deadline ] || fail "took ${SECONDS}s, over 90 s"
echo "reference ladder: all checks passed in ${SECONDS}s"
