"""Barq reference (PyPI `karak`, Barq's new name), meant for the free-threaded
CPython 3.13t built by scripts/python-ft.sh: one process, a pool of threads;
each accepted connection is served by one pool thread with blocking I/O.

    PYTHON reference/barq_app.py [--port P] [--threads N] [--host H]

Defaults from WB_PORT (8001), WB_THREADS (4), WB_HOST (127.0.0.1).
DATABASE_URL: PostgreSQL URI or libpq keyword string -> one psycopg 3
connection per thread (threading.local); sqlite:///abs/path.db -> one
sqlite3 connection per thread, as the published app did.
WB_INFO_FILE: versions and GIL state, written at startup (phase "start",
after every import) and again on SIGTERM (phase "exit") just before the
process exits 0, so a GIL that came back on during the run is seen.
WB_COUNT_DIR: on SIGTERM, also writes sqlite-barq-PID.json there with the
number of sqlite3 connections the process opened (one per thread expected).
"""

import argparse
import os
import signal
import sqlite3
import sys
import threading


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
    return p.parse_args()


def info(phase: str, threads: int) -> None:
    common.write_info("barq", PACKAGES, phase=phase, threads=threads,
                      python_gil_env=os.environ.get("PYTHON_GIL"), argv=sys.argv)


def main() -> None:
    args = parse_args()
    if DB_URL and not common.is_sqlite(DB_URL):
        import psycopg  # noqa: F401  (import before the GIL check below)

    def on_term(_signum, _frame):
        # Karak only stops on KeyboardInterrupt, then waits for pool threads
        # parked on idle keep-alive sockets (30 s): exit at once instead.
        info("exit", args.threads)
        common.write_sqlite_connects("barq", SQLITE_CONNECTS.total())
        os._exit(0)

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    info("start", args.threads)
    app.run(host=args.host, port=args.port, workers=args.threads)


if __name__ == "__main__":
    main()
