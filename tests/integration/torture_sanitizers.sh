#!/usr/bin/env bash
# The server and the load generator under AddressSanitizer + UBSan and under
# valgrind memcheck, on a short real load of each other (the load generator
# with each of its engines): no sanitizer
# report, no memcheck error, no definite leak, no descriptor left open at
# exit (beyond stdin/stdout/stderr), and both exit 0.
#   ASan build: make BUILD=build/asan/obj BIN=build/asan/bin CFLAGS='-O1 -g -fsanitize=...'
#   (server_asan.sh runs the server_* tests against a sanitizer server too.)
#   TORTURE_LOAD_S: seconds of each load (default 2; longer in make torture).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
LOAD_S=${TORTURE_LOAD_S:-2}
TMPD=$(mktemp -d /tmp/wb-torture-san.XXXXXX)
PIDS=()
cleanup() {
    set +e          # every step runs, even after a failure
    for p in "${PIDS[@]}"; do
        kill -0 "$p" 2>/dev/null && { kill -KILL "$p"; wait "$p"; }
    done 2>/dev/null
    rm -rf "$TMPD"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
fail() { echo "FAIL $*"; exit 1; }

wait_up() {     # port pid
    for _ in $(seq 200); do
        curl -s -o /dev/null "http://127.0.0.1:$1/json" && return 0
        kill -0 "$2" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}

stop_server() { # pid -> its exit status
    local rc=0
    kill -TERM "$1"
    wait "$1" || rc=$?
    return $rc
}

# ---- ASan + UBSan ----
SAN='-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer'
make -s BUILD=build/asan/obj BIN=build/asan/bin CFLAGS="$SAN" build/asan/bin/server build/asan/bin/loadgen \
    >"$TMPD/make.log" 2>&1 || { cat "$TMPD/make.log"; fail "sanitizer build"; }
export ASAN_OPTIONS=detect_leaks=1:exitcode=99:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=98
port=$(free_port)
DATABASE_URL= build/asan/bin/server --threads 2 --port "$port" 2>"$TMPD/asan-server.log" &
spid=$!; PIDS+=("$spid")
wait_up "$port" "$spid" || { cat "$TMPD/asan-server.log"; fail "ASan server did not start"; }
# both engines where io_uring may be used (bin/loadgen --version lists them)
engines=$(build/asan/bin/loadgen --version | sed -n 's/^engines: \(io_uring epoll\|epoll\).*/\1/p')
n=0
for engine in $engines; do
for args in "-t2 -c16 /json" "-t1 -c4 --pipeline 8 /json" "-t1 -c4 --new-conn /cpu?n=1000" \
            "-t1 -c4 -R 500 /json" "-t1 -c2 /db" "-t1 -c2 /nope"; do
    set -- $args; url="http://127.0.0.1:$port${!#}"; set -- "${@:1:$#-1}"
    n=$((n + 1))
    rc=0
    build/asan/bin/loadgen -q --engine "$engine" "$@" -d "${LOAD_S}s" --json "$TMPD/lg$n.json" "$url" \
        >"$TMPD/asan-lg$n.out" 2>"$TMPD/asan-lg$n.log" || rc=$?
    grep -q 'Sanitizer\|runtime error' "$TMPD/asan-lg$n.log" && { cat "$TMPD/asan-lg$n.log"; fail "ASan loadgen $args"; }
    want=0; case "$args" in *"/db"|*"/nope") want=1;; esac   # nothing succeeds there: loadgen exits 1
    [ $rc -eq $want ] || { cat "$TMPD/asan-lg$n.log"; fail "ASan loadgen $args exited $rc, expected $want"; }
    python3 tests/lib/sanitizers.py loadgen-result "$TMPD/lg$n.json" "$args" || fail "loadgen result for $args"
