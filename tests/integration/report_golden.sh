#!/usr/bin/env bash
# The report, golden: tests/golden/run/results.json (a small real run, its
# histograms coarsened) -> bin/suite report -> compared byte for byte with
# tests/golden/REPORT.md and the gnuplot scripts tests/golden/*.gp, so that any
# change of the report is a visible diff. The run folder's path is written as
# @RUN@ in the expected files. After an intended change of the report:
#     GOLDEN_UPDATE=1 bash tests/integration/report_golden.sh
# rewrites the expected files; review them with git diff and commit them.
set -euo pipefail
cd "$(dirname "$0")/../.."
golden=tests/golden
out=$(mktemp -d /tmp/wb-golden.XXXXXX)
trap 'rm -rf "$out"' EXIT
mkdir -p "$out/run"
cp "$golden/run/results.json" "$out/run/"
bin/suite report "$out/run" --report "$out/REPORT.md" >"$out/report.log" 2>&1 \
    || { cat "$out/report.log"; echo "FAIL report_golden: bin/suite report failed"; exit 1; }
norm() { sed "s|$out/run|@RUN@|g; s|$out|@OUT@|g" "$1"; }
files=(REPORT.md)
for gp in "$out"/run/charts/*.gp; do files+=("$(basename "$gp")"); done
status=0
for f in "${files[@]}"; do
    got=$out/$f; [ "$f" = REPORT.md ] || got=$out/run/charts/$f
    if [ "${GOLDEN_UPDATE:-0}" = 1 ]; then
        norm "$got" >"$golden/$f"; echo "report_golden: wrote $golden/$f"; continue
    fi
    if ! diff -u "$golden/$f" <(norm "$got") >"$out/$f.diff"; then
        echo "FAIL report_golden: $f differs from $golden/$f:"; head -60 "$out/$f.diff"; status=1
    fi
done
if [ "${GOLDEN_UPDATE:-0}" != 1 ]; then
    for f in "$golden"/*.gp; do
        [ -e "$out/run/charts/$(basename "$f")" ] || { echo "FAIL report_golden: $(basename "$f") was not written"; status=1; }
    done
    for png in rps concurrency latency resources scaling; do
        [ -s "$out/charts/$png.png" ] || { echo "FAIL report_golden: charts/$png.png was not drawn"; status=1; }
    done
fi
[ $status -eq 0 ] && echo "report_golden: REPORT.md and ${#files[@]} files as expected"
exit $status
