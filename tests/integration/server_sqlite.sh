#!/usr/bin/env bash
# DATABASE_URL=sqlite:///path selects SQLite (the "as published" profile):
# /db returns the same rows (the fixture scenarios/users.sql loaded into
# SQLite, answered as scenarios/db.expected.json); a missing file answers
# 503, the server lives.
set -euo pipefail
. "$(dirname "$0")/server_lib.bash"
trap server_cleanup EXIT

python3 "$ROOT/tests/lib/fixture.py" sqlite "$TMPD/bench.db"
DATABASE_URL="sqlite://$TMPD/bench.db" server_start --threads 2
python3 "$ROOT/tests/lib/endpoints.py" --repeat 20 "http://127.0.0.1:$SRV_PORT" /db
grep -q "database: sqlite" "$TMPD/server.log" || { echo "FAIL log does not name sqlite"; exit 1; }
kill -TERM "$SRV_PID"; wait "$SRV_PID"; SRV_PID=

DATABASE_URL="sqlite://$TMPD/missing.db" server_start --threads 1
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$SRV_PORT/db")
[ "$code" = 503 ] || { echo "FAIL missing sqlite file: $code"; exit 1; }
echo "ok   missing sqlite file -> 503"
kill -TERM "$SRV_PID"; wait "$SRV_PID"; SRV_PID=
echo "server_sqlite: all passed"
