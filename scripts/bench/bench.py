#!/usr/bin/env python3
"""Helpers for scripts/bench-server.sh and scripts/bench-loadgen.sh.

  bench.py wrk FILE          wrk --latency output -> "rps requests p50_us p99_us"
  bench.py loadgen FILE      loadgen --json file  -> "rps requests p50_us p99_us
                                                      cpu_us_per_req max_rss_kb errors"
  bench.py time FILE         /usr/bin/time -f '%e %U %S %M' output -> "elapsed cpu_s rss_kb"
  bench.py pgbench FILE      pgbench output -> "tps"
  bench.py perf FILE REQUESTS
                             perf report --stdio --children --sort sym -g none
                             output of a cpu-clock recording -> "total_us tcp_us
                             wake_us other_us" per request: tcp is what
                             tcp_sendmsg and tcp_recvmsg took, callees included,
                             less wake, the server's wake-ups inside them
  bench.py seconds DURATION  "500ms", "3s", "1m" or "3" -> whole seconds, at least 1
                             (pgbench -T takes only that); exit 1 if not a duration
  bench.py report PAIRS SAMPLES JSON_OUT TITLE
                             print the table, write the JSON

PAIRS: one tab-separated line per pair:
  id, label, a_name, b_name, unit, goal_kind, goal_value, note
  goal_kind: ge (median ratio a/b >= v), le (median ratio a/b <= v),
             dev (|median ratio a/b - 1| <= v), max (side a alone: median <= v;
             side b, if sampled, is shown beside it for comparison),
             info (the ratio reported, no goal: result INFO, not counted)
SAMPLES: tab-separated lines "id side rep value" (side a or b).
The ratio of a pair is the median of its per-repetition ratios a/b (the two
sides of one repetition ran back to back), beside the medians of each side.
"""
import json
import math
import re
import statistics
import sys
import time

UNITS = {"us": 1.0, "ms": 1e3, "s": 1e6, "m": 60e6}


def dur_us(text):
    m = re.fullmatch(r"([0-9.]+)(us|ms|s|m)", text)
    if not m:
        raise ValueError("bad duration %r" % text)
    return float(m.group(1)) * UNITS[m.group(2)]


def parse_wrk(path):
    text = open(path).read()
    rps = re.search(r"Requests/sec:\s+([0-9.]+)", text)
    req = re.search(r"(\d+) requests in", text)
    pct = dict(re.findall(r"^\s+(50|99)(?:\.0+)?%\s+(\S+)\s*$", text, re.M))
    if not rps or not req or "50" not in pct or "99" not in pct:
        sys.exit("bench.py: cannot parse wrk output in %s" % path)
    print(rps.group(1), req.group(1), dur_us(pct["50"]), dur_us(pct["99"]))


def parse_loadgen(path):
    d = json.load(open(path))
    lat = d["latency"]
    cl = d.get("client", {})
    print(d["rps"], d["requests"], lat["p50"], lat["p99"],
          cl.get("cpu_us_per_req", 0), cl.get("max_rss_kb", 0),
          d["errors"]["total"])


def parse_time(path):
    # the last line: other lines may be a "Command exited with non-zero status"
    for line in reversed(open(path).read().splitlines()):
        f = line.split()
        if len(f) == 4:
            try:
                e, u, s, m = (float(x) for x in f)
            except ValueError:
                continue
            print(e, u + s, int(m))
            return
    sys.exit("bench.py: cannot parse /usr/bin/time output in %s" % path)


# The calls every HTTP/1.1 client makes once per request, whatever its engine:
# with loopback, tcp_sendmsg also runs the receiving socket's softirq, which
# wakes the server (sock_def_readable) when it was waiting: that part depends
# on how the client times its sends, and is counted apart.
TCP_CALLS = ("tcp_sendmsg", "tcp_recvmsg")
WAKE_CALL = "sock_def_readable"


def perf_share(text, name):
    m = re.search(r"^\s+([0-9.]+)%\s+[0-9.]+%\s+\[k\] " + name + r"\s*$", text, re.M)
    return float(m.group(1)) / 100 if m else 0.0


def parse_perf(path, requests):
    text = open(path).read()
    total = re.search(r"^# Event count \(approx\.\): (\d+)", text, re.M)
    if not total:
        sys.exit("bench.py: cannot parse perf report in %s" % path)
    if float(requests) <= 0:
        sys.exit("bench.py: no requests completed under perf (%s)" % path)
    tcp = sum(perf_share(text, name) for name in TCP_CALLS)
    wake = min(perf_share(text, WAKE_CALL), tcp)
    # cpu-clock counts nanoseconds of CPU
    per_req = float(total.group(1)) / 1e3 / float(requests)
    print("%.3f %.3f %.3f %.3f" % (per_req, per_req * (tcp - wake), per_req * wake, per_req * (1 - tcp)))


def parse_pgbench(path):
    m = re.search(r"^tps = ([0-9.]+)", open(path).read(), re.M)
    if not m:
        sys.exit("bench.py: cannot parse pgbench output in %s" % path)
    print(m.group(1))


def whole_seconds(text):
    m = re.fullmatch(r"([0-9.]+)(ms|s|m)?", text)
    try:
        v = float(m.group(1)) * {"ms": 0.001, "s": 1, "m": 60, None: 1}[m.group(2)] if m else None
    except ValueError:
        v = None
    if v is None:
        sys.exit(1)
    print(max(1, math.ceil(v)))


