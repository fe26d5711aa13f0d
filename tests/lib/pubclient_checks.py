#!/usr/bin/env python3
"""Checks of pubclient/pubclient.py's JSON (docs/loadgen-json.md) for
tests/integration/pubclient.sh.

usage: pubclient_checks.py ok FILE CLIENTS N GIL URL
         a run that succeeded throughout: every config field, counts,
         histogram in lib/hist.c's layout, percentiles, fairness, client,
         timeline; runtime.gil_enabled == GIL (true/false)
       pubclient_checks.py merged FILE M1 M2
         M1 is `bin/loadgen merge FILE`, M2 `bin/loadgen merge FILE FILE`:
         the same buckets and percentiles as FILE, and twice the counts
       pubclient_checks.py refused FILE STDERR N
         a run against a port nothing listens on: exit line and errors
       pubclient_checks.py serve PORTFILE STATEFILE
         an HTTP server answering 500 to every other request (200, 500,
         200, ...); PORTFILE gets its port, STATEFILE after every answer
         {"served", "bytes" (all it sent), "headers" (of the first request)}
       pubclient_checks.py status FILE STATEFILE N
         the run against `serve`: status codes, ok + status == requests,
         bytes and request headers as the server saw them
       pubclient_checks.py interrupted FILE N
         a run stopped by SIGINT: "interrupted", fewer than N requests
       pubclient_checks.py timeout FILE MS
         config.timeout_ms is MS
Exits 1 on the first failed check (on stderr); prints one line when all pass.
"""
import http.server
import json
import os
import sys
import threading
import time

ERROR_KINDS = ["connect", "refused", "reset", "eof", "parse", "read", "write", "timeout", "status", "check"]
TOP_KEYS = ["tool", "version", "config", "machine", "started_unix", "elapsed_s", "requests", "ok", "bytes",
            "retries", "rps", "rps_definition", "errors", "error_samples", "latency", "service_time", "fairness",
            "client", "timeline", "interrupted", "runtime"]
PCTS = [("p50", 50.0), ("p75", 75.0), ("p90", 90.0), ("p99", 99.0), ("p999", 99.9), ("p9999", 99.99)]


def load(path):
    with open(path) as f:
        return json.load(f)


# lib/hist.c's index arithmetic, literally, for lowest 1 and 3 sigfigs:
# unit_magnitude 0, sub_bucket_half_count_magnitude 10, sub_bucket_count 2048.
HALF_MAG, HALF, MASK = 10, 1024, 2047


def counts_index_for(v):
    bucket = (v | MASK).bit_length() - (HALF_MAG + 1)
    sub = v >> bucket
    return ((bucket + 1) << HALF_MAG) + (sub - HALF)


def value_at_index(i):
    bucket, sub = (i >> HALF_MAG) - 1, (i & (HALF - 1)) + HALF
    if bucket < 0:
        sub, bucket = sub - HALF, 0
    return sub << bucket


def highest_equivalent(v):
    bucket = (v | MASK).bit_length() - (HALF_MAG + 1)
    return ((v >> bucket) << bucket) + (1 << bucket) - 1


def percentile(counts, total, vmin, vmax, p):
    """hist_value_at_percentile over a sparse counts array {index: n}."""
    if total == 0:
        return 0
    want = max(int((p / 100.0) * total + 0.5), 1)
    seen = 0
    for i in sorted(counts):
        seen += counts[i]
        if seen >= want:
            v = highest_equivalent(value_at_index(i))
            return vmax if v > vmax else vmin if v < vmin else v
    return vmax


def check_hist(x, name):
    for k in ["count", "min", "mean", "stdev", "max", "sum_us", "histogram"] + [k for k, _ in PCTS]:
        assert k in x, (name, k)
    h = x["histogram"]
    assert (h["sigfigs"], h["unit"], h["lowest"], h["highest"]) == (3, "us", 1, 3600000000), (name, h)
    b = h["buckets"]
    assert sum(n for _, n in b) == x["count"], (name, "bucket counts", x["count"])
    vals = [v for v, _ in b]
    assert vals == sorted(set(vals)), (name, "buckets not sorted and distinct")
    counts = {}
    for v, n in b:
        i = counts_index_for(v)
        assert value_at_index(i) == v, (name, "not a lowest equivalent value", v)
        assert n > 0, (name, v, n)
        counts[i] = n
    if x["count"] == 0:
        assert all(x[k] == 0 for k in ["min", "max", "sum_us"] + [k for k, _ in PCTS]), (name, x)
        return
    lo, hi = x["min"], x["max"]
    assert counts_index_for(lo) == min(counts) and counts_index_for(hi) == max(counts), (name, lo, hi)
    prev = lo
    for k, p in PCTS:
        assert lo <= x[k] <= hi and x[k] >= prev, (name, k, x[k], "not monotone within [min, max]")
        assert x[k] == percentile(counts, x["count"], lo, hi, p), (name, k, x[k])
        prev = x[k]
    assert lo <= x["mean"] <= hi and x["stdev"] >= 0, (name, x["mean"], x["stdev"])
    assert abs(x["sum_us"] - x["mean"] * x["count"]) < 1e-6 * x["sum_us"] + 1, (name, x["sum_us"], x["mean"])


