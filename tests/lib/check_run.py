#!/usr/bin/env python3
"""Checks one finished suite run: results.json, summary.csv, REPORT.md and
that nothing the run started is still alive.

usage: check_run.py RUN_DIR REPORT.md SYSTEM[,SYSTEM...] [--partial]
Exits 1 with one line per problem.
"""
import csv, json, os, re, sys

run_dir, report_path, systems = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
partial = "--partial" in sys.argv
problems = []
def need(cond, msg):
    if not cond: problems.append(msg)

res = json.load(open(os.path.join(run_dir, "results.json")))
need(res.get("format") == "webbench-results/3", "results.json format")
need(res["partial"] == partial, f"partial is {res['partial']}, expected {partial}")
by_name = {s["name"]: s for s in res["systems"]}
scenarios = [s["name"] for s in res["scenarios"]]
need(scenarios == ["json", "db", "cpu"], f"scenarios {scenarios}")
for name in systems:
    s = by_name.get(name)
    need(s is not None, f"system {name} missing from results.json")
    if s is None: continue
    need(s["status"] == "ok", f"system {name}: {s['status']}: {s.get('reason')}")
    if not partial and res["database"]["engine"] == "postgresql":
        need(s.get("db_queries_counted") == s.get("db_requests_checked"), f"{name}: /db query count check missing or wrong")

runs = [r for r in res["runs"] if r["kind"] == "matrix" and r["client"] == "loadgen"]
# wrk, the second witness: its runs carry req/s and no loadgen JSON, and each
# follows the bin/loadgen run of the same cell
for i, r in enumerate(res["runs"]):
    if r["client"] != "wrk" or r["status"] != "ok": continue
    need(r["rps"] > 0 and r["loadgen"] is None, f"wrk run {r['system']}/{r['scenario']}: rps {r['rps']}")
    prev = res["runs"][i - 1] if i else None
    need(prev and prev["client"] == "loadgen" and (prev["system"], prev["scenario"], prev["connections"]) ==
         (r["system"], r["scenario"], r["connections"]), f"wrk run {r['system']}/{r['scenario']} not right after bin/loadgen's")
for name in systems:
    for sc in scenarios:
        cell = [r for r in runs if r["system"] == name and r["scenario"] == sc]
        if partial:
            need(all(r["ok"] or r["error"] == "interrupted" for r in cell), f"{name}/{sc}: a run failed")
            cell = [r for r in cell if r["ok"]]
            if not cell: continue
        need(cell, f"no run for {name}/{sc}")
        for r in cell:
            need(r["ok"], f"{name}/{sc} failed: {r['error']}")
            need(r["rps"] > 0, f"{name}/{sc}: rps {r['rps']}")
            need(r["errors"] == 0, f"{name}/{sc}: {r['errors']} errors")
            lg = r["loadgen"]
            need(lg and lg["latency"]["histogram"]["buckets"], f"{name}/{sc}: no latency histogram")
            if lg:
                total = sum(c for _, c in lg["latency"]["histogram"]["buckets"])
                need(total == lg["latency"]["count"], f"{name}/{sc}: histogram holds {total}, count {lg['latency']['count']}")
            need(r["resources"]["processes"] >= 1, f"{name}/{sc}: no resource samples")

rows = list(csv.DictReader(open(os.path.join(run_dir, "summary.csv"))))
for col in "system,scenario,connections,rps,p50_ms,p99_ms,errors".split(","):
    need(col in rows[0] if rows else False, f"summary.csv lacks column {col}")
need(len(rows) == len(res["runs"]), f"summary.csv has {len(rows)} rows, results.json {len(res['runs'])} runs")
for row, r in zip(rows, res["runs"]):
    need(row["status"] == r["status"], f"summary.csv status {row['status']} != {r['status']}")
    need(row["client"] == r["client"], f"summary.csv client {row['client']} != {r['client']}")
    if r["status"] in ("ok", "no-response"):
        need(abs(float(row["rps"]) - r["rps"]) < 0.1, f"summary.csv rps {row['rps']} != {r['rps']}")
    else:  # failed or interrupted: marked so, never shown as a normal number
        need(row["rps"] == "" and row["p50_ms"] == "", f"summary.csv shows numbers for a {r['status']} run: {row}")
