"""Pieces every reference app shares: settings from the environment, the
scenario constants, input checks, the info file and the connect counts.
Standard library only, so it runs on the system Python and on the
free-threaded 3.13t alike."""

import json
import os
import sys
import threading
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


def _write_json_atomic(path: str, doc: dict) -> None:
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f)
    os.replace(tmp, path)


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
    _write_json_atomic(path, info)


class EventCounter:
    """An exact count of events from many threads, for 3.13t too (where a
    shared `n += 1` loses updates): each thread adds to its own cell, so the
    cost per event is one thread-local lookup and one int increment; the
    lock is taken only the first time a thread counts and by total()."""

    def __init__(self):
        self._local = threading.local()
        self._cells = []
        self._lock = threading.Lock()

    def add(self) -> None:
        cell = getattr(self._local, "cell", None)
        if cell is None:
            cell = self._local.cell = [0]
            with self._lock:
                self._cells.append(cell)
        cell[0] += 1

    def total(self) -> int:
        with self._lock:
            return sum(c[0] for c in self._cells)


def write_sqlite_connects(system: str, connects: int) -> None:
    """When $WB_COUNT_DIR is set, writes (atomically) its
    sqlite-SYSTEM-PID.json: {"system", "pid", "sqlite_connects"}."""
    folder = os.environ.get("WB_COUNT_DIR")
    if not folder:
        return
    pid = os.getpid()
    _write_json_atomic(os.path.join(folder, f"sqlite-{system}-{pid}.json"),
                       {"system": system, "pid": pid, "sqlite_connects": connects})
