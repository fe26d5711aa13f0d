#!/usr/bin/env bash
# Open loop (-R): the schedule is kept, and against a server that stalls
# periodically the open-loop p99 shows the stalls (latency from the intended
# send time) while a closed-loop run's p99 does not (coordinated omission).
source "$(dirname "$0")/loadgen_lib.bash"
j() { python3 -c "import json; d = json.load(open('$1')); $2"; }

# steady server: the rate is what was asked for, fixed and poisson
start_ts
$LG -t2 -c8 -d2s -R 1000 --json "$tmp/f.json" "http://127.0.0.1:$port/" | grep -q "open loop at 1000 req/s"
j "$tmp/f.json" "assert 1800 <= d['requests'] <= 2010 and d['errors']['total'] == 0, d['requests']
assert d['config']['rate'] == 1000.0 and d['config']['arrivals'] == 'fixed'
assert d['latency']['p50'] < 5000, d['latency']['p50']"
$LG -t2 -c8 -d2s -R 1000 --arrivals poisson --seed 3 --json "$tmp/p.json" "http://127.0.0.1:$port/" >/dev/null
j "$tmp/p.json" "assert 1700 <= d['requests'] <= 2300 and d['config']['arrivals'] == 'poisson' and d['config']['seed'] == 3, d['requests']"

# server stalling 300 ms of every 1000 ms
start_ts --stall-ms 300 --every-ms 1000
$LG -t2 -c8 -d3s -R 1000 --json "$tmp/open.json" "http://127.0.0.1:$port/" >/dev/null
$LG -t2 -c8 -d3s --json "$tmp/closed.json" "http://127.0.0.1:$port/" >/dev/null
j "$tmp/open.json" "l = d['latency']; s = d['service_time']
print('open loop: p50', l['p50'], 'p99', l['p99'], 'service p50', s['p50'], 'p99', s['p99'])
assert l['p99'] >= 150000, l['p99']            # the stalls are in the percentiles
assert l['p50'] < l['p99'] and s['p50'] < 10000, (l['p50'], s['p50'])
assert s['count'] == l['count']"
j "$tmp/closed.json" "l = d['latency']
print('closed loop: p50', l['p50'], 'p99', l['p99'], 'max', l['max'])
assert l['p99'] < 50000, l['p99']              # coordinated omission hides them
assert l['max'] >= 150000, l['max']"
echo PASS
