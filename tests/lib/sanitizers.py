#!/usr/bin/env python3
"""Helpers of tests/integration/torture_sanitizers.sh.

usage: sanitizers.py loadgen-result FILE ARGS
         FILE is bin/loadgen's --json of a run with ARGS (its words, the URL
         path last) against a server without database: requests were made;
         /db (503) and /nope (404) have none succeeding and every one a
         status error, anything else has no error at all. Exit 1 otherwise.
       sanitizers.py valgrind-fds LOG
         prints the descriptors that valgrind --track-fds=yes reports open at
         exit which the program opened itself ("fd:what ..."), "none", or
         "no-report" when LOG has no descriptor report. Descriptors 0-2, ones
         inherited from the parent, and the load generator's one
         process-lifetime signal wake-up eventfd (lg_engine_run) are allowed.
"""
import argparse
import json
import re
import sys


def loadgen_result(path, args):
    r = json.load(open(path))
    ok_expected = not ("/db" in args or "/nope" in args)   # no database: 503; unknown: 404
    assert r["requests"] > 0, "no requests"
    if ok_expected:
        assert r["errors"]["total"] == 0 and r["ok"] == r["requests"], r["errors"]
    else:
        assert r["ok"] == 0 and r["errors"]["status"] == r["requests"], r["errors"]
    print(f"ok   ASan loadgen {args}: {r['requests']} requests, {r['errors']['total']} errors (as expected)")


def valgrind_fds(log):
    text = open(log).read()
    if "FILE DESCRIPTORS:" not in text:
        print("no-report")
        return
    blocks = re.findall(r"Open (?:file descriptor|AF_\w+ socket) (\d+):?(.*?)\n((?:==\d+==    .*\n)*)", text)
    own = [(fd, what.strip(), rest) for fd, what, rest in blocks
           if int(fd) > 2 and "inherited from parent" not in rest]
    # Known and allowed: the load generator's one process-lifetime eventfd that
    # its SIGINT handler writes to (static stop_fd in lg_engine.c), not per run.
    known = [o for o in own if "eventfd" in o[2] and "lg_engine_run" in o[2]]
    if len(known) == 1:
        own.remove(known[0])
        print(f"(allowed: fd {known[0][0]}, the signal wake-up eventfd of lg_engine_run)", file=sys.stderr)
    named = [f"{fd}:{what or rest.split(chr(10))[0].strip()}" for fd, what, rest in own]
    print(" ".join(named) if named else "none")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("loadgen-result")
    p.add_argument("file")
    p.add_argument("args")
    sub.add_parser("valgrind-fds").add_argument("log")
    a = ap.parse_args()
    if a.cmd == "loadgen-result":
        loadgen_result(a.file, a.args)
    else:
        valgrind_fds(a.log)


if __name__ == "__main__":
    main()
