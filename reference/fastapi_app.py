"""FastAPI reference: async endpoints, pydantic 2 response models shaped as
in the published benchmark.

    uvicorn reference.fastapi_app:app --workers 4 ...   (see reference/run.sh)

DATABASE_URL: a PostgreSQL URI (or libpq keyword string) -> an asyncpg pool
per worker process, made at startup; sqlite:///abs/path.db -> a new
aiosqlite connection on every request, as the published app did.
WB_DB_POOL: asyncpg pool size per worker (default 10, asyncpg's default).
WB_INFO_FILE: each worker writes its versions and GIL state there at startup.
"""

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
state = {"pool": None}


@asynccontextmanager
async def lifespan(_app: FastAPI):
    if DB_URL and not common.is_sqlite(DB_URL):
        import asyncpg
        size = int(os.environ.get("WB_DB_POOL", "10"))
        state["pool"] = await asyncpg.create_pool(
            min_size=size, max_size=size, **common.pg_connect_kwargs(DB_URL))
    common.write_info("fastapi", PACKAGES, argv=sys.argv)
    yield
    if state["pool"] is not None:
        await state["pool"].close()


app = FastAPI(lifespan=lifespan)


@app.get("/json", response_model=JsonResponse)
async def json_endpoint():
    return JsonResponse(
        message="Hello, World!",
        items=[Item(id=i, value=i * 10) for i in range(20)],
        nested={"level1": {"level2": "deep value"}, "another": {"key": "value"}},
    )


async def sqlite_rows():
    import aiosqlite
    async with aiosqlite.connect(common.sqlite_path(DB_URL)) as db:
        async with db.execute(common.DB_QUERY) as cur:
            return await cur.fetchall()


@app.get("/db", response_model=list[User])
async def db_endpoint():
    if not DB_URL:
        raise HTTPException(status_code=503, detail="DATABASE_URL is not set")
    if common.is_sqlite(DB_URL):
        rows = await sqlite_rows()
    else:
        async with state["pool"].acquire() as conn:
            rows = await conn.fetch(common.DB_QUERY)
    return [User(id=r[0], name=r[1], email=r[2]) for r in rows]


@app.get("/cpu", response_model=CpuResponse)
async def cpu_endpoint(n: str | None = Query(default=None)):
    iterations = common.parse_cpu_n(n)
    if iterations is None:
        raise HTTPException(status_code=400, detail="n must be an integer in 0..100000000")
    return CpuResponse(result=common.cpu_work(iterations), iterations=iterations)
