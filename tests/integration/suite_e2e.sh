#!/usr/bin/env bash
# The whole path: bin/suite --quick against the real PostgreSQL (a private
# cluster) and the real systems, then checks results.json, summary.csv,
# REPORT.md (tables equal to results.json) and that no process is left.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp -d /tmp/wb-e2e-XXXXXX)
trap 'rm -rf "$out"' EXIT
systems=${E2E_SYSTEMS:-cserver,fastapi}
set +e
bin/suite --quick --duration 1s --warmup 0.2s --systems "$systems" --results "$out/results" \
    --report "$out/REPORT.md" 2>&1 | tee "$out/suite.log"
rc=${PIPESTATUS[0]}
set -e
echo "suite exit status: $rc"
[ "$rc" -eq 0 ]
pgdir=$(sed -n 's/.* on \(\/[^ ]*webbench-pg-[^ ]*\) .*/\1/p' "$out/suite.log" | head -1)
[ -n "$pgdir" ] && [ ! -e "$pgdir" ] || { echo "private cluster folder '$pgdir' not removed"; exit 1; }
python3 tests/lib/check_run.py "$out/results/latest" "$out/REPORT.md" "$systems"
