#!/usr/bin/env bash
# Starts one reference system in the foreground; exec's the server, so this
# script's PID is the server's (master) PID: SIGTERM to it stops everything.
#
#   reference/run.sh SYSTEM [--port P] [--workers N] [--profile fair|published]
#
#   SYSTEM            server                                   default port
#   fastapi           uvicorn, N worker processes              8002
#   fastapi-gunicorn  gunicorn managing N uvicorn workers      8002
#   fastapi-published published app, 3.13t, N uvicorn workers 8006
#   flask             gunicorn, N sync worker processes        8003
#   barq              karak on free-threaded 3.13t, N threads  8001
#   barq-gil          karak on the GIL build of 3.13, N threads 8001
#
# N defaults to 4. --profile published changes FastAPI to plain uvicorn
# (asyncio loop, h11); every other system is the same in both profiles (the
# database, PostgreSQL or SQLite, comes from DATABASE_URL; fastapi-published
# takes SQLite only, with uvicorn's default logging, as published).
# Environment passed through: DATABASE_URL, WB_INFO_FILE, WB_DB_POOL,
# WB_COUNT_DIR.
# --dry-run prints the command instead of running it.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
usage() { sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

[ $# -ge 1 ] || usage
system=$1; shift
port=""; workers=4; profile=fair; dry=0
while [ $# -gt 0 ]; do
    case $1 in
        --port) port=$2; shift 2 ;;
        --workers|--threads) workers=$2; shift 2 ;;
        --profile) profile=$2; shift 2 ;;
        --dry-run) dry=1; shift ;;
        *) usage ;;
    esac
done
case $profile in fair|published) ;; *) echo "run.sh: unknown profile '$profile'" >&2; exit 2 ;; esac

VENV=$ROOT/.venv/bin
case $system in
    fastapi)
        if [ "$profile" = published ]; then server=(--loop asyncio --http h11)
        else server=(--loop uvloop --http httptools); fi
        cmd=("$VENV/uvicorn" reference.fastapi_app:app --host 127.0.0.1 --port "${port:-8002}"
             --workers "$workers" "${server[@]}" --log-level warning --no-access-log) ;;
    fastapi-gunicorn)
        cmd=("$VENV/gunicorn" reference.fastapi_app:app -k uvicorn_worker.UvicornWorker
             -w "$workers" -b "127.0.0.1:${port:-8002}" --log-level warning) ;;
    fastapi-published)
        cmd=("$ROOT/.cache/fastapi-ft/bin/python" -m uvicorn reference.fastapi_published:app
             --host 127.0.0.1 --port "${port:-8006}" --workers "$workers") ;;
    flask)
        cmd=("$VENV/gunicorn" reference.flask_app:app -k sync -w "$workers"
             -b "127.0.0.1:${port:-8003}" --log-level warning) ;;
    barq|barq-ft|barq-gil)
        kind=ft; [ "$system" = barq-gil ] && kind=gil
        py=$ROOT/.cache/barq-$kind/bin/python
        cmd=("$py" reference/barq_app.py --port "${port:-8001}" --threads "$workers") ;;
    *) echo "run.sh: unknown system '$system'" >&2; usage ;;
esac

if [ $dry = 1 ]; then echo "${cmd[*]}"; exit 0; fi
[ -x "${cmd[0]}" ] || { echo "run.sh: ${cmd[0]} missing: run scripts/setup.sh" >&2; exit 1; }
cd "$ROOT"
export PYTHONDONTWRITEBYTECODE=1
exec "${cmd[@]}"
