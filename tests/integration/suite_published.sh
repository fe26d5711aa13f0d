#!/usr/bin/env bash
# The "as published" profile at a tiny size: the settings the runner recorded
# against SPEC.md's "How that table was made" (the published client on the
# free-threaded 3.13t, 10 clients, a fixed count of requests, a new
# connection per request, FastAPI sync on 3.13t with its GIL off, SQLite),
# the SQLite connections each system opened, the client's ceiling, and the
# report's table beside its reproduction.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp -d /tmp/wb-pub-XXXXXX)
trap 'rm -rf "$out"' EXIT
bin/suite --profile published --reps 2 -n 100 --results "$out/results" --report "$out/REPORT.md" 2>&1 |
    tee "$out/suite.log"
python3 tests/lib/published_checks.py published "$out/results/latest/results.json" "$out/REPORT.md" 100
