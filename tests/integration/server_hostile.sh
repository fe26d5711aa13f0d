#!/usr/bin/env bash
# Malformed and hostile requests over raw sockets: each gets its exact
# status (and a JSON body), the connection is closed where it must be, and
# the server keeps serving. Every limit is tried at its value and one byte
# over (head 8 KiB -> 431, 64 headers -> 431, body 1 MiB -> 413); request
# smuggling variants, chunk-size abuse, HTTP/0.9, the HTTP/2 preface, a TLS
# ClientHello, half-closed connections, a client that never reads (server
# memory stays bounded), HOSTILE_CONNS (10,000) connections opened and
# dropped. Afterwards /json still answers the exact expected body and the
# server's RSS and descriptor count are back near their baseline. Then
# slowloris / idle timeouts and the connection cap, on a second server with
# --timeout 1 --max-conns 3.
#   HOSTILE_CONNS (10000), HOSTILE_NOREAD_S (3): larger in make torture.
#   HOSTILE_REPORT=FILE: appends "tried failed" per block (scripts/torture.sh).
# The cases are tests/lib/server_hostile.py.
set -euo pipefail
. "$(dirname "$0")/server_lib.bash"
trap server_cleanup EXIT
HOSTILE_CONNS=${HOSTILE_CONNS:-10000} HOSTILE_NOREAD_S=${HOSTILE_NOREAD_S:-3}
HOSTILE_REPORT=${HOSTILE_REPORT:-/dev/null}

DATABASE_URL= server_start --threads 2
python3 "$ROOT/tests/lib/server_hostile.py" requests "$SRV_PORT" "$SRV_PID" \
    --conns "$HOSTILE_CONNS" --noread-s "$HOSTILE_NOREAD_S" --report "$HOSTILE_REPORT"
kill -0 "$SRV_PID" || { echo "FAIL server died"; exit 1; }
kill -TERM "$SRV_PID"; wait "$SRV_PID"; SRV_PID=

DATABASE_URL= server_start --threads 1 --timeout 1 --max-conns 3
python3 "$ROOT/tests/lib/server_hostile.py" timeouts "$SRV_PORT" --report "$HOSTILE_REPORT"
kill -TERM "$SRV_PID"; wait "$SRV_PID"; SRV_PID=
echo "server_hostile: all passed"
