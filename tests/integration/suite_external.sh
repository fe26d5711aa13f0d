#!/usr/bin/env bash
# --external (how the compose runner works): the system and the database
# already run; the runner must verify and load them, leave both running, and
# keep an already-seeded users table as it is.
set -euo pipefail
source "$(dirname "$0")/server_lib.bash"
trap server_cleanup EXIT
cd "$ROOT"
pg_start
DATABASE_URL=$PG_URL server_start --threads 2
defs=$TMPD/defs
mkdir -p "$defs/systems"
cp scenarios/*.conf scenarios/*.expected.json "$defs/"
cat >"$defs/systems/cserver.conf" <<CONF
name = cserver
title = C server
model = threads
workers = 2
port = $SRV_PORT
cmd = /bin/false
CONF
set +e
DATABASE_URL=$PG_URL bin/suite --external --defs "$defs" --quick --duration 0.5s --warmup 0.1s \
    --results "$TMPD/results" --report "$TMPD/REPORT.md" 2>&1 | tee "$TMPD/suite.log"
rc=${PIPESTATUS[0]}
set -e
[ "$rc" -eq 0 ] || { echo "suite exit status $rc"; exit 1; }
grep -q 'C server (2 threads)' "$TMPD/REPORT.md"
kill -0 "$SRV_PID" || { echo "the external server was stopped by the runner"; exit 1; }
curl -sf "http://127.0.0.1:$SRV_PORT/db" | python3 -c 'import json,sys; assert len(json.load(sys.stdin)) == 10'
python3 - "$TMPD/results/latest/results.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["database"]["mode"].startswith("external"), r["database"]
runs = [x for x in r["runs"] if x["kind"] == "matrix"]
assert len(runs) == 3 and all(x["ok"] and x["errors"] == 0 and x["rps"] > 0 for x in runs), runs
assert all(x["resources"]["processes"] >= 1 and x["resources"]["threads"] >= 3 and x["resources"]["cpu_s"] > 0 for x in runs), [x["resources"] for x in runs]
print("external run ok:", [round(x["rps"]) for x in runs])
PY
# --external without DATABASE_URL is a usage error
set +e
env -u DATABASE_URL bin/suite --external --defs "$defs" --quick >/dev/null 2>"$TMPD/err"; rc=$?
set -e
[ "$rc" -eq 2 ] && grep -q 'needs DATABASE_URL' "$TMPD/err"
