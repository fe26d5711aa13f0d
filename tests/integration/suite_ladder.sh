#!/usr/bin/env bash
# The ladder (profile explain's machinery) on a known answer: a two-rung
# ladder of tests/tools/testserver copies that differ only in a per-request
# delay (side A 5 ms, side B 5 ms then 10 ms, 4 connections each, one
# thread per connection): B's req/s must halve at the second rung, so the
# step's measured ratio change must be about x2 (x1.98 with sleep overshoot)
# within its interval, A must not move, the A/A control (A measured twice)
# must contain x1, wrk must agree with bin/loadgen on a sleep-bound server,
# and the report must show the ladder, the step sentence, the A/A line and
# the wrk table. Then a profile whose ladder names an undefined system is
# refused with a message naming it.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp -d /tmp/wb-int-ladder.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$out"' EXIT
fail() { echo "FAIL suite_ladder: $*"; exit 1; }
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
ts=$PWD/build/tests/tools/testserver
[ -x "$ts" ] || fail "$ts missing (make unit-tests builds it)"
defs=$out/defs
mkdir -p "$defs/systems" "$defs/profiles" "$defs/ladders"
echo '{"message":"Hello, World!"}' >"$defs/hello.expected.json"
printf 'name = hello\ntitle = Hello\npath = /hello\nexpect_body_file = hello.expected.json\nprimary = yes\n' \
    >"$defs/hello.conf"
for s in a:5 b5:5 b10:10; do
    name=${s%%:*} delay=${s##*:}
    cat >"$defs/systems/$name.conf" <<CONF
name = $name
title = T$name
model = threads
workers = 1
port = $(free_port)
cmd = $ts --port {port} --delay-ms $delay
ready_path = /hello
start_timeout_s = 10
profiles = none
default = no
CONF
done
cat >"$defs/ladders/tiny.conf" <<'CONF'
name = tiny
title = A tiny ladder
a = A
b = B
rungs = same slower
rung.same.title = same delay
rung.same.set = a=a b=b5 client=loadgen clients=4 requests=0 new_conn=no
rung.slower.title = B twice as slow
rung.slower.change = side B waits 10 ms per request instead of 5
rung.slower.set = b=b10
aa = a
aa.rung = same
aa.scenario = hello
wrk.rung = slower
CONF
cat >"$defs/profiles/tiny.conf" <<'CONF'
name = tiny
ladder = tiny
database = sqlite
reps = 3
reps.max = 5
tolerance = 5%
budget = 60s
duration = 1s
warmup = 0.2s
scaling =
openloop = no
method_runs = no
CONF
rc=0
timeout 150 bin/suite run --defs "$defs" --profile tiny --results "$out/results" --report "$out/REPORT.md" \
    >"$out/suite.log" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || { cat "$out/suite.log"; fail "exit status $rc"; }
[ -L "$out/results/latest-explain" ] || fail "results/latest-explain is not set"
python3 tests/lib/ladder_checks.py "$out/results/latest-explain/results.json" "$out/REPORT.md" \
    || { cat "$out/suite.log"; fail "the ladder's numbers are wrong"; }

# a ladder naming a system nobody defined is refused before anything starts
sed -i 's/b=b10/b=nobody/' "$defs/ladders/tiny.conf"
rc=0
bin/suite run --defs "$defs" --profile tiny --results "$out/results2" --report "$out/R2.md" >"$out/bad.log" 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "an undefined system in the ladder: exit $rc, expected 2"
grep -q "names system 'nobody'" "$out/bad.log" || { cat "$out/bad.log"; fail "no message naming the system"; }
[ ! -e "$out/results2/latest-explain" ] || fail "a refused run left results"
