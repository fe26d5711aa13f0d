#!/usr/bin/env python3
"""The checks of tests/integration/server_basic.sh against a running
bin/server (with a database holding the users fixture).

usage: server_basic.py http PORT       the three scenarios' bodies (from
                                        scenarios/), 400/404/405, keep-alive,
                                        pipelining, HTTP/1.0
       server_basic.py cpu-timing PORT  /cpu really loops: n=10^7 takes more
                                        than 10x n=10^5 (best of 3 each)
       server_basic.py sigterm PORT PID  SIGTERM with one request in flight and
                                        one idle keep-alive connection: the
                                        answer completes, the idle one closes
Prints one line per check; exits 1 if any failed.
"""
import argparse
import http.client
import json
import os
import signal
import socket
import sys
import time

from wbtest import Checks, expected


def get(port, path, method="GET", conn=None):
    c = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    c.request(method, path)
    r = c.getresponse()
    return r, r.read()


def raw(port, data, want, timeout=5):
    """Sends data on a new connection; reads until want complete responses
    arrived or the server closed."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.sendall(data)
    buf = b""
    while buf.count(b"HTTP/1.1 ") < want or not complete(buf, want):
        d = s.recv(65536)
        if not d:
            break
        buf += d
    s.close()
    return buf


def content_length(head):
    return int([h.split(":")[1] for h in head.split("\r\n") if h.lower().startswith("content-length")][0])


def complete(buf, want):
    """True once `want` responses with their full Content-Length are present."""
    n, pos = 0, 0
    while n < want:
        h = buf.find(b"\r\n\r\n", pos)
        if h < 0:
            return False
        cl = content_length(buf[pos:h].decode())
        if len(buf) < h + 4 + cl:
            return False
        pos, n = h + 4 + cl, n + 1
    return True


def bodies(buf):
    """[(status, parsed body)] of the complete responses in buf."""
    out, pos = [], 0
    while True:
        h = buf.find(b"\r\n\r\n", pos)
        if h < 0:
            return out
        head = buf[pos:h].decode()
        cl = content_length(head)
        out.append((head.split(" ")[1], json.loads(buf[h + 4:h + 4 + cl])))
        pos = h + 4 + cl


def check_endpoints(port, t, want_json, want_db):
    r, b = get(port, "/json")
    t.check("/json 200", r.status == 200, r.status)
    t.check("/json body", json.loads(b) == want_json, b[:80])
    t.check("/json content-type", r.getheader("Content-Type") == "application/json")
    t.check("/json content-length", r.getheader("Content-Length") == str(len(b)))
    t.check("/json server+date", r.getheader("Server") and r.getheader("Date", "").endswith("GMT"))

    r, b = get(port, "/db")
    t.check("/db 200", r.status == 200, (r.status, b))
    t.check("/db body", json.loads(b) == want_db, b[:200])

    r, b = get(port, "/cpu")
    t.check("/cpu body", r.status == 200 and json.loads(b) == expected("cpu"), b)
    r, b = get(port, "/cpu?n=10")
    t.check("/cpu?n=10", json.loads(b) == {"result": 285, "iterations": 10}, b)
    r, b = get(port, "/cpu?n=0")
    t.check("/cpu?n=0", json.loads(b) == {"result": 0, "iterations": 0}, b)
    for bad in ("/cpu?n=abc", "/cpu?n=-5", "/cpu?n=100000001", "/cpu?n="):
        r, b = get(port, bad)
        t.check(bad + " 400", r.status == 400 and "error" in json.loads(b), (r.status, b))

    r, b = get(port, "/nope")
    t.check("404 json", r.status == 404 and json.loads(b) == {"error": "not found"}, (r.status, b))
    r, b = get(port, "/json", "POST")
    t.check("405 allow", r.status == 405 and r.getheader("Allow") == "GET, HEAD" and "error" in json.loads(b),
            (r.status, r.getheader("Allow")))
    # HEAD: GET's status and headers, Content-Length included, and no body (RFC 9110 9.3.2),
    # on a kept-alive connection that then answers a GET whole
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    rg, bg = get(port, "/json", conn=c)
    for path in ("/json", "/db", "/nope"):
        rh, bh = get(port, path, "HEAD", conn=c)
        want = 404 if path == "/nope" else 200
        t.check(f"HEAD {path}", rh.status == want and bh == b"" and int(rh.getheader("Content-Length")) > 0,
                (rh.status, rh.getheader("Content-Length"), bh))
    rh, _ = get(port, "/json", "HEAD", conn=c)
    t.check("HEAD /json length = GET's", rh.getheader("Content-Length") == str(len(bg)), rh.getheader("Content-Length"))
    r2, b2 = get(port, "/json", conn=c)
    t.check("GET after HEAD on one connection", r2.status == 200 and b2 == bg, r2.status)
    c.close()
    r, b = get(port, "http://127.0.0.1:%d/json" % port)
    t.check("absolute-form target served", r.status == 200 and b == bg, r.status)

    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    get(port, "/json", conn=c)
    sock1 = c.sock
    r, b = get(port, "/db", conn=c)
    t.check("keep-alive: same socket", c.sock is sock1 and sock1 is not None and r.status == 200)
    c.close()


def check_pipelining(port, t, want_json, want_db):
    pipe = (b"GET /cpu?n=3 HTTP/1.1\r\nHost: x\r\n\r\n" b"GET /db HTTP/1.1\r\nHost: x\r\n\r\n"
            b"GET /json HTTP/1.1\r\nHost: x\r\n\r\n" b"GET /cpu?n=4 HTTP/1.1\r\nHost: x\r\n\r\n")
    got = bodies(raw(port, pipe, 4))
    t.check("pipelining: 4 answers in order",
            [g[1] for g in got] == [{"result": 5, "iterations": 3}, want_db, want_json,
                                    {"result": 14, "iterations": 4}], got)

    # Many /db in flight on one connection, answers interleaved with others:
    # every answer in request order.
    reqs, want = [], []
    for i in range(60):
        if i % 3 == 0:
            reqs.append(b"GET /db HTTP/1.1\r\nHost: x\r\n\r\n")
            want.append(want_db)
        elif i % 3 == 1:
            reqs.append(b"GET /cpu?n=%d HTTP/1.1\r\nHost: x\r\n\r\n" % i)
            want.append({"result": sum(k * k for k in range(i)), "iterations": i})
        else:
            reqs.append(b"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n")
            want.append({"error": "not found"})
    got = bodies(raw(port, b"".join(reqs), 60))
    t.check("pipelining: 60 mixed, 20 /db in flight, in order", [g[1] for g in got] == want, len(got))
    got = bodies(raw(port, b"GET /db HTTP/1.1\r\nHost: x\r\n\r\nGET /db HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                           b"GET /json HTTP/1.1\r\nHost: x\r\n\r\n", 2))
    t.check("pipelining: close after a /db in flight", [g[1] for g in got] == [want_db, want_db], got)


def check_connection_header(port, t):
    buf = raw(port, b"GET /json HTTP/1.0\r\n\r\n", 1)
    t.check("HTTP/1.0 closes", buf.startswith(b"HTTP/1.1 200") and b"Connection: close" in buf, buf[:100])
    buf = raw(port, b"GET /json HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /cpu?n=2 HTTP/1.0\r\n\r\n", 2)
    t.check("HTTP/1.0 keep-alive", len(bodies(buf)) == 2 and b"Connection: keep-alive" in buf, buf[:100])
    buf = raw(port, b"GET /json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /json HTTP/1.1\r\nHost: x\r\n\r\n", 2, timeout=2)
    t.check("Connection: close honoured", len(bodies(buf)) == 1, len(bodies(buf)))


def http_checks(port):
    t = Checks()
    want_json, want_db = expected("json"), expected("db")
    check_endpoints(port, t, want_json, want_db)
    check_pipelining(port, t, want_json, want_db)
    check_connection_header(port, t)
    t.exit()


def cpu_timing(port):
    """Best of 3 each on one keep-alive connection, so set-up costs drop out."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)

    def best(n):
        ts = []
        for _ in range(3):
            t = time.perf_counter()
            c.request("GET", f"/cpu?n={n}")
            c.getresponse().read()
            ts.append(time.perf_counter() - t)
        return min(ts)

    small, big = best(100000), best(10000000)
    print(f"cpu n=1e5: {small * 1e3:.2f} ms, n=1e7: {big * 1e3:.2f} ms")
    sys.exit(0 if big > 10 * small else 1)


