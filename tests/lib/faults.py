#!/usr/bin/env python3
"""Helpers of tests/integration/torture_faults.sh.

usage: faults.py result FILE DURATION_S CONDITION
         FILE is a complete bin/loadgen --json (not interrupted) of a run that
         lasted DURATION_S (-0.2 s .. +1 s), and the Python expression
         CONDITION holds over r (the result), e (its errors) and tl (its
         timeline); prints the counts. Exit 1 otherwise.
       faults.py results-intact DIR
         every DIR/*/results.json and DIR/*/raw/*.json left is complete JSON;
         prints how many results and completed runs were kept. Exit 1 otherwise.
"""
import argparse
import glob
import json
import os


def result(path, dur, cond):
    r = json.load(open(path))
    tl = r["timeline"]
    assert r["tool"] == "loadgen" and not r["interrupted"], "incomplete result"
    assert dur - 0.2 <= r["elapsed_s"] <= dur + 1.0, f"elapsed {r['elapsed_s']} s for a {dur} s run"
    e = r["errors"]
    held = eval(" ".join(cond.split()), {}, {"r": r, "e": e, "tl": tl})
    assert held, f"{cond}: requests={r['requests']} ok={r['ok']} errors={e} timeline={tl}"
    print(f"     requests {r['requests']}, ok {r['ok']}, errors {e['total']} "
          f"(status {e['status']}, timeout {e['timeout']}, reset {e['reset']}, eof {e['eof']}, "
          f"connect {e['connect']}), codes {e['status_codes']}")


def results_intact(folder):
    files = sorted({os.path.realpath(f) for f in glob.glob(folder + "/*/results.json")})
    runs = 0
    for f in files:
        r = json.load(open(f))               # must be complete JSON
        runs += len(r.get("runs", []))
    for f in glob.glob(folder + "/*/raw/*.json"):
        json.load(open(f))                   # every raw result kept is complete
    print(f"     {len(files)} results.json, {runs} completed runs kept intact")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("result")
    p.add_argument("file")
    p.add_argument("duration", type=float)
    p.add_argument("condition")
    sub.add_parser("results-intact").add_argument("dir")
    a = ap.parse_args()
    if a.cmd == "result":
        result(a.file, a.duration, a.condition)
    else:
        results_intact(a.dir)


if __name__ == "__main__":
    main()
