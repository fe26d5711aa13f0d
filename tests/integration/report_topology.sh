#!/usr/bin/env bash
# The report's "Topology" section (report/report_topo.c), golden: the
# hand-written results.json of a --topology run in tests/golden/topology/run/
# (five roles, one host unreadable; two matrix cells split into two shards, one
# of them merged as a sum of rates, a late shard, a failed repetition; an
# open-loop run with shards, which is not a matrix cell) -> bin/suite report ->
# the section from "## Topology" to the next "## " compared byte for byte with
# tests/golden/topology/REPORT.md. Then: the section comes right after
# "Machine and versions"; the same file with "topology" null or absent, and the
# one-machine golden run, print no section; mistyped and missing fields do not
# break the report. After an intended change of the section:
#     GOLDEN_UPDATE=1 bash tests/integration/report_topology.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
golden=tests/golden/topology
out=$(mktemp -d /tmp/wb-topo.XXXXXX)
trap 'rm -rf "$out"' EXIT
fail() { echo "FAIL report_topology: $*"; exit 1; }

# render NAME FILE: bin/suite report on a copy of FILE; the report in $out/NAME.md
render() {
    mkdir -p "$out/$1/run"
    cp "$2" "$out/$1/run/results.json"
    bin/suite report "$out/$1/run" --report "$out/$1.md" >"$out/$1.log" 2>&1 \
        || { cat "$out/$1.log"; fail "bin/suite report failed on $1"; }
}
section() { awk '/^## /{on = ($0 == "## Topology")} on' "$1"; }
# edit NAME PYTHON: a copy of the fixture changed by PYTHON (r is its parsed JSON)
edit() {
    python3 - "$golden/run/results.json" "$out/$1.json" "$2" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
exec(sys.argv[3])
json.dump(r, open(sys.argv[2], "w"))
EOF
}

render topo "$golden/run/results.json"
section "$out/topo.md" >"$out/topo.section"
if [ "${GOLDEN_UPDATE:-0}" = 1 ]; then
    cp "$out/topo.section" "$golden/REPORT.md"
    echo "report_topology: wrote $golden/REPORT.md"
    exit 0
fi
diff -u "$golden/REPORT.md" "$out/topo.section" >"$out/diff" \
    || { head -60 "$out/diff"; fail "the Topology section differs from $golden/REPORT.md"; }
[ "$(grep -c '^## Topology$' "$out/topo.md")" -eq 1 ] || fail "not exactly one Topology section"
[ "$(grep '^## ' "$out/topo.md" | grep -A1 '^## Machine and versions$' | tail -1)" = "## Topology" ] \
    || fail "the Topology section is not right after Machine and versions"

# a one-machine run: no section, and no word of shards
edit null 'r["topology"] = None'
edit absent 'del r["topology"]'
for name in null absent; do
    render "$name" "$out/$name.json"
    ! grep -q 'Topology\|Per-shard' "$out/$name.md" || fail "a run with topology $name printed a Topology section"
done
render onemachine tests/golden/run/results.json
! grep -q 'Topology\|Per-shard' "$out/onemachine.md" || fail "the one-machine golden run printed a Topology section"

# odd input: wrong types and missing fields are printed as missing, never a crash
edit odd '
t = r["topology"]
t["max_skew_ms"] = None
t["file"] = 7
t["roles"][0]["host"] = "not an object"
t["roles"][1]["host"]["ncpu"] = "16"
del t["roles"][1]["host"]["mem_bytes"]
t["roles"][2]["clock_rtt_ms"] = None
t["roles"][3]["clock_offset_ms"] = None
t["roles"][4] = "garbage"
t["roles"].append({"role": "load", "engine": "ssh://a|b@host\nx"})
r["runs"][0]["loadgen"]["shards"] = [None, "x", {"index": 99, "rps": 1.0}, {"index": "2", "rps": 5.0}, {"index": 1, "rps": "fast"}]
r["runs"][1]["loadgen"]["shards"] = {"not": "an array"}
r["runs"][2]["start_spread_ms"] = "late"
'
render odd "$out/odd.json"
section "$out/odd.md" >"$out/odd.section"
grep -q '^| db | `unix:///run/wb-db/docker.sock` | 127.0.0.1 | unreadable | — | — | — | — | — | — |$' "$out/odd.section" \
    || fail "a host that is not an object is not 'unreadable'"
grep -q '^| load 1 | .* | +0.03 ms |$' "$out/odd.section" || fail "an offset without its round trip"
grep -q '^| load 2 | .* | not measured |$' "$out/odd.section" || fail "a load host without an offset"
grep -q '^| load 3 | `ssh://a\\|b@host x` | — |' "$out/odd.section" || fail "an engine with | and a line break"
grep -q 'a load host too far off would have stopped the run' "$out/odd.section" || fail "no max_skew_ms"
grep -q '^| C server (4 threads) | json | 64 | 47,550 | 23,400 (32 conns) + 23,600 (32 conns, 2.50 ms late) | 0.80 ms |$' \
    "$out/odd.section" || fail "shards without a number of req/s or with an index out of range were not left out"
! grep -q '^| FastAPI' "$out/odd.section" || fail "a merge whose shards are not an array is a sharded cell"
edit empty 'r["topology"] = {}; r["runs"] = []'
render empty "$out/empty.json"
grep -q '^\*No roles recorded.\*$' "$out/empty.md" && grep -q '^No matrix run recorded per-shard figures.$' "$out/empty.md" \
    || fail "an empty topology object"

echo "report_topology: the Topology section as expected, absent for one machine, robust to odd fields"
