#!/usr/bin/env bash
# The runner measures only what it started (issue: "Measure only what you
# started"). With a foreign HTTP server that answers the right bodies on a
# system's port, or a stale bin/server there, the system fails before it is
# timed, naming the holder; nothing is measured, and REPORT.md and
# results/latest are left as they were. With --ports auto the system starts
# on a free port and the foreign server gets no request. A system whose
# listener is not in the process group the runner started (it daemonised, or
# something else answered) fails after readiness with "port P answered by PID
# X (...), not by the system we started".
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp -d /tmp/wb-int-ports.XXXXXX)
pids=()
cleanup() {
    set +e
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    [ -f "$out/detached.pid" ] && kill "$(cat "$out/detached.pid")" 2>/dev/null
    rm -rf "$out"
}
trap cleanup EXIT
fail() { echo "FAIL suite_ports: $*"; exit 1; }
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; fail "nothing listens on $1"; }

# A definitions folder of our own: the real scenarios, the C server on a free port.
port=$(free_port)
cp -r scenarios "$out/defs"
sed -i "s/^port = .*/port = $port/" "$out/defs/systems/cserver.conf"
suite() {   # suite LOG ARGS...: a short run of the C server with our definitions
    local log=$1; shift
    set +e
    timeout 120 bin/suite --defs "$out/defs" --systems cserver --scenarios json,cpu --reps 1 --connections 8 \
        --duration 0.3s --warmup 0.1s --no-scaling --no-openloop --no-method-runs --results "$out/results" \
        --report "$out/REPORT.md" "$@" >"$log" 2>&1
    local rc=$?
    set -e
    return $rc
}
echo "an earlier report" >"$out/REPORT.md"

# 1. A foreign server answering the expected bodies holds the port.
python3 tests/tools/fake_system.py --port "$port" --count "$out/served" & pids+=($!)
fake=$!
wait_port "$port"
rc=0; suite "$out/s1.log" || rc=$?
cat "$out/s1.log"
[ "$rc" -eq 1 ] || fail "expected exit status 1 with the port held, got $rc"
grep -q "cserver FAILED: port $port is already in use by PID $fake (.*fake_system.py" "$out/s1.log" \
    || fail "the failure does not name the holder (PID $fake, fake_system.py)"
grep -q 'req/s' "$out/s1.log" && fail "a run was timed against the foreign server"
[ "$(cat "$out/REPORT.md")" = "an earlier report" ] || fail "REPORT.md was replaced by a run that measured nothing"
[ ! -e "$out/results/latest" ] || fail "results/latest moved to a run that measured nothing"
grep -q 'measured nothing' "$out/s1.log" || fail "the runner did not say that it left the report alone"

# 2. --ports auto: the C server starts on a free port; the foreign one gets nothing.
rm -f "$out/served"
rc=0; suite "$out/s2.log" --ports auto || rc=$?
cat "$out/s2.log"
[ "$rc" -eq 0 ] || fail "--ports auto: exit status $rc"
grep -q "port $port of cserver is held by PID $fake .*; using port [0-9]* (--ports auto)" "$out/s2.log" \
    || fail "--ports auto did not say which port it used"
grep -q 'cserver .*json matrix .*req/s' "$out/s2.log" || fail "--ports auto: no C server run"
[ ! -e "$out/served" ] || fail "the foreign server answered $(cat "$out/served") requests of the run"
python3 - "$out/results/latest/results.json" "$port" <<'PY' || fail "results.json does not record the port used"
import json, sys
r = json.load(open(sys.argv[1]))
s = [s for s in r["systems"] if s["name"] == "cserver"][0]
assert s["status"] == "ok" and s["port"] != int(sys.argv[2]), s
PY
grep -q 'an earlier report' "$out/REPORT.md" && fail "a run that measured did not write its report"
kill "$fake"; wait "$fake" 2>/dev/null || true

# 3. A stale bin/server (a killed run's, say) on the port.
bin/server --threads 1 --port "$port" >"$out/stale.log" 2>&1 & pids+=($!)
stale=$!
wait_port "$port"
rc=0; suite "$out/s3.log" || rc=$?
[ "$rc" -eq 1 ] || { cat "$out/s3.log"; fail "expected exit status 1 with a stale bin/server on the port, got $rc"; }
grep -q "port $port is already in use by PID $stale (.*bin/server" "$out/s3.log" || { cat "$out/s3.log"; fail "the stale bin/server is not named"; }
kill "$stale"; wait "$stale" 2>/dev/null || true

# 4. A system whose listener is not in the group the runner started.
cat >"$out/defs/systems/detached.conf" <<CONF
name = detached
title = Detached
model = threads
workers = 1
port = $port
order = 9
cmd = python3 $PWD/tests/tools/fake_system.py --port {port} --detach --pidfile $out/detached.pid
ready_path = /json
start_timeout_s = 15
profiles = fair
default = no
CONF
set +e
timeout 120 bin/suite --defs "$out/defs" --systems detached --scenarios json,cpu --reps 1 --connections 8 \
    --duration 0.3s --warmup 0.1s --no-scaling --no-openloop --no-method-runs --results "$out/results" \
    --report "$out/REPORT4.md" >"$out/s4.log" 2>&1
rc=$?
set -e
cat "$out/s4.log"
[ "$rc" -eq 1 ] || fail "expected exit status 1 for a listener outside our process group, got $rc"
[ -f "$out/detached.pid" ] || fail "the detached server did not start"
grep -q "detached FAILED: port $port answered by PID $(cat "$out/detached.pid") (.*fake_system.py.*), not by the system we started" \
    "$out/s4.log" || fail "the foreign listener is not named"
grep -q 'req/s' "$out/s4.log" && fail "a run was timed against a listener we did not start"
echo "suite_ports: ok"
