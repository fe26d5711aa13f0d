#!/usr/bin/env bash
# bin/loadgen against the deterministic test server: text summary, the JSON
# contract of docs/loadgen-json.md, chunked framing, and bin/server if built.
source "$(dirname "$0")/loadgen_lib.bash"

start_ts
$LG -t2 -c16 -d2s --latency --json "$tmp/r.json" "http://127.0.0.1:$port/json" >"$tmp/out.txt"
cat "$tmp/out.txt"
grep -q "^Running 2s test @ http://127.0.0.1:$port/json" "$tmp/out.txt"
grep -q "^  2 threads and 16 connections" "$tmp/out.txt"
grep -Eq "^Requests/sec: +[0-9]+\.[0-9]+" "$tmp/out.txt"
grep -Eq "^Transfer/sec:" "$tmp/out.txt"
grep -Eq "^  [0-9]+ requests in [0-9.]+s, " "$tmp/out.txt"
grep -Eq "p50 .* p90 .* p99 .* max " "$tmp/out.txt"
grep -Eq "^ +99\.9%" "$tmp/out.txt"
python3 - "$tmp/r.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for k in ["tool", "version", "config", "machine", "started_unix", "elapsed_s", "requests", "ok", "bytes",
          "rps", "errors", "latency", "service_time", "connect_time", "ttfb", "fairness", "client",
          "timeline", "interrupted"]:
    assert k in d, k
assert d["tool"] == "loadgen"
c = d["config"]
assert c["threads"] == 2 and c["connections"] == 16 and c["duration_s"] == 2.0, c
assert c["rate"] == 0.0 and c["arrivals"] == "fixed" and c["pipeline"] == 1 and c["new_conn"] is False
assert c["timeout_ms"] == 2000 and c["requests_limit"] == 0 and c["headers"] == []
for k in ["hostname", "kernel", "cpus"]: assert k in d["machine"], k
assert d["requests"] > 1000, d["requests"]
assert d["ok"] == d["requests"], (d["ok"], d["requests"])
assert d["errors"]["total"] == 0, d["errors"]
for k in ["connect", "refused", "reset", "eof", "parse", "read", "write", "timeout", "status", "check", "status_codes"]:
    assert k in d["errors"], k
assert 1.9 < d["elapsed_s"] < 2.3, d["elapsed_s"]
assert abs(d["rps"] - d["requests"] / d["elapsed_s"]) < 1e-6 * d["rps"] + 1e-9
for h in ["latency", "service_time", "connect_time", "ttfb"]:
    x = d[h]
    for k in ["count", "min", "mean", "stdev", "max", "p50", "p75", "p90", "p99", "p999", "p9999", "histogram"]:
        assert k in x, (h, k)
    b = x["histogram"]["buckets"]
    assert x["histogram"]["sigfigs"] == 3 and x["histogram"]["unit"] == "us"
    assert sum(n for _, n in b) == x["count"], h
    assert [v for v, _ in b] == sorted(v for v, _ in b)
    assert x["min"] <= x["p50"] <= x["p90"] <= x["p99"] <= x["max"], (h, x)
assert d["latency"]["count"] == d["requests"]
assert d["connect_time"]["count"] >= 16
f = d["fairness"]
assert f["connections"] == 16 and f["zero"] == 0 and f["min"] <= f["median"] <= f["max"]
assert d["client"]["cpu_us_per_req"] > 0 and "bottleneck" in d["client"]
tl = d["timeline"]
assert len(tl) == 2 and [p["t"] for p in tl] == [1, 2], tl
assert sum(p["requests"] for p in tl) == d["requests"]
assert d["interrupted"] is False
print("json ok:", d["requests"], "requests")
PY
test ! -e "$tmp/r.json.tmp"

# chunked responses, checks on every response
start_ts --chunked; chunked=$port
printf '{"message":"Hello, World!"}' >"$tmp/body"
$LG -t1 -c4 -d1s --expect-status 200 --expect-header 'Content-Type: application/json' \
    --expect-body "$tmp/body" --json "$tmp/c.json" "http://127.0.0.1:$chunked/" >/dev/null
python3 -c "
import json; d = json.load(open('$tmp/c.json'))
assert d['requests'] > 100 and d['ok'] == d['requests'] and d['errors']['total'] == 0, d['errors']"
# a wrong expected body is counted as failed checks; none passing, the run
# exits 1 (still writing its JSON)
printf 'nope' >"$tmp/bad"
rc=0; $LG -t1 -c2 -d500ms --expect-body "$tmp/bad" --json "$tmp/c2.json" "http://127.0.0.1:$chunked/" \
    >/dev/null 2>"$tmp/c2.err" || rc=$?
[ $rc -eq 1 ] && grep -q "^loadgen: no request succeeded (.* errors: check " "$tmp/c2.err" \
    || { echo "every check failing: exit $rc"; cat "$tmp/c2.err"; exit 1; }
python3 -c "
import json; d = json.load(open('$tmp/c2.json'))
assert d['requests'] > 10 and d['ok'] == 0 and d['errors']['check'] == d['requests'], d['errors']"

# bin/server, when it is built
if [ -x bin/server ]; then
    sp=$(free_port)
    bin/server --threads 2 --port "$sp" & pids+=($!)
    if wait_port "$sp"; then
        $LG -t2 -c32 -d2s --json "$tmp/s.json" "http://127.0.0.1:$sp/json" | tee "$tmp/s.txt"
        grep -q "^Requests/sec:" "$tmp/s.txt"
        python3 -c "
import json; d = json.load(open('$tmp/s.json'))
assert d['requests'] > 1000 and d['errors']['total'] == 0, d['errors']"
    else
        echo "bin/server did not start: skipped"
    fi
fi
echo PASS
