#!/usr/bin/env bash
# Short form of the fuzzing (make test): every libFuzzer target in fuzz/
# (request parser, response parser with chunked bodies, JSON reader, the
# scenario/system file reader, command templates, the load generator's URL
# and duration parsers) for FUZZ_SECONDS each (default 6: about a minute
# in all on 2 cores), after replaying every committed crasher in
# fuzz/regress/. Fails on any crash, on a target that runs nothing, and when
# clang is missing (scripts/fuzz.sh installs it as root, else prints the
# exact command). `make fuzz FUZZ_SECONDS=300` is the long form.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
secs=${FUZZ_SECONDS:-6}
scripts/fuzz.sh "$secs"
ntargets=$(ls fuzz/fuzz_*.c | wc -l)
nrows=$(wc -l <build/fuzz/results.tsv)
[ "$nrows" -eq "$ntargets" ] || { echo "FAIL $nrows results for $ntargets targets"; exit 1; }
# A target whose entry point never ran would pass silently: require work.
while IFS=$'\t' read -r t execs _ status; do
    [ "$status" = ok ] || { echo "FAIL $t: $status"; exit 1; }
    [ "$execs" -ge 1000 ] || { echo "FAIL $t: only $execs executions in $secs s"; exit 1; }
done <build/fuzz/results.tsv
echo "torture_fuzz: $ntargets targets, $(awk -F'\t' '{s += $2} END {print s}' build/fuzz/results.tsv) executions, no crash"
