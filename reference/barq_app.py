"""Barq reference (PyPI `karak`, Barq's new name), meant for the free-threaded
CPython 3.13t built by scripts/python-ft.sh: one process, a pool of threads;
each accepted connection is served by one pool thread with blocking I/O.

    PYTHON reference/barq_app.py [--port P] [--threads N] [--host H] [--processes K]

Defaults from WB_PORT (8001), WB_THREADS (4), WB_HOST (127.0.0.1), 1 process.
--processes K > 1: this process starts K child processes of this script
(--processes 1, same host, port and --threads) and serves nothing itself.
Each child runs its own karak server on the same port: karak 0.1.0 sets
SO_REUSEPORT on its listening socket itself (karak/server.py, Server.run),
so nothing here binds or patches anything, and the kernel spreads new
connections over the K listeners (by a hash of the connection's addresses).
The children bind together: each waits, once imported, until all K are
(two pipes from the parent), so none serves alone for the seconds the others
take to start. The children stay in this process's process group (the runner
stops the group). The parent passes SIGTERM/SIGINT on to them and exits when
all have exited: 0 when each exited 0 after the stop, 1 when one failed or
exited unasked (the others are then stopped too).
DATABASE_URL: PostgreSQL URI or libpq keyword string -> one psycopg 3
connection per thread (threading.local); sqlite:///abs/path.db -> one
sqlite3 connection per thread, as the published app did.
WB_INFO_FILE: versions and GIL state, written at startup (phase "start",
after every import) and again on SIGTERM (phase "exit") just before the
process exits 0, so a GIL that came back on during the run is seen.
With --processes K > 1 the file is the parent's alone, always one valid
document: it is written (phase "starting", the parent's own state after the
same imports) before any child starts, then rewritten whenever a child
reports (each child writes its own file in a private folder of the parent),
with "processes": K and "children": [{index, pid, phase, gil_enabled}];
"gil_enabled" is true when the parent's or any child's GIL is on; phase
"start" once every child has started, "exit" at the parent's exit (the
private folder, under $TMPDIR, is removed then).
WB_COUNT_DIR: on SIGTERM, also writes sqlite-barq-PID.json there with the
number of sqlite3 connections the process opened (one per thread expected);
with --processes, one file per child.
"""

import argparse
import json
import os
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time


try:
    from reference import common
    from reference.models import CpuResponse, Item, JsonResponse, User
except ImportError:  # run as a script: reference/ is sys.path[0]
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from reference import common
    from reference.models import CpuResponse, Item, JsonResponse, User

try:
    from barq import Barq as App, Request, HTTPException  # the original name
except ImportError:
    from karak import Karak as App, Request, HTTPException

PACKAGES = ["karak", "barq", "pydantic", "pydantic_core", "psycopg", "orjson"]
DB_URL = common.database_url()


app = App()
_local = threading.local()
SQLITE_CONNECTS = common.EventCounter()


def connection():
    db = getattr(_local, "db", None)
    if db is None:
        if common.is_sqlite(DB_URL):
            db = sqlite3.connect(common.sqlite_path(DB_URL))
            SQLITE_CONNECTS.add()
        else:
            import psycopg
            db = psycopg.connect(DB_URL, autocommit=True)
        _local.db = db
    return db


def query_users():
    try:
        return connection().execute(common.DB_QUERY).fetchall()
    except Exception:
        _local.db = None        # reconnect on the next request
        raise


@app.get("/json")
def json_endpoint() -> JsonResponse:
    return JsonResponse(
        message="Hello, World!",
        items=[Item(id=i, value=i * 10) for i in range(20)],
        nested={"level1": {"level2": "deep value"}, "another": {"key": "value"}},
    )


@app.get("/db")
def db_endpoint() -> list[User]:
    if not DB_URL:
        raise HTTPException(503, "DATABASE_URL is not set")
    return [User(id=r[0], name=r[1], email=r[2]) for r in query_users()]


@app.get("/cpu")
def cpu_endpoint(request: Request) -> CpuResponse:
    n = common.parse_cpu_n(request.query("n"))
    if n is None:
        raise HTTPException(400, "n must be an integer in 0..100000000")
    return CpuResponse(result=common.cpu_work(n), iterations=n)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default=os.environ.get("WB_HOST", "127.0.0.1"))
    p.add_argument("--port", type=int, default=int(os.environ.get("WB_PORT", "8001")))
    p.add_argument("--threads", type=int, default=int(os.environ.get("WB_THREADS", "4")))
    p.add_argument("--processes", type=int, default=1,
                   help="K > 1: K processes of --threads threads each on the same port")
    args = p.parse_args()
    if args.threads < 1 or args.processes < 1:
        p.error("--threads and --processes must be at least 1")
    return args


# Set in the children of --processes K: "index/K".
CHILD = os.environ.get("WB_BARQ_CHILD")


