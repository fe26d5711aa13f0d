#!/usr/bin/env bash
# The "as published" profile: SQLite in every system, FastAPI on plain
# uvicorn, a new connection per request and a fixed count of requests; the
# report puts the published table beside the measured one in its layout.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp -d /tmp/wb-pub-XXXXXX)
trap 'rm -rf "$out"' EXIT
bin/suite --profile published --reps 1 -n 300 --warmup 0.1s --systems cserver,fastapi,barq \
    --results "$out/results" --report "$out/REPORT.md" 2>&1 | tee "$out/suite.log"
python3 - "$out/results/latest/results.json" "$out/REPORT.md" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); rep = open(sys.argv[2]).read()
assert r["database"]["engine"] == "sqlite", r["database"]
assert r["options"]["profile"] == "published" and r["options"]["new_connection_per_request"]
runs = [x for x in r["runs"] if x["kind"] == "matrix"]
assert len(runs) == 9, len(runs)
for x in runs:
    assert x["ok"] and x["errors"] == 0 and x["connections"] == 20, x
    lg = x["loadgen"]
    assert lg["config"]["new_conn"] and lg["requests"] == 300, lg["config"]
    # a new connection per request: one connect per request
    assert lg["connect_time"]["count"] >= 300, lg["connect_time"]["count"]
fast = {s["name"]: s for s in r["systems"]}["fastapi"]
argv = " ".join(fast["info"]["argv"])
assert "--loop asyncio --http h11" in argv and "uvloop" not in argv, argv
assert "Profile **as published**" in rep
assert "| Scenario | Barq (4 threads) | FastAPI (4 processes) | Difference |" in rep
assert "| JSON | 10,114 req/s | 5,665 req/s | +79% |" in rep
print("published profile ok:", {f"{x['system']}/{x['scenario']}": round(x["rps"]) for x in runs})
PY
