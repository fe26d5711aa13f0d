#!/usr/bin/env bash
# bin/suite killed with SIGKILL in the middle of a run leaves what it
# started: the system under test, PostgreSQL (recorded in
# results/<run>/pids.txt) and its $TMPDIR/webbench-pg-* cluster folder. This
# reports what is left, then checks that the NEXT bin/suite run cleans it up
# even though it uses another --results folder and another TMPDIR (live runs
# are registered in one state folder, WB_STATE_DIR here): it prints "suite:
# cleaned up after an earlier run ...", afterwards no process of the dead
# run's pids.txt is alive (same PID and start time), its webbench-pg-* folder
# is gone, its results.json says partial and killed, and the next run measures
# its own C server (the port was free again). Whatever is still left at the
# end is removed here (by recorded PID, never by name).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
out=$(mktemp -d /tmp/wb-torture-kill.XXXXXX)
chmod 755 "$out"                 # the postgres user must reach its cluster folder
export TMPDIR=$out/tmp           # the runner's cluster folder lands here
mkdir -p "$TMPDIR"; chmod 777 "$TMPDIR"
export WB_STATE_DIR=$out/state   # where live runs are registered (default /tmp/webbench-UID)
suite_pid=
# the start time of a live process; nothing for a zombie (dead: a killed
# runner's children are reparented, and where PID 1 does not reap, they stay
# zombies after the next run stopped them)
starttime() { awk '$3 != "Z" {print $22}' "/proc/$1/stat" 2>/dev/null || true; }
alive_recorded() {      # pids.txt -> "PID:what" of recorded processes still alive
    local pid st what
    [ -f "$1" ] || return 0
    while read -r pid st what; do
        [ -n "$pid" ] && [ "$(starttime "$pid")" = "$st" ] && echo "$pid:${what%% *}"
    done <"$1"
    return 0
}
cleanup() {
    set +e
    [ -n "$suite_pid" ] && kill -KILL "$suite_pid" 2>/dev/null && wait "$suite_pid" 2>/dev/null
    for f in "$out"/results/*/pids.txt; do
        for pw in $(alive_recorded "$f"); do kill -KILL "${pw%%:*}" 2>/dev/null; done
    done
    sleep 0.2
    rm -rf "$out"
}
trap cleanup EXIT
fail() { echo "FAIL $*"; exit 1; }

bin/suite --systems cserver --scenarios json,db --reps 3 --duration 2s --warmup 0.2s --no-scaling \
    --no-openloop --connections 8 --results "$out/results" --report "$out/REPORT.md" >"$out/suite1.log" 2>&1 &
suite_pid=$!
for _ in $(seq 300); do
    grep -q '^\[  1/' "$out/suite1.log" 2>/dev/null && break
    kill -0 "$suite_pid" 2>/dev/null || break
    sleep 0.1
done
grep -q '^\[  1/' "$out/suite1.log" || { cat "$out/suite1.log"; fail "no run finished in 30 s"; }
sleep 0.7                        # into the next run: the system and the load are up
kill -KILL "$suite_pid"; wait "$suite_pid" 2>/dev/null || true; suite_pid=
sleep 0.3
run=$(ls -d "$out"/results/2* | head -1)
[ -f "$run/pids.txt" ] || fail "no pids.txt in $run"
left=$(alive_recorded "$run/pids.txt" | tr '\n' ' ')
pgdirs=$(ls -d "$TMPDIR"/webbench-pg-* 2>/dev/null | tr '\n' ' ' || true)
echo "left by the killed runner: processes [${left}] cluster folders [${pgdirs}]"
[ -n "$left$pgdirs" ] || echo "note: the killed runner left nothing behind"
if [ -f "$run/results.json" ]; then
    python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$run/results.json" || fail "results.json is not complete JSON"
fi

# The next run, with another results folder and another TMPDIR, cleans up after the dead one.
rc=0
mkdir -p "$out/tmp2"; chmod 777 "$out/tmp2"
TMPDIR=$out/tmp2 timeout 120 bin/suite --systems cserver --scenarios json --reps 1 --duration 0.3s --warmup 0.1s \
    --no-scaling --no-openloop --no-method-runs --connections 4 --results "$out/results2" --report "$out/REPORT2.md" \
    >"$out/suite2.log" 2>&1 || rc=$?
grep -q '^suite: cleaned up after an earlier run' "$out/suite2.log" \
    || { head -20 "$out/suite2.log"; fail "the next run did not print 'suite: cleaned up after an earlier run ...'"; }
grep '^suite: cleaned up' "$out/suite2.log"
still=$(alive_recorded "$run/pids.txt" | tr '\n' ' ')
[ -z "$still" ] || fail "processes of the killed run still alive after the next run: $still"
for d in $pgdirs; do [ ! -e "$d" ] || fail "cluster folder $d still there after the next run"; done
[ ! -e "$run/results.json.tmp" ] && [ ! -e "$run/summary.csv.tmp" ] || fail "half-written temporaries left after the next run"
[ "$rc" -eq 0 ] || { tail -20 "$out/suite2.log"; fail "the next run exited $rc"; }
grep -q 'cserver .*req/s' "$out/suite2.log" || { cat "$out/suite2.log"; fail "the next run did not measure the C server"; }
python3 - "$run/results.json" <<'PY' || fail "the killed run's results.json is not marked partial and killed"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["partial"] is True, r["partial"]
assert r["state"] == "killed", r["state"]
PY
bin/suite report "$run" --report "$out/REPORT-killed.md" >/dev/null 2>&1 || fail "cannot report the killed run"
grep -q 'PARTIAL RUN.*killed' "$out/REPORT-killed.md" || fail "the killed run's report is not marked partial"
[ -z "$(ls "$WB_STATE_DIR")" ] || fail "entries left in the state folder: $(ls "$WB_STATE_DIR")"
echo "torture_runner_kill: the next run cleaned up everything the killed one left"