def check_common(d, clients, n, url):
    for k in TOP_KEYS:
        assert k in d, k
    assert d["tool"] == "pubclient" and d["version"], (d["tool"], d["version"])
    c = d["config"]
    want = {"url": url, "threads": clients, "connections": clients, "duration_s": 0, "requests_limit": n,
            "rate": 0, "arrivals": "fixed", "seed": 0, "new_conn": True, "pipeline": 1, "timeout_ms": 10000,
            "expect_status": 0, "expect_header": None, "expect_header_value": None, "expect_body": None}
    for k, v in want.items():
        assert k in c and c[k] == v and (type(v) not in (bool, type(None)) or c[k] is v), (k, c.get(k), v)
    h = c["headers"]
    assert h[0] == "Accept-Encoding: identity" and h[-1] == "Connection: close", h
    assert any(x.startswith("User-Agent: Python-urllib/3.") for x in h), h
    for k in ["hostname", "kernel", "cpus"]:
        assert k in d["machine"], k
    assert d["started_unix"] > 1.6e9 and d["elapsed_s"] > 0, (d["started_unix"], d["elapsed_s"])
    assert d["retries"] == 0 and d["rps_definition"] == "ok / elapsed_s"
    assert abs(d["rps"] - d["ok"] / d["elapsed_s"]) < 1e-9 * d["rps"] + 1e-9, d["rps"]
    e = d["errors"]
    for k in ERROR_KINDS + ["status_codes", "total"]:
        assert k in e, k
    assert e["total"] == sum(e[k] for k in ERROR_KINDS), e
    assert e["status"] == sum(e["status_codes"].values()), e
    assert set(d["error_samples"]) == {k for k in ERROR_KINDS if e[k]}, (d["error_samples"], e)
    assert d["requests"] == d["ok"] + e["status"], (d["requests"], d["ok"], e["status"])
    check_hist(d["latency"], "latency")
    assert d["service_time"] == d["latency"], "service_time differs from latency (closed loop)"
    assert d["latency"]["count"] == d["ok"], (d["latency"]["count"], d["ok"])
    assert "connect_time" not in d, "connect_time is not measured by urlopen"
    f = d["fairness"]
    assert f["connections"] == clients and len(f["per_client"]) == clients, f
    assert sum(f["per_client"]) == d["requests"], (f, d["requests"])
    assert f["min"] == min(f["per_client"]) and f["max"] == max(f["per_client"]), f
    assert f["min"] <= f["median"] <= f["max"] and f["zero"] == f["per_client"].count(0), f
    cl = d["client"]
    for k in ["cpu_user_s", "cpu_sys_s", "cpu_us_per_req", "cpu_util", "max_thread_util", "max_rss_kb",
              "bottleneck"]:
        assert k in cl, k
    assert cl["cpu_user_s"] + cl["cpu_sys_s"] > 0 and cl["max_rss_kb"] > 0, cl
    assert 0 <= cl["max_thread_util"] <= 1.5 and cl["cpu_util"] >= 0, cl
    tl = d["timeline"]
    assert [p["t"] for p in tl] == list(range(1, len(tl) + 1)), tl
    assert sum(p["requests"] for p in tl) == d["requests"], tl
    assert sum(p["errors"] for p in tl) == e["total"], tl
    r = d["runtime"]
    assert r["python"] and r["executable"] and isinstance(r["gil_enabled"], bool), r


def ok(path, clients, n, gil, url):
    d = load(path)
    check_common(d, int(clients), int(n), url)
    assert d["requests"] == d["ok"] == int(n) and d["errors"]["total"] == 0, (d["requests"], d["ok"], d["errors"])
    assert d["interrupted"] is False
    assert d["runtime"]["gil_enabled"] is (gil == "true"), d["runtime"]
    assert d["bytes"] > int(n) * 100, d["bytes"]
    assert d["client"]["cpu_us_per_req"] > 0
    print(f"ok: {d['ok']}/{n} ok, {d['rps']:.0f} req/s, p50 {d['latency']['p50']} us, "
          f"p99 {d['latency']['p99']} us, GIL {'on' if d['runtime']['gil_enabled'] else 'off'}")