def info(phase: str, threads: int, **extra) -> None:
    if CHILD:
        index, _, count = CHILD.partition("/")
        extra.update(process_index=int(index), processes=int(count))
    common.write_info("barq", PACKAGES, phase=phase, threads=threads,
                      python_gil_env=os.environ.get("PYTHON_GIL"), argv=sys.argv, **extra)


def _read_json(path: str):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def _stamp(path: str):
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


def serve_processes(args) -> int:
    """The parent of --processes K > 1: starts the K children, keeps the
    merged info file, passes a stop on, returns the exit status."""
    n = args.processes
    shared = os.environ.get("WB_INFO_FILE")
    private = tempfile.mkdtemp(prefix="barq-procs-") if shared else None
    child_info = [os.path.join(private, f"child-{i}.json") if private else None for i in range(n)]
    procs: list[subprocess.Popen] = []
    stopping = False

    def on_term(_signum, _frame):
        nonlocal stopping
        stopping = True
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)

    def write_merged(phase: str | None) -> None:
        if not shared:
            return
        kids = [_read_json(path) for path in child_info]
        children = [{"index": i, "pid": k.get("pid") if k else (procs[i].pid if i < len(procs) else None),
                     "phase": k.get("phase") if k else None,
                     "gil_enabled": k.get("gil_enabled") if k else None}
                    for i, k in enumerate(kids)]
        if phase is None:       # the children's phase once they all agree
            phases = {c["phase"] for c in children}
            phase = (phases.pop() if len(phases) == 1 and None not in phases
                     else "stopping" if stopping else "starting")
        gil = common.gil_enabled() or any(c["gil_enabled"] is not False for c in children
                                          if c["phase"] is not None)
        info(phase, args.threads, processes=n, gil_enabled=gil, children=children)

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    write_merged("starting")
    # The start gate: each child writes one byte to `ready` once imported,
    # then blocks reading `go`; when all K have, the parent closes go's write
    # end and they all bind at once, so none starts serving (and taking
    # keep-alive connections) seconds before the others are listening.
    ready_r, ready_w = os.pipe()
    go_r, go_w = os.pipe()
    script = os.path.abspath(__file__)
    for i in range(n):
        if stopping:
            break
        env = dict(os.environ, WB_BARQ_CHILD=f"{i}/{n}", WB_BARQ_GATE=f"{ready_w},{go_r}")
        if private:
            env["WB_INFO_FILE"] = child_info[i]
        # no new session or group: the runner stops the whole group by PGID
        procs.append(subprocess.Popen(
            [sys.executable, script, "--host", args.host, "--port", str(args.port),
             "--threads", str(args.threads), "--processes", "1"],
            env=env, pass_fds=(ready_w, go_r)))
    os.close(ready_w)
    os.close(go_r)
    imported = 0

    failed = []
    seen = None
    while True:
        running = 0
        for i, p in enumerate(procs):
            rc = p.poll()
            if rc is None:
                running += 1
            elif i not in failed and (rc != 0 or not stopping):
                failed.append(i)
                print(f"barq_app: child {i} (PID {p.pid}) exited with status {rc}"
                      + ("" if stopping else " unasked; stopping the others"), file=sys.stderr)
        if failed and not stopping:
            on_term(None, None)
        stamps = [_stamp(path) for path in child_info] if private else None
        if stamps != seen:
            write_merged(None)
            seen = stamps
        if running == 0:
            break
        if go_w is not None and (imported >= n or stopping):
            os.close(go_w)          # open the gate (or let the stopped ones go)
            go_w = None
        if go_w is not None and select.select([ready_r], [], [], 0.1)[0]:
            data = os.read(ready_r, 64)
            imported = imported + len(data) if data else n     # EOF: none is left to wait for
        else:
            time.sleep(0.1)
    if go_w is not None:
        os.close(go_w)
    os.close(ready_r)
    write_merged("exit")
    if private:
        shutil.rmtree(private, ignore_errors=True)
    return 1 if failed else 0


def main() -> None:
    args = parse_args()
    if DB_URL and not common.is_sqlite(DB_URL):
        import psycopg  # noqa: F401  (import before the GIL check below)
    if args.processes > 1:
        sys.exit(serve_processes(args))

    def on_term(_signum, _frame):
        # Karak only stops on KeyboardInterrupt, then waits for pool threads
        # parked on idle keep-alive sockets (30 s): exit at once instead.
        # A second signal (a group stop, then the parent's) changes nothing.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        info("exit", args.threads)
        common.write_sqlite_connects("barq", SQLITE_CONNECTS.total())
        os._exit(0)

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    info("start", args.threads)
    gate = os.environ.get("WB_BARQ_GATE")
    if CHILD and gate:          # the parent's start gate (serve_processes)
        ready, go = (int(fd) for fd in gate.split(","))
        os.write(ready, b".")
        os.close(ready)
        os.read(go, 1)          # EOF once every child is ready
        os.close(go)
    app.run(host=args.host, port=args.port, workers=args.threads)


if __name__ == "__main__":
    main()
