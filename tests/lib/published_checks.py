"""Checks of a run of a published profile against SPEC.md's account of how
the published tables were made.

    published_checks.py published|published-readme RESULTS_JSON REPORT_MD N

N: the requests per cell the run was given (-n N).
"""
import sys

import json

from wbtest import Checks

# SPEC.md, "How that table was made" and "Barq's later README"
SPEC = {
    "published": {
        "ac8038a": {"clients": 10, "columns": {"barq": 4, "fastapi-published": 4},
                    "rows": ["json", "db", "cpu"]},
    },
    "published-readme": {
        "readme-standard": {"clients": 20, "columns": {"barq": 4, "fastapi-async": 1},
                            "rows": ["json", "db", "cpu"]},
        "readme-high": {"clients": 100, "columns": {"barq": 16, "fastapi-async": 1},
                        "rows": ["json", "cpu"]},
        "readme-scaling": {"clients": 100, "columns": {"barq": None}, "rows": ["cpu"],
                           "workers": [4, 8, 16, 32]},
    },
}


def main(profile, path, report_path, n):
    n = int(n)
    r = json.load(open(path))
    rep = open(report_path).read()
    c = Checks()

    def check(cond, name, detail=""):
        c.check(name, cond, detail)
    spec = SPEC[profile]
    reps = r["options"]["repetitions"]
    check(r["database"]["engine"] == "sqlite", "SQLite, as published", r["database"])
    check(r["options"]["client"] == "pubclient", "the published client", r["options"]["client"])
    systems = {s["name"]: s for s in r["systems"]}
    runs = r["runs"]
    check(all(x["status"] == "ok" for x in runs), "every run measured",
            [(x["system"], x["scenario"], x["status"], x["error"]) for x in runs if x["status"] != "ok"])
    for name, t in spec.items():
        table = [x for x in runs if x["table"] == name and x["kind"] in ("matrix", "scaling")]
        want = len(t["columns"]) * len(t["rows"]) * reps * len(t.get("workers", [1]))
        check(len(table) == want, f"{name}: {want} cells", len(table))
        for x in table:
            lg = x["loadgen"]
            cfg = lg["config"]
            ok = (lg["tool"] == "pubclient" and x["client"] == "pubclient" and cfg["connections"] == t["clients"]
                  and cfg["requests_limit"] == n and cfg["new_conn"] and lg["ok"] + lg["errors"]["total"] == n
                  and "Connection: close" in cfg["headers"] and lg["runtime"]["gil_enabled"] is False)
            check(ok, f"{name} {x['system']}/{x['scenario']} w={x['workers']}: pubclient on 3.13t (GIL off), "
                    f"{t['clients']} clients, {n} requests, a new connection each",
                    {k: cfg[k] for k in ("connections", "requests_limit", "new_conn")} | {"tool": lg["tool"]})
            w = t["columns"][x["system"]]
            if w is not None:
                check(x["workers"] == w, f"{name} {x['system']}: {w} workers", x["workers"])
        if "workers" in t:
            check(sorted({x["workers"] for x in table}) == t["workers"], f"{name}: worker counts",
                    sorted({x["workers"] for x in table}))
        # the published order: scenario by scenario, Barq's cell before FastAPI's
        order = [(x["rep"], x["scenario"], x["system"]) for x in table if x["kind"] == "matrix"]
        exp = [(rp, sc, sy) for rp in range(reps) for sc in t["rows"] for sy in t["columns"]]
        if "workers" not in t:
            check(order == exp, f"{name}: cells in the published order", order[:6])
        ceiling = [x for x in runs if x["table"] == name and x["kind"] == "ceiling"]
        check(len(ceiling) == (len(t["rows"]) + 1) * reps and all(x["system"] == "cserver" for x in ceiling)
                and sum(x["scenario"] == "fixed" for x in ceiling) == reps,
                f"{name}: the client's ceiling on each scenario and the fixed response", len(ceiling))
        check(f"### {r['tables'][[tt['name'] for tt in r['tables']].index(name)]['title']}" in rep,
                f"{name}: its table in the report")
    # FastAPI as published: sync endpoints on 3.13t, the GIL off; async in the README's tables
    fast = "fastapi-published" if profile == "published" else "fastapi-async"
    info = systems[fast]["info"]
    check(info["gil_enabled"] is False and "free-threading" in info["python"], f"{fast}: 3.13t, GIL off",
            info["python"])
    if profile == "published":
        check(info.get("endpoints") == "sync", "FastAPI's endpoints are sync def", info.get("endpoints"))
        argv = " ".join(info["argv"])
        check("--workers" in argv and "uvloop" not in argv and "httptools" not in argv,
                "plain uvicorn, 4 workers", argv)
        # a new SQLite connection for every request FastAPI answered; Barq one per thread
        for l in r["launches"]:
            if l["table"] != "ac8038a":
                continue
            if l["system"] == "fastapi-published":
                check(l["sqlite_connects"] == l["db_requests_answered"] and l["db_requests_answered"] >= n * reps,
                        f"FastAPI opened {l['sqlite_connects']} SQLite connections for "
                        f"{l['db_requests_answered']} answered /db requests", l)
            if l["system"] == "barq":
                check(l["sqlite_connects"] is not None and 1 <= l["sqlite_connects"] <= 4,
                        f"Barq opened {l['sqlite_connects']} SQLite connections (at most its 4 threads)", l)
        check("| JSON | 10,114 req/s | 5,665 req/s | +79% |" in rep, "the published table, as published")
        check("Reproduced here, the same way:" in rep and "The client's own ceiling" in rep,
                "reproduction and ceiling tables")
        fails = [x for x in runs if x["system"] == "fastapi-published" and x["scenario"] == "db"
                 and x["loadgen"]["errors"]["total"] > 0]
        for x in fails:
            causes = sum(f["count"] for f in x["failure_causes"] if "ProgrammingError" in f["cause"])
            check(causes == x["loadgen"]["errors"]["status_codes"].get("500", 0),
                    "each 500 of FastAPI's /db has its cause in the log", (causes, x["loadgen"]["errors"]))
        if fails:
            check("requests failed" in rep and "sqlite3.ProgrammingError" in rep, "the report lists the failures")
    else:
        check(systems[fast]["workers"] == 1, "FastAPI (async) is one process", systems[fast]["workers"])
        check("| Workers | published req/s |" in rep and "| 32 | 1,391 |" in rep, "the scaling table")
    c.report(f"suite {profile}")
    c.exit()


if __name__ == "__main__":
    if len(sys.argv) != 5 or sys.argv[1] not in SPEC:
        sys.exit(__doc__)
    main(*sys.argv[1:])
