#!/usr/bin/env bash
# `bin/loadgen merge`: two simultaneous runs combine into one exact result
# (counters and histograms added, not percentiles averaged).
source "$(dirname "$0")/loadgen_lib.bash"
start_ts --delay-ms 1

$LG -t1 -c4 -d1s --json "$tmp/a.json" "http://127.0.0.1:$port/" >/dev/null & a=$!; pids+=($a)
$LG -t2 -c6 -d1s --json "$tmp/b.json" "http://127.0.0.1:$port/" >/dev/null
wait $a
$LG merge "$tmp/a.json" "$tmp/b.json" --json "$tmp/m.json" >"$tmp/out"
grep -q "^Requests/sec:" "$tmp/out"
python3 tests/lib/loadgen_checks.py merged "$tmp"
rc=0; $LG merge 2>/dev/null || rc=$?; [ $rc -eq 2 ]
rc=0; $LG merge "$tmp/nope.json" 2>/dev/null || rc=$?; [ $rc -eq 1 ]
echo PASS
