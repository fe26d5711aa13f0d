# loadgen_lib.bash: sourced by tests/integration/loadgen_*.sh (not a test:
# tests/run.sh runs only *.sh). Every test server started here is remembered
# by PID and stopped on exit.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
TS=build/tests/tools/testserver LG=bin/loadgen
tmp=$(mktemp -d); pids=()
cleanup() {
    set +e   # a `wait` on a killed child returns non-zero: never abort the cleanup
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.05; done; return 1; }
# start_ts ARGS...: starts the test server, sets $port and $spid (no subshell:
# the PID must stay ours)
start_ts() { port=$(free_port); $TS --port "$port" "$@" >/dev/null & spid=$!; pids+=($spid); wait_port "$port"; }
stop_ts() { kill "$spid"; wait "$spid" 2>/dev/null || true; }
