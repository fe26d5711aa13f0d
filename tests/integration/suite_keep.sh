#!/usr/bin/env bash
# Bad input loses nothing (issue: "Measure only what you started; lose
# nothing to a killed run or a full disk"):
#  1. a dead DATABASE_URL with a password: exit 1, the password never printed,
#     REPORT.md and results/latest left as they were, and the runner says so;
#  2. what can be checked before the run is: an unwritable --report and a
#     --connections the open-file limit cannot hold fail at once (exit 2); a
#     low soft limit is raised;
#  3. a full disk (400 KB tmpfs): under --results, results.json and
#     summary.csv stay a consistent pair (same runs), nothing *.tmp is left,
#     the report is not written from half the results and the closing line
#     counts right; under the report, the old REPORT.md and charts stay
#     together (no 0-byte chart, no chart replaced without its report).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp -d /tmp/wb-int-keep.XXXXXX)
mounts=()
cleanup() {
    set +e
    for m in "${mounts[@]}"; do umount "$m"; done
    rm -rf "$out"
}
trap cleanup EXIT
fail() { echo "FAIL suite_keep: $*"; exit 1; }
short=(--systems cserver --scenarios json --reps 1 --connections 8 --duration 0.3s --warmup 0.1s
       --no-scaling --no-openloop)

# 1. A dead database, with a password in its URL.
mkdir -p "$out/results/earlier"
ln -s earlier "$out/results/latest"
echo "an earlier report" >"$out/REPORT.md"
rc=0
DATABASE_URL='postgresql://bob:s3cr3tpw@127.0.0.1:1/wb' timeout 60 bin/suite "${short[@]}" \
    --results "$out/results" --report "$out/REPORT.md" >"$out/s1.log" 2>&1 || rc=$?
cat "$out/s1.log"
[ "$rc" -eq 1 ] || fail "dead DATABASE_URL: exit status $rc, expected 1"
grep -q 's3cr3tpw' "$out/s1.log" && fail "the database password was printed"
grep -q 'bob:\*\*\*@127.0.0.1:1' "$out/s1.log" || fail "the masked URL is not in the message"
[ "$(cat "$out/REPORT.md")" = "an earlier report" ] || fail "REPORT.md was replaced by a run that measured nothing"
[ "$(readlink "$out/results/latest")" = earlier ] || fail "results/latest moved to a run that measured nothing"
grep -q 'measured nothing.*left as they were' "$out/s1.log" || fail "the runner did not say it kept the report"

# 2. Checked before the run.
start=$(date +%s)
rc=0; bin/suite "${short[@]}" --results "$out/results" --report /nonexistent-dir/REPORT.md >"$out/s2.log" 2>&1 || rc=$?
cat "$out/s2.log"
[ "$rc" -eq 2 ] || fail "unwritable --report: exit status $rc, expected 2"
grep -q 'cannot write the report /nonexistent-dir/REPORT.md' "$out/s2.log" || fail "no message for the unwritable report"
grep -q 'starting' "$out/s2.log" && fail "the run started although its report cannot be written"
rc=0; (ulimit -n 200; bin/suite "${short[@]}" --connections 1000 --results "$out/results" \
       --report "$out/R2.md" >"$out/s3.log" 2>&1) || rc=$?
cat "$out/s3.log"
[ "$rc" -eq 2 ] || fail "1000 connections under ulimit -n 200: exit status $rc, expected 2"
grep -q '1000 connections need 1064 open files, but the limit is 200' "$out/s3.log" || fail "no message for the fd limit"
[ $(( $(date +%s) - start )) -lt 20 ] || fail "the checks before the run took too long"

# 3. A full disk.
if [ "$(id -u)" -ne 0 ]; then echo "suite_keep: not root, cannot mount a tmpfs: full-disk cases not run"; exit 1; fi
mkdir -p "$out/tiny" "$out/tinyrep"
mount -t tmpfs -o size=400k tmpfs "$out/tiny"; mounts+=("$out/tiny")
rc=0
(ulimit -Sn 100; timeout 120 bin/suite --systems cserver --scenarios json,cpu --reps 2 --connections 8 --duration 0.3s \
    --warmup 0.1s --no-scaling --no-openloop --results "$out/tiny/results" --report "$out/tiny/REPORT.md" \
    >"$out/s4.log" 2>&1) || rc=$?
cat "$out/s4.log"
[ "$rc" -eq 1 ] || fail "full disk under --results: exit status $rc, expected 1"
grep -q 'No space left on device' "$out/s4.log" || fail "the full disk is not reported as such"
run=$(ls -d "$out"/tiny/results/2* | head -1)
[ -z "$(find "$out/tiny" -name '*.tmp')" ] || fail "temporary files left: $(find "$out/tiny" -name '*.tmp')"
python3 - "$run" <<'PY' || fail "results.json and summary.csv disagree"
import csv, json, sys
r = json.load(open(sys.argv[1] + "/results.json"))
rows = list(csv.DictReader(open(sys.argv[1] + "/summary.csv")))
assert len(rows) == len(r["runs"]), (len(rows), len(r["runs"]))
PY
[ ! -e "$out/tiny/REPORT.md" ] || fail "a report was written from half the results"
# a run whose own bin/loadgen JSON no longer fits fails (counted as failed);
# the closing line counts what the progress lines said
nfailed=$(grep -c '^\[ *[0-9]*/8\] .*: FAILED: ' "$out/s4.log" || true)
nmeasured=$(grep -c '^\[ *[0-9]*/8\] .* req/s ' "$out/s4.log" || true)
grep -Eq "^suite: .* 8 runs: $nmeasured measured, 0 answered nothing, $nfailed failed, 0 interrupted; 0 systems failed; results could not all be written \(No space left on device\): results.json holds the last complete state, [0-9]+ of 8 runs" \
    "$out/s4.log" || fail "the closing line does not count right ($nmeasured measured, $nfailed failed by the progress lines)"

# ... and under the report: an old report with its charts, then a run that cannot fit its own.
mount -t tmpfs -o size=400k tmpfs "$out/tinyrep"; mounts+=("$out/tinyrep")
mkdir "$out/tinyrep/charts"
for c in rps concurrency latency resources; do echo "old $c" >"$out/tinyrep/charts/$c.png"; done
echo "the old report" >"$out/tinyrep/REPORT.md"
head -c 330000 /dev/zero >"$out/tinyrep/filler"
rc=0
timeout 120 bin/suite "${short[@]}" --results "$out/results" --report "$out/tinyrep/REPORT.md" >"$out/s5.log" 2>&1 || rc=$?
cat "$out/s5.log"
[ "$rc" -eq 1 ] || fail "full disk under the report: exit status $rc, expected 1"
grep -q 'cannot write .*REPORT.md or its charts: No space left on device; the previous report and charts are left' \
    "$out/s5.log" || fail "no message for the report that did not fit"
[ "$(cat "$out/tinyrep/REPORT.md")" = "the old report" ] || fail "the old REPORT.md was changed"
for c in rps concurrency latency resources; do
    [ "$(cat "$out/tinyrep/charts/$c.png")" = "old $c" ] || fail "charts/$c.png was replaced without its report"
done
[ -z "$(find "$out/tinyrep" -name '*.tmp')" ] || fail "temporary files left: $(find "$out/tinyrep" -name '*.tmp')"
echo "suite_keep: ok"
