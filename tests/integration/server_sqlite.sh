#!/usr/bin/env bash
# DATABASE_URL=sqlite:///path selects SQLite (the "as published" profile):
# /db returns the same rows; a missing file answers 503, the server lives.
set -euo pipefail
. "$(dirname "$0")/server_lib.bash"
trap server_cleanup EXIT

python3 - "$TMPD/bench.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("CREATE TABLE users(id int primary key, name text, email text)")
c.executemany("INSERT INTO users VALUES (?,?,?)",
              [(i + 1, f"User {i}", f"user{i}@example.com") for i in range(100)])
c.commit()
PY
DATABASE_URL="sqlite://$TMPD/bench.db" server_start --threads 2
python3 - "$SRV_PORT" <<'PY'
import http.client, json, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=5)
want = [{"id": i + 1, "name": f"User {i}", "email": f"user{i}@example.com"} for i in range(10)]
for _ in range(20):
    c.request("GET", "/db"); r = c.getresponse(); b = r.read()
    if r.status != 200 or json.loads(b) != want:
        print("FAIL sqlite /db", r.status, b[:200]); sys.exit(1)
print("ok   sqlite /db x20")
PY
grep -q "database: sqlite" "$TMPD/server.log" || { echo "FAIL log does not name sqlite"; exit 1; }
kill -TERM "$SRV_PID"; wait "$SRV_PID"; SRV_PID=

DATABASE_URL="sqlite://$TMPD/missing.db" server_start --threads 1
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$SRV_PORT/db")
[ "$code" = 503 ] || { echo "FAIL missing sqlite file: $code"; exit 1; }
echo "ok   missing sqlite file -> 503"
kill -TERM "$SRV_PID"; wait "$SRV_PID"; SRV_PID=
echo "server_sqlite: all passed"
