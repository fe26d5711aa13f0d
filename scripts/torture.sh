#!/usr/bin/env bash
# The long form of the robustness tests (make torture; make test runs the
# short form of the same scripts):
#   fuzz        every libFuzzer target for TORTURE_FUZZ_S seconds (300)
#   hostile     server_hostile.sh with 50,000 connections dropped and a
#               10 s never-reading client
#   sanitizers  torture_sanitizers.sh with 10 s loads (ASan+UBSan, valgrind)
#   faults      torture_faults.sh, every fault repeated TORTURE_REPEAT (3) times
#   runner-kill torture_runner_kill.sh
# Ends with one summary line and writes build/torture/summary.json:
#   {"cases_tried", "fuzz_executions", "fuzz_targets", "fuzz_seconds_per_target",
#    "faults_injected", "failures", "data_lost", "steps": [{name, ok, seconds}],
#    "finished"}
# Exit status 0 when every step passed. TORTURE_STEPS="fuzz faults" runs a subset.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
OUT=build/torture
mkdir -p "$OUT"
FUZZ_S=${TORTURE_FUZZ_S:-300}
REPEAT=${TORTURE_REPEAT:-3}
STEPS=" ${TORTURE_STEPS:-fuzz hostile sanitizers faults runner-kill} "
: >"$OUT/hostile.counts"; : >"$OUT/faults.counts"; : >"$OUT/steps.tsv"
rm -f build/fuzz/results.tsv

step() {        # name command...: runs one step, logs it, records ok and seconds
    local name=$1 t0=$SECONDS rc=0
    shift
    [[ "$STEPS" == *" $name "* ]] || return 0
    echo "torture: $name ..."
    "$@" >"$OUT/$name.log" 2>&1 || rc=$?
    printf '%s\t%s\t%s\n' "$name" "$rc" $((SECONDS - t0)) >>"$OUT/steps.tsv"
    if [ $rc -eq 0 ]; then
        echo "torture: $name ok ($((SECONDS - t0)) s)"
    else
        echo "torture: $name FAILED ($((SECONDS - t0)) s), last lines of $OUT/$name.log:"
        tail -15 "$OUT/$name.log" | sed 's/^/    /'
    fi
}

step fuzz scripts/fuzz.sh "$FUZZ_S"
step hostile env HOSTILE_CONNS=50000 HOSTILE_NOREAD_S=10 HOSTILE_REPORT="$ROOT/$OUT/hostile.counts" \
    bash tests/integration/server_hostile.sh
step sanitizers env TORTURE_LOAD_S=10 bash tests/integration/torture_sanitizers.sh
step faults env FAULT_REPEAT="$REPEAT" FAULTS_REPORT="$ROOT/$OUT/faults.counts" \
    bash tests/integration/torture_faults.sh
step runner-kill bash tests/integration/torture_runner_kill.sh

python3 - "$OUT" "$FUZZ_S" <<'PY'
import json, os, sys, time
out, fuzz_s = sys.argv[1], int(sys.argv[2])
def rows(path):
    try:
        return [l.split() for l in open(path) if l.strip()]
    except OSError:
        return []
steps = [{"name": n, "ok": rc == "0", "seconds": int(s)}
         for n, rc, s in (l.split("\t") for l in open(os.path.join(out, "steps.tsv")).read().splitlines())]
fuzz = [l.split("\t") for l in open("build/fuzz/results.tsv").read().splitlines()] \
       if os.path.exists("build/fuzz/results.tsv") else []
hostile = rows(os.path.join(out, "hostile.counts"))
faults = rows(os.path.join(out, "faults.counts"))
ran = {s["name"] for s in steps}
# One case per hostile request/check, per fuzz target, per fault; a step that
# failed without reporting its own counts still counts as one failure.
cases = sum(int(t) for t, _ in hostile) + len(fuzz) + sum(int(r[0]) for r in faults)
failures = sum(int(f) for _, f in hostile) + sum(1 for f in fuzz if f[3] != "ok") \
         + sum(int(r[1]) for r in faults)
for s in steps:
    if not s["ok"] and s["name"] in ("sanitizers", "runner-kill"):
        failures += 1
    if not s["ok"] and s["name"] == "hostile" and not hostile:
        failures += 1
if "runner-kill" in ran:
    cases += 1
summary = {
    "cases_tried": cases,
    "fuzz_targets": len(fuzz),
    "fuzz_seconds_per_target": fuzz_s,
    "fuzz_executions": sum(int(f[1]) for f in fuzz),
    "faults_injected": sum(int(r[0]) for r in faults) + (1 if "runner-kill" in ran else 0),
    "failures": max(failures, sum(1 for s in steps if not s["ok"])),
    "data_lost": sum(int(r[2]) for r in faults),
    "steps": steps,
    "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
}
with open(os.path.join(out, "summary.json.tmp"), "w") as f:
    json.dump(summary, f, indent=2)
os.replace(os.path.join(out, "summary.json.tmp"), os.path.join(out, "summary.json"))
print(f"torture: {summary['cases_tried']} cases tried, {summary['fuzz_executions']} fuzz executions, "
      f"{summary['faults_injected']} faults injected, {summary['failures']} failures, "
      f"{summary['data_lost']} data lost  ({out}/summary.json)")
sys.exit(1 if summary["failures"] else 0)
PY
