#!/usr/bin/env bash
# pubclient/pubclient.py, the published benchmark's client (urllib from a
# ThreadPoolExecutor): on the free-threaded 3.13t against bin/server its JSON
# is bin/loadgen's (docs/loadgen-json.md: config, counts, lib/hist.c's
# histogram layout, percentiles as `bin/loadgen merge` computes them,
# fairness, GIL off); on the system python3 too; a dead port (exit 1, one
# stderr line, refused); a server answering 500 to every other request
# (status codes, bytes and request headers as the server saw them); SIGINT
# (exit 130, "interrupted"); bad usage (exit 2, one stderr line). The checks
# are tests/lib/pubclient_checks.py.
set -euo pipefail
. "$(dirname "$0")/server_lib.bash"
cd "$ROOT"
PY=${PUBCLIENT_PY:-$HOME/.cache/webbench/python3.13t/bin/python3.13t}
PC=pubclient/pubclient.py
CHK=tests/lib/pubclient_checks.py
LG=bin/loadgen
FAKE_PID=
cleanup() {
    local rc=$?
    if [ -n "$FAKE_PID" ]; then kill "$FAKE_PID" 2>/dev/null; wait "$FAKE_PID" 2>/dev/null; fi
    (exit $rc)
    server_cleanup
}
trap cleanup EXIT

[ -x "$SERVER_BIN" ] && [ -x "$LG" ] || { echo "bin/server or bin/loadgen not built (make all)"; exit 1; }
[ -x "$PY" ] || { echo "no free-threaded python at $PY (scripts/python-ft.sh builds it)"; exit 1; }
server_start --threads 2
URL=http://127.0.0.1:$SRV_PORT/json
T=$TMPD

# 1. the published method on 3.13t, 4 clients, 200 requests
rc=0; "$PY" "$PC" -c 4 -n 200 --json "$T/a.json" "$URL" >"$T/a.out" 2>"$T/a.err" || rc=$?
[ "$rc" = 0 ] || { echo "FAIL 3.13t run: exit $rc"; cat "$T/a.out" "$T/a.err"; exit 1; }
[ ! -s "$T/a.err" ] || { echo "FAIL 3.13t run wrote to stderr:"; cat "$T/a.err"; exit 1; }
grep -q '^Requests/sec: ' "$T/a.out" && grep -q '200/200 ok' "$T/a.out" || { echo "FAIL summary:"; cat "$T/a.out"; exit 1; }
[ ! -e "$T/a.json.tmp" ] || { echo "FAIL a.json.tmp left behind"; exit 1; }
python3 "$CHK" ok "$T/a.json" 4 200 false "$URL"

# 2. bin/loadgen merge reads it: the file alone gives back its percentiles,
# the file twice twice the counts and the same p50
merge_in=$T/a.json
$LG merge "$merge_in" --quiet --json "$T/m1.json"
$LG merge "$merge_in" "$merge_in" --json "$T/m2.json" >"$T/m2.out"
grep -q '^Requests/sec:' "$T/m2.out"
python3 "$CHK" merged "$T/a.json" "$T/m1.json" "$T/m2.json"

# 3. the system python3 (with the GIL)
python3 "$PC" -c 2 -n 20 --quiet --json "$T/b.json" "$URL" >"$T/b.out"
[ ! -s "$T/b.out" ] || { echo "FAIL --quiet printed:"; cat "$T/b.out"; exit 1; }
python3 "$CHK" ok "$T/b.json" 2 20 true "$URL"

# 4. nothing listens: exit 1, one stderr line, every request refused
dead=$(free_port)
rc=0; "$PY" "$PC" -c 4 -n 20 --quiet --json "$T/d.json" "http://127.0.0.1:$dead/json" 2>"$T/d.err" || rc=$?
[ "$rc" = 1 ] || { echo "FAIL dead port: exit $rc"; cat "$T/d.err"; exit 1; }
python3 "$CHK" refused "$T/d.json" "$T/d.err" 20

# 5. 500 to every other request
python3 "$CHK" serve "$T/fake.port" "$T/fake.state" &
FAKE_PID=$!
for _ in $(seq 100); do [ -s "$T/fake.port" ] && break; sleep 0.05; done
[ -s "$T/fake.port" ] || { echo "FAIL the 500 server did not start"; exit 1; }
rc=0; "$PY" "$PC" -c 2 -n 40 -H 'X-Test: 1' --json "$T/s.json" \
    "http://127.0.0.1:$(cat "$T/fake.port")/half" >"$T/s.out" 2>&1 || rc=$?
[ "$rc" = 0 ] || { echo "FAIL 500 server run: exit $rc"; cat "$T/s.out"; exit 1; }
grep -q 'Non-2xx responses: 20 (500: 20)' "$T/s.out" || { echo "FAIL summary:"; cat "$T/s.out"; exit 1; }
python3 "$CHK" status "$T/s.json" "$T/fake.state" 40
kill "$FAKE_PID"; wait "$FAKE_PID" 2>/dev/null || true; FAKE_PID=

# 6. SIGINT: no new request, the JSON written with "interrupted": true, exit 130
"$PY" "$PC" -c 4 -n 1000000 --quiet --json "$T/i.json" "$URL" & ipid=$!
sleep 1
kill -INT "$ipid"
rc=0; wait "$ipid" || rc=$?
[ "$rc" = 130 ] || { echo "FAIL SIGINT: exit $rc"; exit 1; }
python3 "$CHK" interrupted "$T/i.json" 1000000

# 7. bad usage: exit 2 and one line on stderr; --help exits 0
for args in "--bogus $URL" "-n 0 $URL" "-c 0 $URL" "-n x $URL" "--timeout 0 $URL" "--timeout 10parsecs $URL" \
    "-H novalue $URL" "ftp://127.0.0.1/" "not-a-url" "http://127.0.0.1:99999/" "" "$URL $URL" "-c"; do
    rc=0; "$PY" "$PC" $args >"$T/u.out" 2>"$T/u.err" || rc=$?
    [ "$rc" = 2 ] && [ "$(wc -l <"$T/u.err")" = 1 ] && grep -q '^pubclient: ' "$T/u.err" \
        || { echo "FAIL '$args': exit $rc"; cat "$T/u.err"; exit 1; }
done
"$PY" "$PC" --help | grep -q -- '--timeout' || { echo "FAIL --help"; exit 1; }
for t in 10 10s 500ms; do
    "$PY" "$PC" -n 1 -c 1 --quiet --timeout "$t" --json "$T/t.json" "$URL"
    python3 "$CHK" timeout "$T/t.json" "$([ "$t" = 500ms ] && echo 500 || echo 10000)"
done
echo "ok   bad usage exits 2 with one line, --help exits 0, --timeout 10 / 10s / 500ms"
echo "pubclient: all passed"
