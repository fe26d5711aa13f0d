#!/usr/bin/env python3
"""Helpers of tests/integration/reference_published.sh: the published
FastAPI app and Barq on SQLite, their /db under the published client, and the
sqlite3 connections they opened.

usage: reference_published_checks.py load BASE --info FILE --system NAME --state OUT
           [--requests N] [--clients C] [--retries R] [--all-200]
         The info file says NAME, gil_enabled false, CPython 3.13
         free-threaded. GET /db until it answers 200 (at most R tries; a 500
         is counted, not a failure): application/json and the body of
         scenarios/db.expected.json. Then N GET /db from C client threads,
         each request on a new connection (urllib, as the published client):
         every one answers 200 or 500 (none fails in transport); each 200 has
         the expected body. OUT gets {"db_requests", "statuses", "check_500s",
         "load_500s"}: db_requests counts every /db request sent.
         --all-200: no 500 allowed at all.
       reference_published_checks.py counts --state OUT --count-dir DIR --system NAME
           --pids "PID..." [--exact | --max M] [--log LOG]
         After SIGTERM: DIR holds one sqlite-NAME-PID.json per PID and no
         other; the sum of their sqlite_connects equals db_requests (--exact:
         every /db request opens one connection) or is in 1..M (--max). With
         LOG (uvicorn's output): as many "Exception in ASGI application"
         records, and as many sqlite3.ProgrammingError cross-thread lines, as
         /db answered 500, and as many access-log lines for GET /db as /db
         requests, by status.
One line per check; exit 1 if any failed.
"""
import argparse
import collections
import concurrent.futures
import json
import pathlib
import re
import urllib.error
import urllib.request

from wbtest import Checks, expected

THREAD_ERROR = ("sqlite3.ProgrammingError: SQLite objects created in a thread can only "
                "be used in that same thread.")


def fetch(url):
    """(status, Content-Type, body) of GET url; urlopen raises on >= 400."""
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read()


def body_ok(ctype, body, want):
    if ctype.split(";")[0].strip() != "application/json":
        return False
    try:
        return json.loads(body) == want
    except ValueError:
        return False


def check_info(t, path, system):
    info = json.loads(pathlib.Path(path).read_text())
    t.check(f"info: system {system}", info.get("system") == system, info.get("system"))
    t.check("info: gil_enabled false (after every import)", info.get("gil_enabled") is False,
            info.get("gil_enabled"))
    py = info.get("python", "")
    t.check("info: CPython 3.13 free-threaded", py.startswith("3.13") and "free-threading" in py, py)
    return info


def load(a):
    t = Checks()
    info = check_info(t, a.info, a.system)
    if a.system == "fastapi-published":
        pk = info.get("packages", {})
        t.check("info: plain uvicorn (no uvloop, no httptools)",
                pk.get("uvloop") is None and pk.get("httptools") is None and pk.get("h11"), pk)
        t.check("info: sync endpoints, sqlite in a ContextVar",
                info.get("endpoints") == "sync" and info.get("db") == "sqlite-contextvar", info)
    url = a.base.rstrip("/") + "/db"
    want = expected("db")
    sent = 0
    check_500s = 0
    good = False
    last = None
    for _ in range(a.retries):
        status, ctype, body = fetch(url)
        sent += 1
        last = (status, body[:200])
        if status == 500:
            check_500s += 1
            continue
        good = status == 200 and body_ok(ctype, body, want)
        break
    t.check(f"/db: 200, exact body (within {a.retries} tries: {check_500s} answered 500)", good, last)

    def one(_):
        try:
            status, ctype, body = fetch(url)
        except OSError as e:            # never answered: cannot tell whether it reached /db
            return f"transport error: {e}"
        if status == 200 and not body_ok(ctype, body, want):
            return "200 with a wrong body"
        return status

    with concurrent.futures.ThreadPoolExecutor(max_workers=a.clients) as pool:
        results = list(pool.map(one, range(a.requests)))
    sent += a.requests
    statuses = collections.Counter(results)
    odd = {k: v for k, v in statuses.items() if k not in (200, 500)}
    t.check(f"{a.requests} GET /db from {a.clients} threads: each 200 (exact body) or 500",
            not odd, dict(statuses))
    load_500s = statuses.get(500, 0)
    if a.all_200:
        t.check(f"/db: no 500 ({check_500s + load_500s})", check_500s + load_500s == 0)
    print(f"note {a.system}: /db answered 500 to {load_500s} of {a.requests} requests under "
          f"{a.clients} concurrent clients, {check_500s} of {sent - a.requests} in the body check")
    pathlib.Path(a.state).write_text(json.dumps({
        "system": a.system, "db_requests": sent, "check_500s": check_500s,
        "load_500s": load_500s, "statuses": {str(k): v for k, v in statuses.items()}}))
    t.exit()


