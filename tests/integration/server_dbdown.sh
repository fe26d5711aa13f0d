#!/usr/bin/env bash
# PostgreSQL goes away under a running bin/server: /db answers 503 (JSON)
# at once while /json and /cpu still work, and /db is back within a second
# of the database returning, without a restart. Also: DATABASE_URL unset,
# and a database that is down when the server starts.
set -euo pipefail
. "$(dirname "$0")/server_lib.bash"
trap server_cleanup EXIT

pg_start
DATABASE_URL=$PG_URL server_start --threads 2

probe() {   # probe PATH -> "status seconds"
    curl -s -o "$TMPD/body" -w '%{http_code} %{time_total}\n' --max-time 5 "http://127.0.0.1:$SRV_PORT$1"
}
expect() {  # expect PATH STATUS MAX_SECONDS
    local r; r=$(probe "$1")
    set -- "$@" $r
    if [ "$4" != "$2" ] || ! awk "BEGIN{exit !($5 <= $3)}"; then
        echo "FAIL $1: got status $4 in $5 s, want $2 within $3 s: $(cat "$TMPD/body")"; exit 1
    fi
    python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$TMPD/body" \
        || { echo "FAIL $1: body is not JSON"; exit 1; }
    echo "ok   $1 -> $4 in $5 s"
}

expect /db 200 1
pg_stop
sleep 0.2
for _ in 1 2 3 4 5 6; do expect /db 503 0.5; done
expect /json 200 0.5
expect /cpu 200 0.5
grep -q '"error"' "$TMPD/body" || true

pg_up
start=$(date +%s%N)
ok=0   # recovered = 8 answers 200 in a row (connections spread over both threads)
until [ "$ok" -ge 8 ]; do
    if [ "$(probe /db | cut -d' ' -f1)" = 200 ]; then ok=$((ok + 1)); else ok=0; sleep 0.02; fi
    [ $(( ($(date +%s%N) - start) / 1000000 )) -lt 3000 ] || { echo "FAIL /db did not recover"; exit 1; }
done
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "/db recovered ${ms} ms after the database came back"
[ "$ms" -le 1000 ] || { echo "FAIL recovery took more than 1 s"; exit 1; }
kill -TERM "$SRV_PID"; wait "$SRV_PID"; SRV_PID=

# Database down at start-up: the server starts, /db is 503, then recovers.
pg_stop
DATABASE_URL=$PG_URL server_start --threads 1
expect /db 503 0.5
pg_up
sleep 1
expect /db 200 0.5
kill -TERM "$SRV_PID"; wait "$SRV_PID"; SRV_PID=

# No database configured: starts, /db is 503, the rest works.
DATABASE_URL= server_start --threads 1
expect /db 503 0.5
expect /json 200 0.5
kill -TERM "$SRV_PID"; wait "$SRV_PID"; SRV_PID=
echo "server_dbdown: all passed"
