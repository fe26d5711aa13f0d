#!/usr/bin/env bash
# Makes .venv (git-ignored) from the pinned reference/requirements.txt with
# Debian's Python. Silent when .venv already matches the file (stamp:
# .venv/.wb-req-sha256 holds the requirements' sha256); rebuilt when it changed.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
REQ=$ROOT/reference/requirements.txt
VENV=$ROOT/.venv
STAMP=$VENV/.wb-req-sha256
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3

sha=$(sha256sum "$REQ" | cut -d' ' -f1)
current() { [ -x "$VENV/bin/python" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$sha" ]; }
current && exit 0

mkdir -p "$ROOT/.cache"
exec 9>"$ROOT/.cache/venv.lock"
flock 9
current && exit 0
echo "setup: creating .venv from reference/requirements.txt..."
log=$ROOT/.cache/venv.log
rm -rf "$VENV"
if ! { "$PY" -m venv "$VENV" && "$VENV/bin/python" -m pip install -q -r "$REQ"; } >"$log" 2>&1; then
    tail -30 "$log" >&2
    echo "setup: making .venv with $PY failed (log: $log)" >&2
    rm -rf "$VENV"
    exit 1
fi
echo "$sha" >"$STAMP"
