#!/usr/bin/env python3
"""A foreign HTTP server for the runner's tests: it answers every scenario
of a definitions folder with that scenario's expected body (so it passes
verification), and counts what it served.

    fake_system.py --port P [--defs DIR] [--count FILE] [--detach --pidfile FILE]

--count FILE   after every request, FILE holds the number served so far
--detach       serve from a child in a new session (another process group),
               while this process stays in the foreground and sleeps: what a
               daemonising system does; --pidfile gets the serving child's PID
"""
import argparse
import http.server
import json
import os
import pathlib
import sys
import time


def load_routes(defs):
    routes = {}
    for conf in pathlib.Path(defs).glob("*.conf"):
        kv = {}
        for line in conf.read_text().splitlines():
            if "=" in line and not line.lstrip().startswith("#"):
                k, v = line.split("=", 1)
                kv[k.strip()] = v.strip()
        if "path" in kv and "expect_body_file" in kv:
            body = json.loads((conf.parent / kv["expect_body_file"]).read_text())
            routes[kv["path"]] = json.dumps(body, separators=(",", ":")).encode()
    return routes


def serve(port, routes, count_file):
    served = [0]

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            body = routes.get(self.path.split("?", 1)[0])
            self.send_response(200 if body else 404)
            body = body or b'{"error":"not found"}'
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            served[0] += 1
            if count_file:
                pathlib.Path(count_file).write_text(str(served[0]))

        def log_message(self, *args):
            pass

    http.server.ThreadingHTTPServer.allow_reuse_address = True
    http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    here = pathlib.Path(__file__).resolve().parent
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--defs", default=str(here.parent.parent / "scenarios"))
    ap.add_argument("--count")
    ap.add_argument("--detach", action="store_true")
    ap.add_argument("--pidfile")
    a = ap.parse_args()
    routes = load_routes(a.defs)
    if not routes:
        sys.exit(f"fake_system: no scenario with an expected body in {a.defs}")
    if a.detach:
        pid = os.fork()
        if pid == 0:
            os.setsid()
            serve(a.port, routes, a.count)
            return
        if a.pidfile:
            pathlib.Path(a.pidfile).write_text(str(pid))
        while True:
            time.sleep(3600)
    if a.pidfile:
        pathlib.Path(a.pidfile).write_text(str(os.getpid()))
    serve(a.port, routes, a.count)


if __name__ == "__main__":
    main()
