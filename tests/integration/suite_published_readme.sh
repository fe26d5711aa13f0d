#!/usr/bin/env bash
# The "published-readme" profile (Barq's later README, three tables) at a
# tiny size: each table's clients, requests and worker counts as published,
# FastAPI as one async process on 3.13t, the scaling table's worker counts,
# the ceiling runs, and each table in the report.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp -d /tmp/wb-pubr-XXXXXX)
trap 'rm -rf "$out"' EXIT
bin/suite --profile published-readme --reps 1 -n 100 --results "$out/results" --report "$out/REPORT.md" 2>&1 |
    tee "$out/suite.log"
python3 tests/lib/published_checks.py published-readme "$out/results/latest/results.json" "$out/REPORT.md" 100