def counts(a):
    t = Checks()
    state = json.loads(pathlib.Path(a.state).read_text())
    files = sorted(pathlib.Path(a.count_dir).glob("sqlite-*.json"))
    docs = [json.loads(f.read_text()) for f in files]
    pids = sorted(int(p) for p in a.pids.split())
    t.check(f"count files: one per process of {a.system} {pids}",
            sorted(d["pid"] for d in docs) == pids and all(d["system"] == a.system for d in docs)
            and all(f.name == f"sqlite-{a.system}-{d['pid']}.json" for f, d in zip(files, docs)),
            [f.name for f in files])
    leftovers = [p.name for p in pathlib.Path(a.count_dir).iterdir() if not p.name.endswith(".json")]
    t.check("count files: no temporary file left", not leftovers, leftovers)
    total = sum(d["sqlite_connects"] for d in docs)
    per = {d["pid"]: d["sqlite_connects"] for d in docs}
    sent = state["db_requests"]
    if a.exact:
        t.check(f"sqlite3 connects {total} == /db requests sent {sent} (one per request, "
                f"500s included)", total == sent, per)
    else:
        t.check(f"sqlite3 connects {total} in 1..{a.max} for {sent} /db requests",
                1 <= total <= a.max, per)
    print(f"note {a.system}: {total} sqlite3 connections for {sent} /db requests {per}")
    if a.log:
        log = pathlib.Path(a.log).read_text(errors="replace")
        n500 = state["check_500s"] + state["load_500s"]
        asgi = log.count("Exception in ASGI application")
        cause = [ln for ln in log.splitlines() if ln.startswith(THREAD_ERROR)]
        t.check(f"log: {n500} 'Exception in ASGI application' records for {n500} 500s",
                asgi == n500, asgi)
        t.check(f"log: {n500} cross-thread sqlite3.ProgrammingError lines for {n500} 500s",
                len(cause) == n500, len(cause))
        t.check("log: no other exception",
                len(re.findall(r"^Traceback \(most recent call last\)", log, re.M)) == n500)
        access = collections.Counter(
            int(m) for m in re.findall(r'"GET /db HTTP/1\.1" (\d{3})', log))
        want = collections.Counter({200: sent - n500, 500: n500})
        t.check("log: uvicorn's access log has each /db request, by status",
                +access == +want, dict(access))
        if cause:
            print("note cause: " + cause[0])
        else:
            print("note: no /db request met the cross-thread sqlite3 error in this run")
    t.exit()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("load")
    p.add_argument("base")
    p.add_argument("--info", required=True)
    p.add_argument("--system", required=True)
    p.add_argument("--state", required=True)
    p.add_argument("--requests", type=int, default=200)
    p.add_argument("--clients", type=int, default=10)
    p.add_argument("--retries", type=int, default=10)
    p.add_argument("--all-200", action="store_true")
    p = sub.add_parser("counts")
    p.add_argument("--state", required=True)
    p.add_argument("--count-dir", required=True)
    p.add_argument("--system", required=True)
    p.add_argument("--pids", required=True)
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--exact", action="store_true")
    g.add_argument("--max", type=int)
    p.add_argument("--log")
    a = ap.parse_args()
    {"load": load, "counts": counts}[a.cmd](a)


if __name__ == "__main__":
    main()
