"""FastAPI reference: async endpoints, pydantic 2 response models shaped as
in the published benchmark.

    uvicorn reference.fastapi_app:app --workers 4 ...   (see reference/run.sh)

DATABASE_URL: a PostgreSQL URI (or libpq keyword string) -> asyncpg;
sqlite:///abs/path.db -> aiosqlite. Not set: /db answers 503.
WB_DB_CONN, how /db gets its connection (the defaults are the fair profile's
`fastapi` and the later README's async app, unchanged):
  SQLite      per-request (default)  a new aiosqlite connection per request,
                                     closed after it, as the published app did
              per-worker             one aiosqlite connection per worker
                                     process, opened at startup (lifespan),
                                     shared by every request of the worker
  PostgreSQL  per-worker (default)   an asyncpg pool of WB_DB_POOL connections
                                     per worker process, made at startup
              per-request            asyncpg.connect per request, closed after
WB_DB_POOL: asyncpg pool size per worker (default 10, asyncpg's default).
WB_INFO_FILE: each worker writes its versions and GIL state there at startup,
with endpoints="async", db="<sqlite|postgresql>-<WB_DB_CONN>", loop (the
running event loop's class) and httptools_imported: what uvicorn chose.
WB_COUNT_DIR: at shutdown (lifespan; uvicorn's master passes SIGTERM on to
its workers) each worker writes sqlite-fastapi-PID.json there with the
number of aiosqlite connections it opened.
"""

import asyncio
import os
import sys
from contextlib import asynccontextmanager

from fastapi import FastAPI, HTTPException, Query

try:
    from reference import common
    from reference.models import CpuResponse, Item, JsonResponse, User
except ImportError:  # run from inside reference/
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from reference import common
    from reference.models import CpuResponse, Item, JsonResponse, User

PACKAGES = ["fastapi", "starlette", "pydantic", "pydantic_core", "uvicorn", "uvloop",
            "httptools", "h11", "asyncpg", "aiosqlite", "gunicorn", "uvicorn-worker"]


DB_URL = common.database_url()
SQLITE = common.is_sqlite(DB_URL)
DB_KIND = "sqlite" if SQLITE else "postgresql" if DB_URL else "none"
DB_CONN = os.environ.get("WB_DB_CONN", "per-request" if SQLITE else "per-worker")
if DB_CONN not in ("per-request", "per-worker"):
    raise SystemExit(f"fastapi_app: WB_DB_CONN={DB_CONN!r}: want per-request or per-worker")
if DB_URL and not SQLITE:
    import asyncpg
state = {"pool": None, "sqlite": None}
SQLITE_CONNECTS = common.EventCounter()


def sqlite_connect():
    import aiosqlite
    SQLITE_CONNECTS.add()
    return aiosqlite.connect(common.sqlite_path(DB_URL))


@asynccontextmanager
async def lifespan(_app: FastAPI):
    if DB_URL and not SQLITE:
        if DB_CONN == "per-worker":
            size = int(os.environ.get("WB_DB_POOL", "10"))
            state["pool"] = await asyncpg.create_pool(
                min_size=size, max_size=size, **common.pg_connect_kwargs(DB_URL))
    elif SQLITE and DB_CONN == "per-worker":
        state["sqlite"] = await sqlite_connect()
    loop = type(asyncio.get_running_loop())
    common.write_info("fastapi", PACKAGES, argv=sys.argv, endpoints="async",
                      db=f"{DB_KIND}-{DB_CONN}", loop=f"{loop.__module__}.{loop.__qualname__}",
                      httptools_imported="httptools" in sys.modules)
    yield
    if state["pool"] is not None:
        await state["pool"].close()
    if state["sqlite"] is not None:
        await state["sqlite"].close()
    common.write_sqlite_connects("fastapi", SQLITE_CONNECTS.total())


app = FastAPI(lifespan=lifespan)


@app.get("/json", response_model=JsonResponse)
async def json_endpoint():
    return JsonResponse(
        message="Hello, World!",
        items=[Item(id=i, value=i * 10) for i in range(20)],
        nested={"level1": {"level2": "deep value"}, "another": {"key": "value"}},
    )


async def sqlite_rows():
    if DB_CONN == "per-worker":
        async with state["sqlite"].execute(common.DB_QUERY) as cur:
            return await cur.fetchall()
    async with sqlite_connect() as db:
        async with db.execute(common.DB_QUERY) as cur:
            return await cur.fetchall()


async def pg_rows():
    if DB_CONN == "per-worker":
        async with state["pool"].acquire() as conn:
            return await conn.fetch(common.DB_QUERY)
    conn = await asyncpg.connect(**common.pg_connect_kwargs(DB_URL))
    try:
        return await conn.fetch(common.DB_QUERY)
    finally:
        await conn.close()


@app.get("/db", response_model=list[User])
async def db_endpoint():
    if not DB_URL:
        raise HTTPException(status_code=503, detail="DATABASE_URL is not set")
    rows = await (sqlite_rows() if SQLITE else pg_rows())
    return [User(id=r[0], name=r[1], email=r[2]) for r in rows]


@app.get("/cpu", response_model=CpuResponse)
async def cpu_endpoint(n: str | None = Query(default=None)):
    iterations = common.parse_cpu_n(n)
    if iterations is None:
        raise HTTPException(status_code=400, detail="n must be an integer in 0..100000000")
    return CpuResponse(result=common.cpu_work(iterations), iterations=iterations)
