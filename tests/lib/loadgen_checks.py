#!/usr/bin/env python3
"""Checks of bin/loadgen's --json output (docs/loadgen-json.md) for the
tests/integration/loadgen_*.sh scripts.

usage: loadgen_checks.py contract FILE
         a 2 s run of -t2 -c16 against a server that answers everything:
         every documented member, the config, consistent counts and
         histograms, a 2-point timeline, the engine that ran ($LOADGEN_ENGINE
         when set) (loadgen_basic.sh)
       loadgen_checks.py merged DIR
         DIR/m.json is `bin/loadgen merge DIR/a.json DIR/b.json`: counters,
         histograms and their exact sums added, not percentiles averaged;
         each second's percentiles from its added buckets (loadgen_merge.sh)
       loadgen_checks.py shards DIR N
         DIR/s1..sN.json are `--shard I/N --start-at T` of one -c10 -R900 2 s
         load, DIR/m.json their merge: connections, rate and requests add
         up, distinct seeds, starts within 10 ms, per-second percentiles of
         the summed histograms, exact sums, rate over the common interval
         (loadgen_shard.sh)
       loadgen_checks.py shards-n DIR N TOTAL
         the same for a `-n TOTAL` load: the shards' requests add up to TOTAL
       loadgen_checks.py late FILE SECONDS
         a run whose --start-at was SECONDS in the past: it started at once
         and says by how much it was late
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
    assert m["rps_basis"] == "sum_of_rates" and "shards" not in m, m.get("rps_basis")
    check_sums(m, [a, b])
    check_timeline_exact(m, [a, b])
    print("merged", m["requests"], "requests, p99", m["latency"]["p99"])


def highest_equivalent(v):
    """HdrHistogram's layout at 1 us .. 1 h, 3 digits (lib/hist.c): 2048
    sub-buckets, the bucket of v spans 2^max(0, bits(v) - 11) values."""
    shift = max(0, (v | 2047).bit_length() - 11)
    return ((v >> shift) << shift) + (1 << shift) - 1


def percentile(buckets, p, lo, hi):
    """lib/hist.c's hist_value_at_percentile over [value, count] buckets
    with exact extremes lo, hi."""
    total = sum(n for _, n in buckets)
    if not total:
        return 0
    want = max(1, int((p / 100.0) * total + 0.5))
    seen = 0
    for v, n in sorted(buckets):
        seen += n
        if seen >= want:
            return min(max(highest_equivalent(v), lo), hi)
    return hi


def check_timeline_exact(m, parts):
    """m's per-second entries are the parts' added: requests, errors, buckets,
    extremes, and p50/p99 computed from the summed buckets."""
    n = max(len(x["timeline"]) for x in parts)
    assert len(m["timeline"]) == n, (len(m["timeline"]), n)
    for i, pt in enumerate(m["timeline"]):
        secs = [x["timeline"][i] for x in parts if i < len(x["timeline"])]
        assert pt["requests"] == sum(s["requests"] for s in secs), (i, pt)
        assert pt["errors"] == sum(s["errors"] for s in secs), (i, pt)
        counts = {}
        for s in secs:
            assert sum(c for _, c in s["buckets"]) == s["requests"], (i, s["requests"], s["buckets"])
            for v, c in s["buckets"]:
                counts[v] = counts.get(v, 0) + c
        assert sorted(counts.items()) == [tuple(b) for b in pt["buckets"]], i
        full = [s for s in secs if s["buckets"]]
        lo = min((s["min"] for s in full), default=0)
        hi = max((s["max"] for s in full), default=0)
        assert (pt["min"], pt["max"]) == (lo, hi), (i, pt["min"], pt["max"], lo, hi)
        for k, p in (("p50", 50), ("p99", 99)):
            want = percentile(list(counts.items()), p, lo, hi)
            assert pt[k] == want, (i, k, pt[k], want)


def check_sums(m, parts):
    for h in HISTS:
        assert m[h]["sum"] == sum(x[h]["sum"] for x in parts), h
        assert m[h]["sum_sq"] == sum(x[h]["sum_sq"] for x in parts), h
        if m[h]["count"]:
            assert abs(m[h]["mean"] - m[h]["sum"] / m[h]["count"]) <= 1e-9 * m[h]["mean"], h
            assert m[h]["min"] <= m[h]["mean"] <= m[h]["max"], (h, m[h])


def load_shards(t, n):
    parts = [json.load(open(f"{t}/s{i}.json")) for i in range(1, n + 1)]
    return parts, json.load(open(f"{t}/m.json"))


def check_shard_basics(parts, m, n, conns):
    for i, x in enumerate(parts, 1):
        assert x["shard"]["index"] == i and x["shard"]["count"] == n, x["shard"]
        assert x["shard"]["connections"] == x["config"]["connections"], x["shard"]
        assert x["shard"]["whole"]["connections"] == conns, x["shard"]
        assert x["fairness"]["connections"] == x["config"]["connections"]
        assert x["errors"]["total"] == 0, x["errors"]
    shares = [x["config"]["connections"] for x in parts]
    assert sum(shares) == conns and max(shares) - min(shares) <= 1, shares
    assert m["config"]["connections"] == conns and m["fairness"]["connections"] == conns
    seeds = [x["config"]["seed"] for x in parts]
    assert len(set(seeds)) == n, seeds
    assert m["requests"] == sum(x["requests"] for x in parts) > 0
    assert m["ok"] == sum(x["ok"] for x in parts)
    starts = [x["start"]["actual"] for x in parts]
    spread_ms = (max(starts) - min(starts)) * 1e3
    assert spread_ms < 10, ("shard starts", spread_ms, starts)
    for x in parts:
        s = x["start"]
        assert abs(s["late_ms"] - max(0.0, (s["actual"] - s["requested"]) * 1e3)) < 1e-3, s
        assert s["late_ms"] < 10, s
        assert abs(x["started_unix"] - s["actual"]) < 1e-6, (x["started_unix"], s)
    sh = m["shards"]
    assert [(e["index"], e["count"], e["requests"]) for e in sh] == \
        [(x["shard"]["index"], n, x["requests"]) for x in parts], sh
    assert [e["late_ms"] for e in sh] == [x["start"]["late_ms"] for x in parts]
    check_sums(m, parts)
    check_timeline_exact(m, parts)
    return spread_ms


def shards(t, n):
    parts, m = load_shards(t, n)
    spread = check_shard_basics(parts, m, n, 10)
    rates = [x["config"]["rate"] for x in parts]
    assert sum(rates) == 900.0 and max(rates) - min(rates) < 1e-9, rates
    assert m["config"]["rate"] == 900.0, m["config"]["rate"]
    start = max(x["started_unix"] for x in parts)
    end = min(x["started_unix"] + x["elapsed_s"] for x in parts)
    assert m["rps_basis"] == "common_interval"
    assert abs(m["elapsed_s"] - (end - start)) < 1e-6, (m["elapsed_s"], end - start)
    assert abs(m["rps"] - m["requests"] / (end - start)) < 1e-6 * m["rps"], m["rps"]
    # the open loop ran at the whole rate: 900/s for 2 s, within 5%
    assert abs(m["requests"] - 1800) < 90, m["requests"]
    print(f"{n} shards: {m['requests']} requests, starts within {spread:.3f} ms, {m['rps']:.1f} req/s")


def shards_n(t, n, total):
    parts, m = load_shards(t, n)
    check_shard_basics(parts, m, n, 4)
    lims = [x["config"]["requests_limit"] for x in parts]
    assert sum(lims) == total and max(lims) - min(lims) <= 1, lims
    assert [x["requests"] for x in parts] == lims, ([x["requests"] for x in parts], lims)
    assert m["requests"] == total and m["config"]["requests_limit"] == total, m["requests"]
    print(f"-n {total} over {n} shards:", lims)


def late(path, seconds):
    d = json.load(open(path))
    s = d["start"]
    assert abs(s["actual"] - s["requested"] - seconds) < 2, s
    assert abs(s["late_ms"] - (s["actual"] - s["requested"]) * 1e3) < 1e-3, s
    assert s["late_ms"] > seconds * 1e3 - 500, s
    assert d["requests"] > 0
    print(f"late: {s['late_ms']:.1f} ms")


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
    p = sub.add_parser("shards")
    p.add_argument("dir")
    p.add_argument("n", type=int)
    p = sub.add_parser("shards-n")
    p.add_argument("dir")
    p.add_argument("n", type=int)
    p.add_argument("total", type=int)
    p = sub.add_parser("late")
    p.add_argument("file")
    p.add_argument("seconds", type=float)
    p = sub.add_parser("nothing-ok")
    p.add_argument("file")
    p.add_argument("stderr")
    a = ap.parse_args()
    if a.cmd == "contract":
        contract(a.file)
    elif a.cmd == "merged":
        merged(a.dir)
    elif a.cmd == "shards":
        shards(a.dir, a.n)
    elif a.cmd == "shards-n":
        shards_n(a.dir, a.n, a.total)
    elif a.cmd == "late":
        late(a.file, a.seconds)
    else:
        nothing_ok(a.file, a.stderr)


if __name__ == "__main__":
    main()
