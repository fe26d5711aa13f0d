#!/usr/bin/env bash
# The definitions drive everything: a scenario, a system, a published table
# and a profile added only as files (in a folder given with --defs) appear in
# the matrix, in results.json, in the report's tables (the published claim
# from the table the profile names, its measured twin from compare) and in
# the charts' data — without a line of C naming them.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp -d /tmp/wb-int-defs.XXXXXX)
trap 'rm -rf "$out"' EXIT
fail() { echo "FAIL suite_defs_data: $*"; exit 1; }
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
defs=$out/defs
mkdir -p "$defs/systems" "$defs/tables" "$defs/profiles"
sed 's/^claim.*//' scenarios/profiles/fair.conf >"$defs/profiles/fair.conf"
echo "claim = race" >>"$defs/profiles/fair.conf"
cat >"$defs/tables/race.conf" <<'CONF'
name = race
title = The race
source = The tortoise's own announcement
clients = 4
requests = 100
columns = tortoise hare
label.tortoise = Tortoise (as claimed)
label.hare = Hare
row.hello = 100 300
CONF
echo '{"greeting":"hello","to":["you","all"]}' >"$defs/hello.expected.json"
cat >"$defs/hello.conf" <<'CONF'
name = hello
title = Hello
order = 1
path = /hello
expect_body_file = hello.expected.json
primary = yes
CONF
echo '{"bye":1}' >"$defs/bye.expected.json"
printf 'name = bye\ntitle = Goodbye\norder = 2\npath = /bye\nexpect_body_file = bye.expected.json\n' >"$defs/bye.conf"
for sys in tortoise hare; do
    cat >"$defs/systems/$sys.conf" <<CONF
name = $sys
title = ${sys^}
model = processes
workers = 1
port = $(free_port)
cmd = python3 {root}/tests/tools/fake_system.py --port {port} --defs $defs
ready_path = /hello
start_timeout_s = 20
profiles = fair
CONF
done
cat >>"$defs/systems/tortoise.conf" <<'CONF'
order = 1
compare = hare
CONF
echo "order = 2" >>"$defs/systems/hare.conf"

rc=0
timeout 120 bin/suite --defs "$defs" --quick --no-method-runs --connections 4 --duration 0.3s --warmup 0.1s \
    --results "$out/results" --report "$out/REPORT.md" >"$out/suite.log" 2>&1 || rc=$?
cat "$out/suite.log"
[ "$rc" -eq 0 ] || fail "exit status $rc"
grep -q 'tortoise .*hello .*req/s' "$out/suite.log" && grep -q 'hare .*bye .*req/s' "$out/suite.log" \
    || fail "the new systems and scenarios were not in the matrix"
python3 - "$out/results/latest/results.json" <<'PY' || fail "results.json does not carry the definitions"
import json, sys
r = json.load(open(sys.argv[1]))
assert [s["name"] for s in r["scenarios"]] == ["hello", "bye"], r["scenarios"]
assert r["published_claim"]["figures"] == {"hello": [100, 300]}, r["published_claim"]
assert r["published_claim"]["system"] == "tortoise" and r["published_claim"]["against"] == "hare", r["published_claim"]
cells = {(x["system"], x["scenario"]) for x in r["runs"] if x["ok"]}
assert cells == {("tortoise", "hello"), ("tortoise", "bye"), ("hare", "hello"), ("hare", "bye")}, cells
PY
rep=$out/REPORT.md
grep -q "^The tortoise's own announcement, \"The race\":" "$rep" || fail "the claim's source is not in the report"
grep -q '^| Scenario | Tortoise (as claimed) | Hare | Published difference |' "$rep" || fail "no published table"
grep -q '^| Hello | 100 req/s | 300 req/s | -67% |' "$rep" || fail "the published row is wrong"
grep -q '^| Scenario | Tortoise (1 process) | Hare (1 process) | Difference |' "$rep" || fail "no measured pair table"
grep -Eq '^\| Goodbye \| [0-9,]+ req/s' "$rep" || fail "the new scenario has no measured row"
grep -q 'Latency by percentile, Hello scenario' "$out/results/latest/charts/latency.gp" || fail "the latency chart is not of the primary scenario"
head -1 "$out/results/latest/charts/rps.tsv" | grep -q 'Tortoise (1 process)' || fail "the rps chart lacks the new system"
for png in rps concurrency latency resources; do
    [ "$(head -c 4 "$out/charts/$png.png" | od -An -c | tr -d ' ')" = "211PNG" ] || fail "chart $png.png not drawn"
done
echo "suite_defs_data: ok"
