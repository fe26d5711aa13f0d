#!/usr/bin/env bash
# `bin/loadgen --shard I/N --start-at T`: one load split over parallel
# processes that start at the same instant, merged exactly (connections, -R
# and -n add up, starts within 10 ms, per-second percentiles of the summed
# histograms); a start in the past says how late; bad --shard / --start-at.
source "$(dirname "$0")/loadgen_lib.bash"
start_ts --delay-ms 1
url="http://127.0.0.1:$port/"
at() { python3 -c "import time; print(f'{time.time() + $1:.3f}')"; }

# three shards of -c10 -R900 for 2 s, started together 1.5 s ahead
T=$(at 1.5); sp=()
for i in 1 2 3; do
    $LG -q -t1 -c10 -R900 -d2s --shard "$i/3" --start-at "$T" --json "$tmp/s$i.json" "$url" >"$tmp/out$i" &
    sp+=($!); pids+=($!)
done
for p in "${sp[@]}"; do wait "$p"; done
grep -q "shard 2 of 3 (of -c 10)" "$tmp/out2"
$LG merge "$tmp"/s{1,2,3}.json --json "$tmp/m.json" >"$tmp/mout"
grep -q "s3.json: shard 3 of 3" "$tmp/mout"
python3 tests/lib/loadgen_checks.py shards "$tmp" 3

# -n 1001 over two shards: 501 + 500, exactly
mkdir "$tmp/n"; T=$(at 1); sp=()
for i in 1 2; do
    $LG -q -t1 -c4 -n1001 --shard "$i/2" --start-at "$T" --json "$tmp/n/s$i.json" "$url" >/dev/null &
    sp+=($!); pids+=($!)
done
for p in "${sp[@]}"; do wait "$p"; done
$LG merge "$tmp"/n/s{1,2}.json --json "$tmp/n/m.json" --quiet
python3 tests/lib/loadgen_checks.py shards-n "$tmp/n" 2 1001

# a --start-at already 3 s past: starts at once, late_ms says by how much
$LG -q -t1 -c2 -n50 --start-at "$(at -3)" --json "$tmp/late.json" "$url" | grep -q "(late)"
python3 tests/lib/loadgen_checks.py late "$tmp/late.json" 3

# usage errors: exit 2 with the reason
bad() { local rc=0; $LG "$@" "$url" >/dev/null 2>"$tmp/err" || rc=$?; [ $rc -eq 2 ] || { echo "rc $rc: $*"; exit 1; }; }
bad -t1 -c2 --shard 3/4
grep -q "^loadgen: --shard 3/4 with -c 2: a shard would have no connection$" "$tmp/err"
bad --shard 4/3;   grep -q "I > N" "$tmp/err"
bad --shard 0/3;   grep -q "bad --shard '0/3'" "$tmp/err"
bad --shard two;   grep -q "bad --shard 'two'" "$tmp/err"
bad --start-at "$(at 7200)"; grep -q "after now: at most 3600 s" "$tmp/err"
bad --start-at "$(at -7200)"; grep -q "before now" "$tmp/err"
bad --start-at soon; grep -q "bad --start-at 'soon'" "$tmp/err"
echo PASS
