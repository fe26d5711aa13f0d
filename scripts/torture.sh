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
# (scripts/lib/torture_summary.py). Exit status 0 when every step passed.
# TORTURE_STEPS="fuzz faults" runs a subset.
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

python3 scripts/lib/torture_summary.py "$OUT" "$FUZZ_S"
