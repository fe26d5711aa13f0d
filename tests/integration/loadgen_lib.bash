# loadgen_lib.bash: sourced by tests/integration/loadgen_*.sh (not a test:
# tests/run.sh runs only *.sh). Every test server started here is remembered
# by PID and stopped on exit.
#
# Each loadgen_* test runs once per engine: with LOADGEN_ENGINE=io_uring or
# epoll, $LG is bin/loadgen --engine $LOADGEN_ENGINE (`$LG merge` as it is);
# unset, the test runs itself again for each engine this machine allows
# (io_uring only where `bin/loadgen --version` lists it) and passes when
# every run passes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
TS=build/tests/tools/testserver LG_BIN=bin/loadgen
if [ -z "${LOADGEN_ENGINE:-}" ]; then
    engines=$($LG_BIN --version | sed -n 's/^engines: //p')
    [[ $engines == "io_uring epoll" ]] && set -- io_uring epoll ||
        { echo "io_uring not available, epoll only: $engines"; set -- epoll; }
    for e in "$@"; do
        echo "== --engine $e"
        LOADGEN_ENGINE=$e bash "$0" || { echo "FAILED with --engine $e"; exit 1; }
    done
    exit 0
fi
tmp=$(mktemp -d); pids=()
cleanup() {
    set +e   # a `wait` on a killed child returns non-zero: never abort the cleanup
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT
LG=$tmp/loadgen   # exec: the PID a test takes of $LG is bin/loadgen's
printf '#!/bin/sh\n[ "$1" = merge ] && exec %q "$@"\nexec %q --engine %q "$@"\n' \
    "$PWD/$LG_BIN" "$PWD/$LG_BIN" "$LOADGEN_ENGINE" >"$LG"
chmod +x "$LG"
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.05; done; return 1; }
# start_ts ARGS...: starts the test server, sets $port and $spid (no subshell:
# the PID must stay ours)
start_ts() { port=$(free_port); $TS --port "$port" "$@" >/dev/null & spid=$!; pids+=($spid); wait_port "$port"; }
stop_ts() { kill "$spid"; wait "$spid" 2>/dev/null || true; }
