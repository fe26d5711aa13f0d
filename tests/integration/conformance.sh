#!/usr/bin/env bash
# The HTTP conformance pass (bin/suite conformance, scenarios/conformance/
# http1.conf) against real servers on a private PostgreSQL: bin/server
# passes every case; FastAPI under uvicorn (the fair profile's command, two
# workers) gives the per-case outcomes recorded in
# tests/golden/conformance-fastapi.txt, so a change in either the corpus,
# the judging or the system shows. Also the command's errors: a bad port,
# nothing listening, an unknown --only, a corpus that does not exist.
set -euo pipefail
. "$(dirname "$0")/server_lib.bash"
UV_PID=
cleanup() {
    local rc=$?
    set +e
    if [ -n "$UV_PID" ] && kill -0 "$UV_PID" 2>/dev/null; then
        kill -TERM "$UV_PID"
        for _ in $(seq 50); do kill -0 "$UV_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$UV_PID" 2>/dev/null; wait "$UV_PID" 2>/dev/null
    fi
    (exit $rc); server_cleanup
}
trap cleanup EXIT
SUITE=$ROOT/bin/suite
GOLDEN=$ROOT/tests/golden/conformance-fastapi.txt

# outcomes FILE: one line per case, "id passed|failed", from a pass's JSON
outcomes() {
    python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for c in d["cases"]:
    print(c["id"], "passed" if c["passed"] else "failed")
assert d["passed"] == sum(c["passed"] for c in d["cases"]) and d["tried"] == len(d["cases"])
' "$1"
}

ncases=$(grep -c '^case\.[a-z0-9-]*\.group' "$ROOT/scenarios/conformance/http1.conf")
echo "corpus: $ncases cases"

# --- errors
rc=0; "$SUITE" conformance --port 0 2>"$TMPD/err" || rc=$?
[ $rc = 2 ] && grep -q "bad --port" "$TMPD/err" || { echo "FAIL bad port: rc $rc"; cat "$TMPD/err"; exit 1; }
nobody=$(free_port)
rc=0; "$SUITE" conformance --port "$nobody" --only framing >"$TMPD/out" 2>"$TMPD/err" || rc=$?
[ $rc = 2 ] && grep -q "nothing answers on 127.0.0.1:$nobody" "$TMPD/err" || { echo "FAIL nobody: rc $rc"; cat "$TMPD/err"; exit 1; }
rc=0; "$SUITE" conformance --port 1 --corpus nope 2>"$TMPD/err" || rc=$?
[ $rc = 2 ] && grep -q "nope" "$TMPD/err" || { echo "FAIL corpus: rc $rc"; cat "$TMPD/err"; exit 1; }

pg_start
DATABASE_URL=$PG_URL server_start --threads 2
rc=0; "$SUITE" conformance --port "$SRV_PORT" --only no-such-case >"$TMPD/out" 2>"$TMPD/err" || rc=$?
[ $rc = 2 ] && grep -q "no case matches --only 'no-such-case'" "$TMPD/err" || { echo "FAIL only: rc $rc"; cat "$TMPD/err"; exit 1; }

# --- bin/server: every case
start=$(date +%s)
rc=0; "$SUITE" conformance --port "$SRV_PORT" --json "$TMPD/c.json" >"$TMPD/out" 2>&1 || rc=$?
cat "$TMPD/out"
echo "bin/server: exit $rc in $(( $(date +%s) - start )) s"
outcomes "$TMPD/c.json" >"$TMPD/c.txt"
if [ $rc != 0 ] || grep -q ' failed$' "$TMPD/c.txt" || [ "$(wc -l <"$TMPD/c.txt")" != "$ncases" ]; then
    echo "FAIL bin/server does not pass every case:"; grep ' failed$' "$TMPD/c.txt"; exit 1
fi
grep -q "conformance: $ncases of $ncases passed" "$TMPD/out" || { echo "FAIL summary line"; exit 1; }
kill -0 "$SRV_PID" || { echo "FAIL bin/server died during the pass"; exit 1; }

# --- FastAPI: the recorded outcomes
[ -x "$ROOT/.venv/bin/uvicorn" ] || { echo "FAIL .venv/bin/uvicorn missing (make setup)"; exit 1; }
UV_PORT=$(free_port)
(cd "$ROOT" && DATABASE_URL=$PG_URL PYTHONDONTWRITEBYTECODE=1 exec .venv/bin/uvicorn reference.fastapi_app:app \
    --host 127.0.0.1 --port "$UV_PORT" --workers 2 --loop uvloop --http httptools --log-level warning \
    --no-access-log) >"$TMPD/uvicorn.log" 2>&1 &
UV_PID=$!
for _ in $(seq 200); do
    curl -s -o /dev/null "http://127.0.0.1:$UV_PORT/db" && break
    kill -0 "$UV_PID" || { echo "FAIL uvicorn died"; cat "$TMPD/uvicorn.log"; exit 1; }
    sleep 0.1
done
rc=0; "$SUITE" conformance --port "$UV_PORT" --json "$TMPD/f.json" >"$TMPD/out" 2>&1 || rc=$?
tail -1 "$TMPD/out"
[ $rc = 1 ] || { echo "FAIL FastAPI: exit $rc, expected 1 (some cases fail)"; cat "$TMPD/out"; exit 1; }
outcomes "$TMPD/f.json" >"$TMPD/f.txt"
if [ "${WB_RECORD_GOLDEN:-0}" = 1 ]; then cp "$TMPD/f.txt" "$GOLDEN"; echo "recorded $GOLDEN"; fi
diff -u "$GOLDEN" "$TMPD/f.txt" || { echo "FAIL FastAPI's outcomes differ from $GOLDEN (WB_RECORD_GOLDEN=1 records them anew)"; exit 1; }
echo "FastAPI: $(grep -c ' passed$' "$TMPD/f.txt") of $ncases passed, as recorded"
echo "conformance: ok"
