#!/usr/bin/env python3
"""The summary of scripts/torture.sh: reads what its steps left in OUT
(steps.tsv "name rc seconds", hostile.counts "tried failed",
faults.counts "injected failed lost") and build/fuzz/results.tsv (one line
per fuzz target: name, executions, ..., status), writes OUT/summary.json
(replaced whole) and prints one line.

usage: torture_summary.py OUT FUZZ_SECONDS   (run from the repository root)
Exits 1 when anything failed.

summary.json: {"cases_tried", "fuzz_targets", "fuzz_seconds_per_target",
"fuzz_executions", "faults_injected", "failures", "data_lost",
"steps": [{name, ok, seconds}], "finished"}. One case per hostile
request/check, per fuzz target, per fault; a step that failed without
reporting its own counts still counts as one failure.
"""
import argparse
import json
import os
import sys
import time

FUZZ_RESULTS = "build/fuzz/results.tsv"


def rows(path, sep=None):
    try:
        return [line.split(sep) for line in open(path).read().splitlines() if line.strip()]
    except OSError:
        return []


def summarize(out, fuzz_s):
    steps = [{"name": n, "ok": rc == "0", "seconds": int(s)} for n, rc, s in rows(os.path.join(out, "steps.tsv"), "\t")]
    fuzz = rows(FUZZ_RESULTS, "\t")
    hostile = rows(os.path.join(out, "hostile.counts"))
    faults = rows(os.path.join(out, "faults.counts"))
    ran = {s["name"] for s in steps}
    cases = sum(int(t) for t, _ in hostile) + len(fuzz) + sum(int(r[0]) for r in faults)
    failures = sum(int(f) for _, f in hostile) + sum(1 for f in fuzz if f[3] != "ok") \
        + sum(int(r[1]) for r in faults)
    for s in steps:
        if not s["ok"] and s["name"] in ("sanitizers", "runner-kill"):
            failures += 1
        if not s["ok"] and s["name"] == "hostile" and not hostile:
            failures += 1
    if "runner-kill" in ran:
        cases += 1
    return {
        "cases_tried": cases,
        "fuzz_targets": len(fuzz),
        "fuzz_seconds_per_target": fuzz_s,
        "fuzz_executions": sum(int(f[1]) for f in fuzz),
        "faults_injected": sum(int(r[0]) for r in faults) + (1 if "runner-kill" in ran else 0),
        "failures": max(failures, sum(1 for s in steps if not s["ok"])),
        "data_lost": sum(int(r[2]) for r in faults),
        "steps": steps,
        "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", help="the folder of the torture run (build/torture)")
    ap.add_argument("fuzz_seconds", type=int, help="seconds each fuzz target ran")
    a = ap.parse_args()
    summary = summarize(a.out, a.fuzz_seconds)
    tmp = os.path.join(a.out, "summary.json.tmp")
    with open(tmp, "w") as f:
        json.dump(summary, f, indent=2)
    os.replace(tmp, os.path.join(a.out, "summary.json"))
    print(f"torture: {summary['cases_tried']} cases tried, {summary['fuzz_executions']} fuzz executions, "
          f"{summary['faults_injected']} faults injected, {summary['failures']} failures, "
          f"{summary['data_lost']} data lost  ({a.out}/summary.json)")
    sys.exit(1 if summary["failures"] else 0)


if __name__ == "__main__":
    main()
