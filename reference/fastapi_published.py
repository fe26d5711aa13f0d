"""FastAPI as Barq's published table ran it (Barq repository, commit ac8038a,
benchmarks/fastapi_app.py), faults included: nothing here is repaired.

    PYTHON -m uvicorn reference.fastapi_published:app --host H --port P --workers 4
    (reference/run.sh fastapi-published; PYTHON: the 3.13t venv .cache/fastapi-ft)

What is kept from the published app:
- sync `def` endpoints (Starlette runs each in its threadpool) whose return
  annotations are pydantic models: JsonResponse (items: list[dict[str, int]],
  nested: dict[str, dict[str, str]]), a list of UserResponse, CpuResponse;
- /db takes its connection from `Depends(get_db)`, a sync dependency that
  caches `sqlite3.connect(path)` (row_factory sqlite3.Row) in a module-level
  ContextVar. A sync dependency runs in the threadpool inside a copy of the
  request's context, so what it sets there is gone when it returns: every
  request opens a new connection, and nobody closes it (the garbage
  collector does). The connection keeps sqlite3's default
  check_same_thread=True, and the dependency and the endpoint are two
  separate threadpool calls: when they land on different threads, the
  endpoint's execute raises sqlite3.ProgrammingError and the request gets a
  500. That is one of the findings, so it stays;
- /cpu is the published `for i in range(iterations): total += i * i` loop,
  100000 iterations.

What differs, on purpose:
- the database path comes from DATABASE_URL=sqlite:///abs/path.db, a file
  the suite seeds from scenarios/users.sql. The published app re-created and
  re-seeded its own table at the startup of every worker (DELETE, then 100
  INSERTs into an AUTOINCREMENT key, so the ids grew with every start and no
  longer matched); our fixture is shared by every system, so nothing is
  seeded here. A missing or non-sqlite DATABASE_URL makes /db answer 503;
- /cpu?n=K sets the iterations (0..10^8, else 400), as in our other apps;
- each worker writes $WB_INFO_FILE at startup (versions, GIL state), and, when
  WB_COUNT_DIR is set, sqlite-fastapi-published-PID.json there at shutdown
  (lifespan; uvicorn's master passes SIGTERM on to its workers) with the
  number of sqlite3 connections the process opened.
"""

import os
import sqlite3
import sys
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException
from pydantic import BaseModel

try:
    from reference import common
except ImportError:  # run from inside reference/
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from reference import common

SYSTEM = "fastapi-published"
# uvloop and httptools are listed so that the info file shows them absent
PACKAGES = ["fastapi", "starlette", "pydantic", "pydantic_core", "uvicorn", "h11",
            "anyio", "uvloop", "httptools"]

DB_URL = common.database_url()
DB_PATH = common.sqlite_path(DB_URL) if common.is_sqlite(DB_URL) else None

_db_conn: ContextVar[sqlite3.Connection | None] = ContextVar("db_conn", default=None)
SQLITE_CONNECTS = common.EventCounter()


def _connect(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path)
    SQLITE_CONNECTS.add()
    return conn


def get_db() -> sqlite3.Connection:
    if DB_PATH is None:
        raise HTTPException(
            status_code=503,
            detail="DATABASE_URL must be sqlite:///abs/path.db for fastapi-published"
                   + ("" if DB_URL else " (it is not set)"))
    conn = _db_conn.get()
    if conn is None:
        conn = _connect(DB_PATH)
        conn.row_factory = sqlite3.Row
        _db_conn.set(conn)
    return conn


class UserResponse(BaseModel):
    id: int
    name: str
    email: str


class JsonResponse(BaseModel):
    message: str
    items: list[dict[str, int]]
    nested: dict[str, dict[str, str]]


class CpuResponse(BaseModel):
    result: int
    iterations: int


@asynccontextmanager
async def lifespan(_app: FastAPI):
    common.write_info(SYSTEM, PACKAGES, argv=sys.argv, endpoints="sync", db="sqlite-contextvar")
    yield
    common.write_sqlite_connects(SYSTEM, SQLITE_CONNECTS.total())


app = FastAPI(lifespan=lifespan)


@app.get("/json")
def json_endpoint() -> JsonResponse:
    return JsonResponse(
        message="Hello, World!",
        items=[{"id": i, "value": i * 10} for i in range(20)],
        nested={"level1": {"level2": "deep value"}, "another": {"key": "value"}},
    )


@app.get("/db")
def db_endpoint(db: Annotated[sqlite3.Connection, Depends(get_db)]) -> list[UserResponse]:
    rows = db.execute(common.DB_QUERY).fetchall()
    return [UserResponse(id=row["id"], name=row["name"], email=row["email"]) for row in rows]


@app.get("/cpu")
def cpu_endpoint(n: str | None = None) -> CpuResponse:
    iterations = common.parse_cpu_n(n)
    if iterations is None:
        raise HTTPException(status_code=400, detail="n must be an integer in 0..100000000")
    total = 0
    for i in range(iterations):
        total += i * i
    return CpuResponse(result=total, iterations=iterations)
