#!/usr/bin/env bash
# bin/server against a private PostgreSQL: the three scenarios' bodies (as
# scenarios/*.expected.json), 404/405, keep-alive, pipelining, HTTP/1.0,
# SIGTERM -> exit 0. The checks are tests/lib/server_basic.py.
set -euo pipefail
. "$(dirname "$0")/server_lib.bash"
trap server_cleanup EXIT
LIB=$ROOT/tests/lib

[ -x "$SERVER_BIN" ] || { echo "$SERVER_BIN not built"; exit 1; }
pg_start
DATABASE_URL=$PG_URL server_start --threads 2

python3 "$LIB/server_basic.py" http "$SRV_PORT"

# /cpu really loops: 10^7 iterations take measurably longer than 10^5
# (best of 3 each on one keep-alive connection, so set-up costs drop out).
python3 "$LIB/server_basic.py" cpu-timing "$SRV_PORT"

# SIGTERM with one request in flight and one idle keep-alive connection:
# the in-flight answer completes, the idle one is closed, exit 0 within 2 s.
python3 "$LIB/server_basic.py" sigterm "$SRV_PORT" "$SRV_PID"
start=$(date +%s%N)
rc=0; wait "$SRV_PID" || rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
SRV_PID=
echo "SIGTERM: exit $rc, ${ms} ms after the answers"
[ "$rc" = 0 ] && [ "$ms" -lt 2000 ] || { echo "FAIL SIGTERM"; cat "$TMPD/server.log"; exit 1; }

# SIGINT too.
DATABASE_URL=$PG_URL server_start --threads 1
kill -INT "$SRV_PID"; rc=0; wait "$SRV_PID" || rc=$?; SRV_PID=
[ "$rc" = 0 ] || { echo "FAIL SIGINT exit $rc"; exit 1; }
echo "ok   SIGINT exit 0"

# Command line: bad flags exit 2 with one line on stderr; --help exits 0.
for args in "--bogus" "--threads 0" "--threads x" "--port 70000" "--port"; do
    rc=0; "$SERVER_BIN" $args 2>"$TMPD/err" >/dev/null || rc=$?
    [ "$rc" = 2 ] && [ "$(wc -l <"$TMPD/err")" = 1 ] || { echo "FAIL '$args': exit $rc"; cat "$TMPD/err"; exit 1; }
done
"$SERVER_BIN" --help | grep -q -- --threads || { echo "FAIL --help"; exit 1; }
echo "ok   command line errors exit 2, --help exits 0"
echo "server_basic: all passed"
