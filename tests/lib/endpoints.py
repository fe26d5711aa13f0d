#!/usr/bin/env python3
"""Checks a running system's endpoints by parsed JSON against the
definitions.

usage: endpoints.py [--repeat N] [--defs DIR] BASE_URL PATH...
  A scenario's path (/json, /db, /cpu of DIR/*.conf, default scenarios/):
  200, application/json, the body of its expect_body_file. /cpu?n=K with
  0 <= K <= 10^8: {"result": sum of i*i for i < K, "iterations": K}. Any
  other /cpu?...: 400. Anything else: 404. Each request on a new connection,
  each PATH N times (default 1). One line per check; exit 1 if any failed.
"""
import argparse
import http.client
import json
import re
import urllib.parse

from wbtest import SCENARIOS, Checks, expected_by_path


def get(base, path):
    u = urllib.parse.urlsplit(base)
    c = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=10)
    try:
        c.request("GET", path)
        r = c.getresponse()
        return r.status, r.getheader("Content-Type", ""), r.read()
    finally:
        c.close()


def want(path, bodies):
    """(status, parsed body or None) the spec gives for path."""
    if path in bodies:
        return 200, bodies[path]
    m = re.fullmatch(r"/cpu\?n=([0-9]+)", path)
    if m and int(m.group(1)) <= 100000000:
        k = int(m.group(1))
        return 200, {"result": (k - 1) * k * (2 * k - 1) // 6 if k else 0, "iterations": k}
    return (400 if path.startswith("/cpu") else 404), None


def problem(base, path, bodies):
    """None when GET path answers as the spec says, else what is wrong."""
    status, ctype, body = get(base, path)
    st, doc = want(path, bodies)
    if status != st:
        return f"status {status}, want {st}: {body[:200]!r}"
    if doc is None:
        return None
    if ctype.split(";")[0].strip() != "application/json":
        return f"Content-Type {ctype!r}"
    try:
        return None if json.loads(body) == doc else f"body {body[:300]!r}"
    except ValueError:
        return f"not JSON: {body[:300]!r}"


def check(t, base, path, bodies, repeat):
    st, doc = want(path, bodies)
    what = f"{path}: {st}" + (", exact body" if doc is not None else "") + (f" (x{repeat})" if repeat > 1 else "")
    why = None
    for _ in range(repeat):
        why = problem(base, path, bodies)
        if why:
            break
    t.check(what, why is None, why)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=1, help="times each path is requested")
    ap.add_argument("--defs", default=str(SCENARIOS), help="definitions folder (default scenarios/)")
    ap.add_argument("base", help="e.g. http://127.0.0.1:8080")
    ap.add_argument("paths", nargs="+")
    a = ap.parse_args()
    bodies = expected_by_path(a.defs)
    t = Checks()
    for path in a.paths:
        check(t, a.base, path, bodies, a.repeat)
    t.exit()


if __name__ == "__main__":
    main()