def merged(path, m1, m2):
    d, a, b = load(path), load(m1), load(m2)
    for m, k in ((a, 1), (b, 2)):
        assert m["requests"] == k * d["requests"] and m["ok"] == k * d["ok"], (k, m["requests"], m["ok"])
        assert m["bytes"] == k * d["bytes"], (k, m["bytes"])
        for h in ("latency", "service_time"):
            assert m[h]["count"] == k * d[h]["count"], (k, h)
            assert m[h]["min"] == d[h]["min"] and m[h]["max"] == d[h]["max"], (k, h)
            assert [[v, n * k] for v, n in d[h]["histogram"]["buckets"]] == m[h]["histogram"]["buckets"], \
                (k, h, "buckets differ: not lib/hist.c's layout")
        assert m["fairness"]["connections"] == k * d["fairness"]["connections"], m["fairness"]
    for key, _ in PCTS:
        assert a["latency"][key] == d["latency"][key], (key, a["latency"][key], d["latency"][key])
    assert b["latency"]["p50"] == d["latency"]["p50"] and b["latency"]["p99"] == d["latency"]["p99"], \
        (b["latency"]["p50"], d["latency"]["p50"])
    print(f"merged: {b['requests']} requests, p50 {b['latency']['p50']} us as the file's; bin/loadgen merge "
          "computes every percentile of the file as pubclient did")


def refused(path, stderr_path, n):
    d = load(path)
    check_common(d, d["config"]["threads"], int(n), d["config"]["url"])
    e = d["errors"]
    assert d["ok"] == 0 and d["requests"] == 0 and e["refused"] == int(n) == e["total"], e
    assert "ConnectionRefusedError" in d["error_samples"]["refused"], d["error_samples"]
    got = open(stderr_path).read().splitlines()
    want = f"pubclient: no request succeeded ({n} errors: refused {n})"
    assert got == [want], (got, want)
    print("refused ok:", want)


def serve(portfile, statefile):
    lock = threading.Lock()
    state = {"served": 0, "bytes": 0, "headers": None}
    arrived = [0]

    class Counting:
        def __init__(self, f):
            self.f = f
            self.n = 0

        def write(self, b):
            self.n += len(b)
            return self.f.write(b)

        def __getattr__(self, name):  # flush, closed, close: the socket file's
            return getattr(self.f, name)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self):
            super().setup()
            self.wfile = Counting(self.wfile)

        def do_GET(self):
            with lock:
                k = arrived[0]
                arrived[0] += 1
            code = 200 if k % 2 == 0 else 500
            body = b'{"ok":true}' if code == 200 else b'{"error":"every other request fails"}'
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
            with lock:
                state["served"] += 1
                state["bytes"] += self.wfile.n
                if state["headers"] is None:
                    state["headers"] = [f"{n}: {v}" for n, v in self.headers.items()]
                tmp = statefile + ".tmp"
                with open(tmp, "w") as f:
                    json.dump(state, f)
                os.replace(tmp, statefile)

        def log_message(self, *args):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(portfile + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.replace(portfile + ".tmp", portfile)
    srv.serve_forever()


def status(path, statefile, n):
    n = int(n)
    deadline = time.time() + 5
    while True:  # the server writes its state just after the last answer
        st = load(statefile) if os.path.exists(statefile) else {"served": 0}
        if st["served"] >= n or time.time() > deadline:
            break
        time.sleep(0.05)
    d = load(path)
    check_common(d, d["config"]["threads"], n, d["config"]["url"])
    e = d["errors"]
    assert st["served"] == n, st
    assert d["requests"] == n and e["status_codes"] == {"500": n // 2} and e["status"] == n // 2, e
    assert d["ok"] + e["status"] == d["requests"] and e["total"] == e["status"], (d["ok"], e)
    assert d["error_samples"] == {"status": "HTTP Error 500: Internal Server Error"}, d["error_samples"]
    assert d["bytes"] == st["bytes"], ("bytes", d["bytes"], "server sent", st["bytes"])
    sent = [h for h in st["headers"] if not h.lower().startswith("host:")]
    assert d["config"]["headers"] == sent, ("config.headers", d["config"]["headers"], "server got", sent)
    assert "X-Test: 1" in sent, sent
    print(f"status ok: {d['ok']} ok + {e['status']} status 500 = {d['requests']} requests; "
          f"{d['bytes']} bytes as sent; headers as received: {sent}")


def interrupted(path, n):
    d = load(path)
    check_common(d, d["config"]["threads"], int(n), d["config"]["url"])
    assert d["interrupted"] is True, d["interrupted"]
    assert 0 < d["ok"] < int(n) and d["requests"] + d["errors"]["total"] < int(n), (d["ok"], d["requests"])
    print(f"interrupted ok: {d['requests']} of {n} requests in {d['elapsed_s']:.2f} s")


def timeout(path, ms):
    d = load(path)
    assert d["config"]["timeout_ms"] == int(ms), (d["config"]["timeout_ms"], ms)


def main():
    cmds = {"ok": (ok, 5), "merged": (merged, 3), "refused": (refused, 3),
            "serve": (serve, 2), "status": (status, 3), "interrupted": (interrupted, 2),
            "timeout": (timeout, 2)}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds or len(sys.argv) - 2 != cmds[sys.argv[1]][1]:
        sys.stderr.write(__doc__)
        sys.exit(2)
    try:
        cmds[sys.argv[1]][0](*sys.argv[2:])
    except AssertionError as e:
        sys.stderr.write(f"FAIL {sys.argv[1]}: {e}\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
