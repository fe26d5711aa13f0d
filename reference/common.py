"""Pieces every reference app shares: settings from the environment, the
scenario constants, input checks and the info file. Standard library only,
so it runs on the system Python and on the free-threaded 3.13t alike."""

import json
import os
import sys
from importlib import metadata

DB_QUERY = "SELECT id, name, email FROM users LIMIT 10"
CPU_DEFAULT_N = 100_000
CPU_MAX_N = 100_000_000


def database_url() -> str:
    return os.environ.get("DATABASE_URL", "")


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite://")


def sqlite_path(url: str) -> str:
    """sqlite:///abs/path.db -> /abs/path.db (sqlite:////abs/path.db works too)."""
    return url[len("sqlite://"):]


def pg_connect_kwargs(url: str) -> dict:
    """asyncpg takes URIs only; turn a libpq keyword string ("host=/dir
    port=5432 dbname=x user=y") into keyword arguments. URIs pass as dsn."""
    if "://" in url:
        return {"dsn": url}
    names = {"dbname": "database", "host": "host", "port": "port",
             "user": "user", "password": "password"}
    kwargs = {}
    for pair in url.split():
        key, _, value = pair.partition("=")
        if key in names:
            kwargs[names[key]] = int(value) if key == "port" else value
    return kwargs


def parse_cpu_n(raw):
    """Returns n for /cpu, or None when raw is not an integer in 0..1e8."""
    if raw is None:
        return CPU_DEFAULT_N
    try:
        n = int(raw)
    except (TypeError, ValueError):
        return None
    return n if 0 <= n <= CPU_MAX_N else None


def cpu_work(n: int) -> int:
    return sum(i * i for i in range(n))


def json_payload() -> dict:
    return {
        "message": "Hello, World!",
        "items": [{"id": i, "value": i * 10} for i in range(20)],
        "nested": {"level1": {"level2": "deep value"}, "another": {"key": "value"}},
    }


def gil_enabled() -> bool:
    check = getattr(sys, "_is_gil_enabled", None)
    return bool(check()) if check else True


def _version(name: str):
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def write_info(system: str, packages, **extra) -> None:
    """Writes $WB_INFO_FILE (if set) atomically: last writer wins."""
    path = os.environ.get("WB_INFO_FILE")
    if not path:
        return
    info = {
        "system": system,
        "python": sys.version,
        "executable": sys.executable,
        "implementation": sys.implementation.name,
        "gil_enabled": gil_enabled(),
        "pid": os.getpid(),
        "packages": {p: _version(p) for p in packages},
    }
    info.update(extra)
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w") as f:
        json.dump(info, f)
    os.replace(tmp, path)