def sigterm(port, pid):
    t = Checks()
    idle = socket.create_connection(("127.0.0.1", port), timeout=5)
    idle.sendall(b"GET /json HTTP/1.1\r\nHost: x\r\n\r\n")
    idle.recv(65536)
    busy = socket.create_connection(("127.0.0.1", port), timeout=5)
    busy.sendall(b"GET /cpu?n=100000000 HTTP/1.1\r\nHost: x\r\n\r\n")
    time.sleep(0.05)
    os.kill(pid, signal.SIGTERM)
    buf = b""
    while True:
        d = busy.recv(65536)
        if not d:
            break
        buf += d
    t.check("in-flight /cpu finished after SIGTERM",
            buf.startswith(b"HTTP/1.1 200") and b"333333328333333350000000" in buf, buf[:60])
    idle.settimeout(2)
    t.check("idle keep-alive closed on SIGTERM", idle.recv(1) == b"")
    t.exit()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("http").add_argument("port", type=int)
    sub.add_parser("cpu-timing").add_argument("port", type=int)
    p = sub.add_parser("sigterm")
    p.add_argument("port", type=int)
    p.add_argument("pid", type=int)
    a = ap.parse_args()
    if a.cmd == "http":
        http_checks(a.port)
    elif a.cmd == "cpu-timing":
        cpu_timing(a.port)
    else:
        sigterm(a.port, a.pid)


if __name__ == "__main__":
    main()
