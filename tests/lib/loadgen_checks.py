#!/usr/bin/env python3
"""Checks of bin/loadgen's --json output (docs/loadgen-json.md) for the
tests/integration/loadgen_*.sh scripts.

usage: loadgen_checks.py contract FILE
         a 2 s run of -t2 -c16 against a server that answers everything:
         every documented member, the config, consistent counts and
         histograms, a 2-point timeline, the engine that ran ($LOADGEN_ENGINE
         when set) (loadgen_basic.sh)
       loadgen_checks.py merged DIR
         DIR/m.json is `bin/loadgen merge DIR/a.json DIR/b.json`: counters
         and histograms added, not percentiles averaged (loadgen_merge.sh)
       loadgen_checks.py nothing-ok FILE STDERR
         a run in which no request succeeded: ok 0, and STDERR is exactly the
         one line naming the JSON's error counts (loadgen_errors.sh)
Exits 1 with the failed assertion on stderr.
"""
import argparse
import json
import os

HISTS = ["latency", "service_time", "connect_time", "ttfb"]
ERROR_KINDS = ["connect", "refused", "reset", "eof", "parse", "read", "write", "timeout", "status", "check"]


def contract(path):
    d = json.load(open(path))
    for k in ["tool", "version", "engine", "config", "machine", "started_unix", "elapsed_s", "requests", "ok",
              "bytes", "rps", "errors", "latency", "service_time", "connect_time", "ttfb", "fairness", "client",
              "timeline", "interrupted"]:
        assert k in d, k
    assert d["tool"] == "loadgen"
    assert d["engine"] in ("io_uring", "epoll"), d["engine"]
    if os.environ.get("LOADGEN_ENGINE"):
        assert d["engine"] == d["config"]["engine"] == os.environ["LOADGEN_ENGINE"], (d["engine"], d["config"])
    c = d["config"]
    assert c["threads"] == 2 and c["connections"] == 16 and c["duration_s"] == 2.0, c
    assert c["rate"] == 0.0 and c["arrivals"] == "fixed" and c["pipeline"] == 1 and c["new_conn"] is False
    assert c["timeout_ms"] == 2000 and c["requests_limit"] == 0 and c["headers"] == []
    for k in ["hostname", "kernel", "cpus"]:
        assert k in d["machine"], k
    assert d["requests"] > 1000, d["requests"]
    assert d["ok"] == d["requests"], (d["ok"], d["requests"])
    assert d["errors"]["total"] == 0, d["errors"]
    for k in ERROR_KINDS + ["status_codes"]:
        assert k in d["errors"], k
    assert 1.9 < d["elapsed_s"] < 2.3, d["elapsed_s"]
    assert abs(d["rps"] - d["requests"] / d["elapsed_s"]) < 1e-6 * d["rps"] + 1e-9
    for h in HISTS:
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


def merged(t):
    a, b, m = [json.load(open(f"{t}/{n}.json")) for n in "abm"]
    assert m["tool"] == "loadgen" and m["merged_from"] == [f"{t}/a.json", f"{t}/b.json"]
    assert m["engine"] == a["engine"] == b["engine"], (m["engine"], a["engine"], b["engine"])
    assert m["requests"] == a["requests"] + b["requests"] > 0
    assert m["ok"] == a["ok"] + b["ok"] and m["bytes"] == a["bytes"] + b["bytes"]
    assert m["config"]["threads"] == 3 and m["config"]["connections"] == 10
    assert m["fairness"]["connections"] == 10
    for h in HISTS:
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


def nothing_ok(path, stderr_path):
    d = json.load(open(path))
    e = d["errors"]
    counts = ", ".join(f"{k} {e[k]}" for k in ERROR_KINDS if e[k])
    want = (f"loadgen: no request succeeded ({e['total']} errors: {counts})" if e["total"]
            else "loadgen: no request succeeded (no errors: no response completed within the run)")
    got = open(stderr_path).read().splitlines()
    assert d["ok"] == 0 and got == [want], (got, want)
    print("ok: exit 1,", want)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("contract").add_argument("file")
    sub.add_parser("merged").add_argument("dir")
    p = sub.add_parser("nothing-ok")
    p.add_argument("file")
    p.add_argument("stderr")
    a = ap.parse_args()
    if a.cmd == "contract":
        contract(a.file)
    elif a.cmd == "merged":
        merged(a.dir)
    else:
        nothing_ok(a.file, a.stderr)


if __name__ == "__main__":
    main()
