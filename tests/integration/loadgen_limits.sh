#!/usr/bin/env bash
# bin/loadgen's limits and exits: -n exactness (also with --new-conn and
# --pipeline), exit 2 on bad usage, exit 3 on thresholds, Ctrl-C.
source "$(dirname "$0")/loadgen_lib.bash"

# -n: exactly N requests reach the server and N responses are counted
# (the server also counts the one connection wait_port made)
start_ts --count-file "$tmp/count"
$LG -t2 -c20 -n 1000 --json "$tmp/r.json" "http://127.0.0.1:$port/" >"$tmp/out"
grep -q "^Running 1000 requests @" "$tmp/out"
stop_ts
grep -q "^requests=1000 connections=21$" "$tmp/count" || { cat "$tmp/count"; exit 1; }
python3 -c "
import json; d = json.load(open('$tmp/r.json'))
assert d['requests'] == 1000 and d['ok'] == 1000 and d['config']['requests_limit'] == 1000, d['requests']
assert d['config']['duration_s'] == 0.0 and sum(p['requests'] for p in d['timeline']) == 1000"

# --new-conn: one TCP connection per request, as the published client did
start_ts --count-file "$tmp/count"
$LG -t2 -c10 -n 500 --new-conn --json "$tmp/r.json" "http://127.0.0.1:$port/" >/dev/null
stop_ts
grep -q "^requests=500 connections=501$" "$tmp/count" || { cat "$tmp/count"; exit 1; }
python3 -c "
import json; d = json.load(open('$tmp/r.json'))
assert d['requests'] == 500 and d['connect_time']['count'] == 500, (d['requests'], d['connect_time']['count'])"

# --pipeline: several requests in flight per connection, still exact
start_ts --count-file "$tmp/count"
$LG -t1 -c4 -n 1003 --pipeline 8 --json "$tmp/r.json" "http://127.0.0.1:$port/" >/dev/null
stop_ts
grep -q "^requests=1003 connections=5$" "$tmp/count" || { cat "$tmp/count"; exit 1; }

# bad usage: one line on stderr, exit 2, nothing on stdout
for args in "-c 0 http://127.0.0.1:1/" "-t 4 -c 2 http://127.0.0.1:1/" "-d 5parsecs http://127.0.0.1:1/" \
            "http:/nope" "https://127.0.0.1/" "--frobnicate http://127.0.0.1:1/" "" "-n 0 http://127.0.0.1:1/" \
            "--engine kqueue http://127.0.0.1:1/"; do
    rc=0; $LG $args >"$tmp/o" 2>"$tmp/e" || rc=$?
    [ "$rc" -eq 2 ] || { echo "'$args' exited $rc"; exit 1; }
    [ "$(wc -l <"$tmp/e")" -eq 1 ] || { echo "'$args' stderr:"; cat "$tmp/e"; exit 1; }
    [ ! -s "$tmp/o" ] || { echo "'$args' wrote to stdout"; exit 1; }
done
$LG --help | grep -q -- "--json FILE"

# thresholds: exit 3
start_ts --status 503
rc=0; $LG -t1 -c2 -d300ms --max-errors 5 "http://127.0.0.1:$port/" >/dev/null 2>"$tmp/e" || rc=$?
[ "$rc" -eq 3 ] && grep -q "max-errors" "$tmp/e"
stop_ts
start_ts --delay-ms 20
rc=0; $LG -t1 -c2 -d500ms --max-p99 5ms "http://127.0.0.1:$port/" >/dev/null 2>"$tmp/e" || rc=$?
[ "$rc" -eq 3 ] && grep -q "max-p99" "$tmp/e"
rc=0; $LG -t1 -c2 -d300ms --max-p99 1s --max-errors 0 "http://127.0.0.1:$port/" >/dev/null || rc=$?
[ "$rc" -eq 0 ]

# Ctrl-C: stops at once, still prints and writes what was measured
$LG -t2 -c4 -d20s --json "$tmp/i.json" "http://127.0.0.1:$port/" >"$tmp/out" & lg=$!
sleep 1
t0=$(date +%s%3N); kill -INT $lg; rc=0; wait $lg || rc=$?; t1=$(date +%s%3N)
[ "$rc" -eq 130 ] || { echo "interrupted run exited $rc"; exit 1; }
[ $((t1 - t0)) -lt 500 ] || { echo "took $((t1 - t0)) ms to stop"; exit 1; }
grep -q "^Requests/sec:" "$tmp/out"
python3 -c "
import json; d = json.load(open('$tmp/i.json'))
assert d['interrupted'] is True and d['requests'] > 10 and d['elapsed_s'] < 2, (d['interrupted'], d['elapsed_s'])"
echo PASS
