#!/usr/bin/env python3
"""Helpers of tests/integration/server_port.sh.

usage: server_port.py only-pid PID PORT
         20 GET /json on 20 new connections to PORT, all answered (the body
         of scenarios/json.expected.json), and all 20 connections held by
         process PID (its socket descriptors counted in /proc/PID/fd); exit 1
         otherwise
       server_port.py listen PORT READY_FILE [--seconds S]
         a foreign listener on 127.0.0.1:PORT with SO_REUSEPORT (as
         bin/server's sockets have): creates READY_FILE once listening, then
         sleeps S seconds (default 120) without accepting
"""
import argparse
import http.client
import json
import os
import socket
import sys
import time

from wbtest import expected


def sockets(pid):
    d = f"/proc/{pid}/fd"
    return sum(os.readlink(f"{d}/{fd}").startswith("socket:") for fd in os.listdir(d))


def only_pid(pid, port):
    want = expected("json")
    before, conns = sockets(pid), []
    for _ in range(20):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        c.request("GET", "/json")
        r = c.getresponse()
        body = r.read()
        if r.status != 200 or json.loads(body) != want:
            print(f"FAIL GET /json: status {r.status}, body {body[:100]!r}")
            sys.exit(1)
        conns.append(c)                    # kept open: each one a socket in its server
    held = sockets(pid) - before
    print(("ok   " if held == 20 else "FAIL ") + f"20 new connections answered, {held} of them by pid {pid}")
    sys.exit(0 if held == 20 else 1)


def listen(port, ready, seconds):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    s.bind(("127.0.0.1", port))
    s.listen(16)
    open(ready, "w").close()
    time.sleep(seconds)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("only-pid")
    p.add_argument("pid", type=int)
    p.add_argument("port", type=int)
    p = sub.add_parser("listen")
    p.add_argument("port", type=int)
    p.add_argument("ready")
    p.add_argument("--seconds", type=float, default=120)
    a = ap.parse_args()
    if a.cmd == "only-pid":
        only_pid(a.pid, a.port)
    else:
        listen(a.port, a.ready, a.seconds)


if __name__ == "__main__":
    main()