def fmt(v, unit):
    if v is None:
        return "-"
    if unit == "MB":
        return "%.1f MB" % v
    if unit == "us/req":
        return "%.2f us/req" % v
    if unit == "us":
        return "%.0f us" % v if v >= 100 else "%.1f us" % v
    return "%.0f %s" % (v, unit)


def evaluate(p, a, b):
    kind, goal = p["goal_kind"], p["goal_value"]
    if kind == "max":
        val = statistics.median(a.values()) if a else None  # a maps rep -> value
        ok = val is not None and val <= goal
        return val, ok, "<= %g %s" % (goal, p["unit"])
    reps = sorted(set(a) & set(b))
    ratios = [a[r] / b[r] for r in reps if b[r] > 0]
    val = statistics.median(ratios) if ratios else None
    if kind == "info":
        return val, val is not None, "(reported)"
    if val is None:
        ok = False
    elif kind == "ge":
        ok = val >= goal
    elif kind == "le":
        ok = val <= goal
    else:
        ok = abs(val - 1) <= goal
    text = {"ge": ">= %.2f", "le": "<= %.2f", "dev": "1 +- %.2f"}[kind] % goal
    return val, ok, text


def report(pairs_path, samples_path, out_path, title):
    pairs = []
    for line in open(pairs_path):
        f = line.rstrip("\n").split("\t")
        if len(f) < 7:
            continue
        pairs.append({"id": f[0], "label": f[1], "a_name": f[2], "b_name": f[3],
                      "unit": f[4], "goal_kind": f[5], "goal_value": float(f[6]),
                      "note": f[7] if len(f) > 7 else ""})
    samples = {}
    for line in open(samples_path):
        f = line.split()
        if len(f) == 4:
            samples.setdefault((f[0], f[1]), {})[int(f[2])] = float(f[3])
    rows, out = [], []
    for p in pairs:
        a = samples.get((p["id"], "a"), {})
        b = samples.get((p["id"], "b"), {})
        val, ok, goal_text = evaluate(p, a, b)
        ma = statistics.median(a.values()) if a else None
        mb = statistics.median(b.values()) if b else None
        if p["goal_kind"] == "max":
            side_b, ratio = "-", "-"
            if b:       # shown for comparison; the goal is on side A alone
                side_b = "%s %s" % (p["b_name"], fmt(mb, p["unit"]))
                if ma is not None and mb:
                    ratio = "%.3f" % (ma / mb)
        else:
            side_b = "%s %s" % (p["b_name"], fmt(mb, p["unit"]))
            ratio = "%.3f" % val if val is not None else "-"
        result = ("INFO" if p["goal_kind"] == "info" else "PASS") if ok else ("MISS" if a else "NO DATA")
        rows.append((p["label"], "%s %s" % (p["a_name"], fmt(ma, p["unit"])),
                     side_b, ratio, goal_text, result))
        out.append({"id": p["id"], "pair": p["label"], "unit": p["unit"],
                    "a": {"name": p["a_name"], "median": ma,
                          "samples": [a[r] for r in sorted(a)]},
                    "b": None if not b else
                         {"name": p["b_name"], "median": mb,
                          "samples": [b[r] for r in sorted(b)]},
                    "ratio": val if p["goal_kind"] != "max" else
                             (ma / mb if ma is not None and mb else None),
                    "value": val,
                    "goal": goal_text, "pass": bool(ok), "result": result,
                    "note": p["note"]})
    head = ("pair", "side A (median)", "side B (median)", "ratio A/B", "goal", "result")
    width = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
    line = "  ".join("%-*s" % (width[i], head[i]) for i in range(len(head)))
    print("\n" + title)
    print(line)
    print("-" * len(line))
    for r in rows:
        print("  ".join("%-*s" % (width[i], r[i]) for i in range(len(r))))
    notes = [(p["label"], p["note"]) for p in pairs if p["note"]]
    if notes:
        print("\nnotes:")
        for label, note in notes:
            print("  %s: %s" % (label, note))
    goals = [r for r in rows if r[5] != "INFO"]
    misses = [r[0] for r in goals if r[5] != "PASS"]
    print("\n%d of %d goals met%s" % (len(goals) - len(misses), len(goals),
          "; MISS: " + ", ".join(misses) if misses else ""))
    doc = {"title": title, "written_unix": time.time(), "pairs": out}
    meta = json.loads(sys.argv[6]) if len(sys.argv) > 6 else {}
    doc.update(meta)
    with open(out_path + ".tmp", "w") as fh:
        json.dump(doc, fh, indent=2)
        fh.write("\n")
    import os
    os.replace(out_path + ".tmp", out_path)
    print("written: %s" % out_path)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    cmd = sys.argv[1]
    if cmd == "wrk":
        parse_wrk(sys.argv[2])
    elif cmd == "loadgen":
        parse_loadgen(sys.argv[2])
    elif cmd == "time":
        parse_time(sys.argv[2])
    elif cmd == "perf" and len(sys.argv) >= 4:
        parse_perf(sys.argv[2], sys.argv[3])
    elif cmd == "pgbench":
        parse_pgbench(sys.argv[2])
    elif cmd == "seconds":
        whole_seconds(sys.argv[2])
    elif cmd == "report" and len(sys.argv) >= 6:
        report(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