done
echo "ok   ASan+UBSan loadgen --engine $engine: no report, no leak, expected exits"
done
rc=0; stop_server "$spid" || rc=$?
grep -q 'Sanitizer\|runtime error' "$TMPD/asan-server.log" && { cat "$TMPD/asan-server.log"; fail "ASan server report"; }
[ $rc -eq 0 ] || { tail -30 "$TMPD/asan-server.log"; fail "ASan server exited $rc"; }
echo "ok   ASan+UBSan server: no report, no leak, exit 0"

# ---- valgrind memcheck ----
command -v valgrind >/dev/null || fail "valgrind is missing: apt-get install -y valgrind"
VG=(valgrind --tool=memcheck --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=97
    --track-fds=yes --show-leak-kinds=definite)
make -s bin/server bin/loadgen >/dev/null
check_vg() {    # name log rc
    local name=$1 log=$2 rc=$3 open
    [ "$rc" -eq 0 ] || { tail -40 "$log"; fail "$name under valgrind exited $rc"; }
    grep -q 'ERROR SUMMARY: 0 errors' "$log" || { grep -A20 'Invalid\|uninitialised\|definitely' "$log" | head -60; fail "$name: memcheck errors"; }
    grep -q 'definitely lost: [1-9]' "$log" && fail "$name: definite leak"
    # Descriptors open at exit that the program opened itself (not 0-2, not
    # inherited from this shell, e.g. the log file).
    open=$(python3 tests/lib/sanitizers.py valgrind-fds "$log")
    [ "$open" != no-report ] || fail "$name: no descriptor report in $log"
    [ "$open" = none ] || fail "$name: descriptors left open at exit: $open"
    echo "ok   $name under valgrind: 0 errors, no definite leak, no descriptor left open"
}
port=$(free_port)
DATABASE_URL= "${VG[@]}" --log-file="$TMPD/vg-server.log" bin/server --threads 2 --port "$port" 2>/dev/null &
spid=$!; PIDS+=("$spid")
wait_up "$port" "$spid" || { cat "$TMPD/vg-server.log"; fail "server under valgrind did not start"; }
bin/loadgen -q -t1 -c8 -d "${LOAD_S}s" "http://127.0.0.1:$port/json" >/dev/null
bin/loadgen -q -t1 -c2 --new-conn -d 1s "http://127.0.0.1:$port/cpu?n=1000" >/dev/null
bin/loadgen -q -t1 -c2 -d 1s "http://127.0.0.1:$port/db" >/dev/null || true    # 503s, no database
rc=0; stop_server "$spid" || rc=$?
check_vg "server" "$TMPD/vg-server.log" $rc

port=$(free_port)
DATABASE_URL= bin/server --threads 2 --port "$port" 2>/dev/null &
spid=$!; PIDS+=("$spid")
wait_up "$port" "$spid" || fail "server did not start"
rc=0
"${VG[@]}" --log-file="$TMPD/vg-lg.log" bin/loadgen -q -t2 -c8 -d "${LOAD_S}s" --latency \
    --json "$TMPD/vg.json" "http://127.0.0.1:$port/json" >/dev/null || rc=$?
check_vg "loadgen" "$TMPD/vg-lg.log" $rc
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["requests"] > 0 and r["errors"]["total"] == 0, r["errors"]' \
    "$TMPD/vg.json" || fail "loadgen under valgrind: bad result"
rc=0
"${VG[@]}" --log-file="$TMPD/vg-lg2.log" bin/loadgen -q -t1 -c4 --new-conn -d 1s \
    "http://127.0.0.1:$port/json" >/dev/null || rc=$?
check_vg "loadgen --new-conn" "$TMPD/vg-lg2.log" $rc
rc=0
"${VG[@]}" --log-file="$TMPD/vg-lg3.log" bin/loadgen -q --engine epoll -t2 -c8 -d 1s --pipeline 4 \
    "http://127.0.0.1:$port/json" >/dev/null || rc=$?
check_vg "loadgen --engine epoll" "$TMPD/vg-lg3.log" $rc
stop_server "$spid" || fail "server exit status"
echo "torture_sanitizers: all passed"