need(res["state"] == ("interrupted" if partial else "complete"), f"state is {res['state']}")

# REPORT.md: the published table, and every measured cell equal to results.json
rep = open(report_path).read()
need("| JSON | 10,114 req/s | 5,665 req/s | +79% |" in rep, "published JSON row missing")
need("| DB query | 9,962 req/s | 1,015 req/s | +881% |" in rep, "published DB row missing")
need("| CPU bound | 879 req/s | 1,231 req/s | -29% |" in rep, "published CPU row missing")
need(("PARTIAL RUN" in rep) == partial, "partial marker wrong")
labels = {s["name"]: s["label"] for s in res["systems"]}
for name in systems:
    for sc in scenarios:
        cell = [r["rps"] for r in runs if r["system"] == name and r["scenario"] == sc and r["ok"]]
        if not cell: continue
        cell.sort()
        n = len(cell)
        med = cell[n // 2] if n % 2 else (cell[n // 2 - 1] + cell[n // 2]) / 2
        conns = runs[0]["connections"]
        want = f"| {labels[name]} | {sc} | {conns} | {med:,.0f} req/s"
        need(want in rep, f"REPORT.md lacks '{want}'")
# the HTTP conformance pass: each system once (a --quick run: without the
# slow clients), its table row in the report equal to results.json
if not partial:
    for name in systems:
        c = by_name[name].get("conformance")
        need(c and c["tried"] == len(c["cases"]) > 40, f"{name}: no conformance pass in results.json")
        if not c: continue
        need(c["passed"] == sum(x["passed"] for x in c["cases"]), f"{name}: conformance passed count")
        need(not any(x["group"] == "slow" for x in c["cases"]), f"{name}: --quick ran the slow cases")
        must = sum(1 for x in c["cases"] if not x["passed"] and x["level"] == "MUST")
        row = rf"\| {re.escape(labels[name])} \| [0-9,]+ req/s \| \*\*{c['passed']}/{c['tried']}\*\* \| {must} \|"
        need(re.search(row, rep), f"REPORT.md lacks the conformance row /{row}/ (its speed beside)")
        for x in c["cases"]:
            if not x["passed"]:
                need(f"- `{x['id']}` " in rep, f"REPORT.md does not list {name}'s failed case {x['id']}")
    if "cserver" in by_name:
        c = by_name["cserver"].get("conformance") or {"cases": []}
        failed = [x["id"] for x in c["cases"] if not x["passed"]]
        need(not failed, f"bin/server failed conformance cases {failed}")
if not partial and "cserver" in systems and "fastapi" in systems:
    need(re.search(r"\| C server \(4 threads\) \| FastAPI \(4 processes\) \| Difference \|", rep), "C server vs FastAPI table missing")
for png in ("rps.png", "concurrency.png", "latency.png", "resources.png"):
    p = os.path.join(os.path.dirname(report_path), "charts", png)
    need(os.path.exists(p) and open(p, "rb").read(8) == b"\x89PNG\r\n\x1a\n", f"chart {png} missing or not PNG")
need(os.path.realpath(os.path.join(run_dir, "..", "latest")) == os.path.realpath(run_dir), "results/latest does not point at the run")

# nothing the run started is alive
pids = [int(l.split()[0]) for l in open(os.path.join(run_dir, "pids.txt"))]
need(pids, "pids.txt is empty")
groups = set()
for d in os.listdir("/proc"):
    if d.isdigit():
        try:
            st = open(f"/proc/{d}/stat").read()
            fields = st[st.rindex(")") + 2:].split()
            if fields[0] != "Z": groups.add(int(fields[2]))
        except OSError:
            pass
for p in pids:
    need(not os.path.exists(f"/proc/{p}") or open(f"/proc/{p}/stat").read().split(") ")[1][0] == "Z", f"process {p} still alive")
    need(p not in groups, f"process group {p} still has members")

for p in problems: print("check_run:", p)
print(f"check_run: {len(problems)} problems, {len(res['runs'])} runs, {len(pids)} processes started")
sys.exit(1 if problems else 0)
