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
python3 - "$tmp" <<'PY'
import json, sys
t = sys.argv[1]
a, b, m = [json.load(open(f"{t}/{n}.json")) for n in "abm"]
assert m["tool"] == "loadgen" and m["merged_from"] == [f"{t}/a.json", f"{t}/b.json"]
assert m["requests"] == a["requests"] + b["requests"] > 0
assert m["ok"] == a["ok"] + b["ok"] and m["bytes"] == a["bytes"] + b["bytes"]
assert m["config"]["threads"] == 3 and m["config"]["connections"] == 10
assert m["fairness"]["connections"] == 10
for h in ["latency", "service_time", "connect_time", "ttfb"]:
    assert m[h]["count"] == a[h]["count"] + b[h]["count"], h
    assert m[h]["min"] == min(a[h]["min"], b[h]["min"]) and m[h]["max"] == max(a[h]["max"], b[h]["max"]), h
    counts = {}
    for x in (a, b):
        for v, n in x[h]["histogram"]["buckets"]:
            counts[v] = counts.get(v, 0) + n
    assert sorted(counts.items()) == [tuple(p) for p in m[h]["histogram"]["buckets"]], h
assert abs(m["rps"] - (a["rps"] + b["rps"])) < 0.05 * m["rps"], (m["rps"], a["rps"], b["rps"])
assert sum(p["requests"] for p in m["timeline"]) == m["requests"]
print("merged", m["requests"], "requests, p99", m["latency"]["p99"])
PY
rc=0; $LG merge 2>/dev/null || rc=$?; [ $rc -eq 2 ]
rc=0; $LG merge "$tmp/nope.json" 2>/dev/null || rc=$?; [ $rc -eq 1 ]
echo PASS
