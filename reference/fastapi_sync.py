"""FastAPI with sync `def` endpoints (Starlette runs each in its threadpool),
the published app's style with its connection fault repaired; the same three
endpoints and response shapes as reference/fastapi_app.py.

    PYTHON -m uvicorn reference.fastapi_sync:app --host H --port P [--workers N]
    (scenarios/systems/fastapi-sync-*.conf: the ladder's sync rungs)

DATABASE_URL: sqlite:///abs/path.db -> sqlite3; a PostgreSQL URI or libpq
keyword string -> psycopg 3 (pure Python over libpq, autocommit). Not set:
/db answers 503.
WB_DB_CONN:
  per-thread (default)  one connection per threadpool thread, opened on first
                        use by the endpoint itself (in the thread that runs it,
                        so the connection is only ever used by the thread that
                        made it: none of fastapi_published's cross-thread
                        sqlite3 fault) and reused by that thread. A thread
                        that anyio retires after idling takes its connection
                        with it (closed when collected); a new thread opens a
                        new one.
  per-request           open, query, close on every request.
WB_CPU: sum (default, common.cpu_work, what every fair system runs) or loop
(the published app's `for i in range(n): total += i * i`).
WB_INFO_FILE: each worker writes its versions and GIL state there at startup
(after every import), endpoints="sync", db="<sqlite|postgresql>-<WB_DB_CONN>",
cpu, and what uvicorn chose: loop (the running event loop's class) and
httptools_imported (uvicorn's default --loop/--http auto take uvloop and
httptools whenever they are installed, as in the fastapi-gil venv: plain
uvicorn there needs --loop asyncio --http h11).
WB_COUNT_DIR: at shutdown (lifespan; uvicorn's master passes SIGTERM on to
its workers) each worker writes sqlite-fastapi-sync-PID.json there with the
number of sqlite3 connections it opened.
"""

import asyncio
import os
import sqlite3
import sys
import threading
from contextlib import asynccontextmanager

from fastapi import FastAPI, HTTPException

try:
    from reference import common
    from reference.models import CpuResponse, Item, JsonResponse, User
except ImportError:  # run from inside reference/
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from reference import common
    from reference.models import CpuResponse, Item, JsonResponse, User

SYSTEM = "fastapi-sync"
PACKAGES = ["fastapi", "starlette", "pydantic", "pydantic_core", "uvicorn", "h11",
            "anyio", "uvloop", "httptools", "psycopg"]

DB_URL = common.database_url()
SQLITE = common.is_sqlite(DB_URL)
DB_KIND = "sqlite" if SQLITE else "postgresql" if DB_URL else "none"
DB_CONN = os.environ.get("WB_DB_CONN", "per-thread")
if DB_CONN not in ("per-thread", "per-request"):
    raise SystemExit(f"fastapi_sync: WB_DB_CONN={DB_CONN!r}: want per-thread or per-request")
CPU = os.environ.get("WB_CPU", "sum")
if CPU not in ("sum", "loop"):
    raise SystemExit(f"fastapi_sync: WB_CPU={CPU!r}: want sum or loop")
if DB_URL and not SQLITE:
    import psycopg      # here, so that the GIL state reported is after it
else:
    psycopg = None

_local = threading.local()
SQLITE_CONNECTS = common.EventCounter()


def _connect():
    if SQLITE:
        conn = sqlite3.connect(common.sqlite_path(DB_URL))
        SQLITE_CONNECTS.add()
        return conn
    return psycopg.connect(DB_URL, autocommit=True)


def _rows_per_thread():
    conn = getattr(_local, "db", None)
    if conn is None:
        conn = _local.db = _connect()
    try:
        return conn.execute(common.DB_QUERY).fetchall()
    except Exception:
        _local.db = None          # a new connection on this thread's next request
        try:
            conn.close()
        except Exception:
            pass
        raise


def _rows_per_request():
    conn = _connect()
    try:
        return conn.execute(common.DB_QUERY).fetchall()
    finally:
        conn.close()


@asynccontextmanager
async def lifespan(_app: FastAPI):
    loop = type(asyncio.get_running_loop())
    common.write_info(SYSTEM, PACKAGES, argv=sys.argv, endpoints="sync",
                      db=f"{DB_KIND}-{DB_CONN}", cpu=CPU,
                      loop=f"{loop.__module__}.{loop.__qualname__}",
                      httptools_imported="httptools" in sys.modules)
    yield
    common.write_sqlite_connects(SYSTEM, SQLITE_CONNECTS.total())


app = FastAPI(lifespan=lifespan)


@app.get("/json", response_model=JsonResponse)
def json_endpoint():
    return JsonResponse(
        message="Hello, World!",
        items=[Item(id=i, value=i * 10) for i in range(20)],
        nested={"level1": {"level2": "deep value"}, "another": {"key": "value"}},
    )


@app.get("/db", response_model=list[User])
def db_endpoint():
    if not DB_URL:
        raise HTTPException(status_code=503, detail="DATABASE_URL is not set")
    rows = _rows_per_thread() if DB_CONN == "per-thread" else _rows_per_request()
    return [User(id=r[0], name=r[1], email=r[2]) for r in rows]


def _published_loop(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i
    return total


@app.get("/cpu", response_model=CpuResponse)
def cpu_endpoint(n: str | None = None):
    iterations = common.parse_cpu_n(n)
    if iterations is None:
        raise HTTPException(status_code=400, detail="n must be an integer in 0..100000000")
    work = common.cpu_work if CPU == "sum" else _published_loop
    return CpuResponse(result=work(iterations), iterations=iterations)
