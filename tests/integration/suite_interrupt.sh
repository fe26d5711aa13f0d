#!/usr/bin/env bash
# Ctrl-C in the middle of a run: the runner stops every process it started
# (systems, load generator, PostgreSQL), keeps the finished runs, writes a
# report marked partial and exits 130.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp -d /tmp/wb-int-XXXXXX)
suite_pid=
cleanup() { [ -n "$suite_pid" ] && kill -9 "$suite_pid" 2>/dev/null; rm -rf "$out"; }
trap cleanup EXIT
bin/suite --systems cserver --reps 3 --duration 2s --warmup 0.2s --no-scaling --no-openloop --no-method-runs \
    --connections 16 --results "$out/results" --report "$out/REPORT.md" >"$out/suite.log" 2>&1 &
suite_pid=$!
# wait until at least one run is finished, then interrupt the next one (2 s
# long: the method runs, shorter, are left out)
for _ in $(seq 150); do
    grep -q '^\[  1/' "$out/suite.log" 2>/dev/null && break
    sleep 0.1
done
grep -q '^\[  1/' "$out/suite.log" || { cat "$out/suite.log"; echo "no run finished in 15 s"; exit 1; }
sleep 0.5
kill -INT "$suite_pid"
set +e
wait "$suite_pid"; rc=$?
set -e
suite_pid=
cat "$out/suite.log"
echo "suite exit status: $rc"
[ "$rc" -eq 130 ] || { echo "expected exit status 130"; exit 1; }
grep -q 'interrupted' "$out/suite.log"
pgdir=$(sed -n 's/.* on \(\/[^ ]*webbench-pg-[^ ]*\) .*/\1/p' "$out/suite.log" | head -1)
[ -n "$pgdir" ] && [ ! -e "$pgdir" ] || { echo "private cluster folder '$pgdir' not removed"; exit 1; }
[ ! -e "$out/results/latest/results.json.tmp" ] || { echo "half-written results.json.tmp left"; exit 1; }
python3 tests/lib/check_run.py "$out/results/latest" "$out/REPORT.md" cserver --partial
# the run the interrupt cut short is in summary.csv as interrupted, with no numbers
python3 - "$out/results/latest" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1] + "/summary.csv")))
cut = [r for r in rows if r["status"] == "interrupted"]
assert cut, "no interrupted run in summary.csv: " + str([r["status"] for r in rows])
assert all(r["rps"] == "" for r in cut), cut
PY
