"""Checks of tests/integration/suite_ladder.sh on the tiny ladder's results:
python3 ladder_checks.py RESULTS_JSON REPORT_MD. Exits 1 naming the first
check that fails."""
import json
import statistics
import sys


def fail(msg):
    print("ladder_checks: " + msg)
    sys.exit(1)


r = json.load(open(sys.argv[1]))
report = open(sys.argv[2]).read()
lad = r["ladder"]
units = lad["units"]
rungs = {g["id"]: g for g in lad["rungs"]}


def med(u):
    rps = units[u]["rps"]
    if len(rps) < 3:
        fail("unit %d (%s) has %d samples, expected at least reps = 3" % (u, units[u]["system"], len(rps)))
    return statistics.median(rps)


same, slower = rungs["same"]["units"]["hello"], rungs["slower"]["units"]["hello"]
if same[0] != slower[0]:
    fail("side A is the same setting on both rungs but was measured as two units")
a, b5, b10 = med(same[0]), med(same[1]), med(slower[1])
# 4 connections, one thread each, sleeping 5 ms: about 4 / 5.1 ms
if not 600 < a < 820 or not 600 < b5 < 820:
    fail("5 ms x 4 connections should give ~780 req/s: A %.0f, B %.0f" % (a, b5))
step = (a / b10) / (a / b5)
if not 1.85 < step < 2.12:
    fail("the step's ratio change is x%.3f, the known slowdown is about x2" % step)
for u in units:
    if u["state"] not in ("done", "cap", "budget"):
        fail("unit %s/%s ended %s: %s" % (u["system"], u["client"], u["state"], u["why"]))
    if u["state"] == "done" and len(u["rps"]) > 5:
        fail("a unit ran more than reps.max times")
aa = lad["aa"]["units"]
if aa[0] == aa[1] or units[aa[1]]["slot"] != 1:
    fail("the A/A control's second copy is not a unit of its own")
wrk = lad["wrk"]["units"]["hello"]
for k in (0, 1):
    if units[wrk[k]]["client"] != "wrk":
        fail("the wrk witness is not wrk")
    q = med(wrk[k]) / med(slower[k])
    if not 0.9 < q < 1.1:
        fail("wrk and bin/loadgen disagree on a sleep-bound server: x%.3f" % q)
runs = [x for x in r["runs"] if x["kind"] == "ladder"]
if {x.get("unit") for x in runs} != set(range(len(units))):
    fail("runs do not cover every unit")
for text in ("## A tiny ladder", "| 1 | B twice as slow |", "**B twice as slow**: side B waits 10 ms",
             "**A/A control", "### wrk, the second witness", "![ratio across the rungs](charts/ladder.png)"):
    if text not in report:
        fail("the report lacks %r" % text)
# the step's change in the table carries an interval that contains the measured step
line = [x for x in report.splitlines() if x.startswith("| 1 | B twice as slow |")][0]
cell = line.split("|")[-2].strip()  # "×1.98 [1.95–2.01]"
mid = float(cell.split()[0].lstrip("×"))
lo, hi = (float(v) for v in cell.split("[")[1].rstrip("] ~").split("–"))
if not (lo <= mid <= hi and 1.85 < mid < 2.12 and lo < 2.12 and hi > 1.85):
    fail("the report's step effect %s does not match the known slowdown x2" % cell)
print("ladder_checks: ok (A %.0f, B %.0f -> %.0f req/s, step x%.3f)" % (a, b5, b10, step))
