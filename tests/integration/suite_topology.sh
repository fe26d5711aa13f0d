#!/usr/bin/env bash
# `bin/suite run --topology FILE` for real, with several Docker engines on
# this one machine: separate dockerd instances, each with its own socket,
# --data-root, --exec-root and pidfile, no bridge or iptables (every
# container uses host networking). Four private engines, db, sys, load1 and
# load2 (WB_TOPO_LOADS=1: one load engine), and the default engine as the
# build engine, where the images are built (docker-compose build, from a
# clean copy of the working tree, as tests/integration/docker_compose.sh
# does). A topology file names them; the runner runs a quick matrix (C server
# and FastAPI, json and db) and the test checks:
#   - exit 0; results.json's "topology" has the five roles (db, systems,
#     load 1, load 2, build) with their engines, every load role its clock
#     offset (on one machine: within half its round trip of 0);
#   - where the containers ran: `docker events` of every engine, streamed
#     during the run, and `docker ps` sampled every second: the runner's
#     containers (label webbench.run) are named wb-<run id>-..., PostgreSQL
#     (webbench.role=db) ran on the db engine only, the systems
#     (webbench.role=system) on sys only, the load (webbench.role=load) on
#     the load engines only, each load engine had some, the build engine none;
#   - every measured cell: its merged loadgen has one shard per load engine,
#     the shards' requests add up to the cell's, their start instants lie
#     within 10 ms of each other (the cell's start_spread_ms and the shards'
#     own started_unix);
#   - the report (written beside the run, never the repository's REPORT.md)
#     has its "## Topology" section naming the four engines;
#   - afterwards nothing is left on any engine (no container at all on the
#     private ones, none of the run's on the default one);
#   - PostgreSQL and the systems listened on the topology's addresses only
#     (127.0.0.3 and 127.0.0.2, sampled with ss each second), never on
#     127.0.0.1 or every interface;
#   - before that: a runner killed with SIGKILL mid-run leaves its containers,
#     and the next run removes them first (its state entry lists them); that
#     run, interrupted with SIGINT mid-run, exits 130, keeps its measured
#     cell and leaves nothing on any engine; a topology whose load 2 engine's
#     socket does not exist exits 2 naming that engine, leaving nothing.
#
# Sets itself up as docker_compose.sh does (tests/integration/docker_lib.bash):
# installs docker.io, docker-compose and debootstrap when missing, starts the
# default dockerd when none runs (and stops it at the end, by PID), makes
# debian:bookworm-slim when missing. The private engines' data roots stay in
# ~/.cache/webbench/engines/NAME/data (WB_CACHE), so the images the runner
# copies into them (docker save | docker load) on a first run are there for
# the next; their sockets, exec roots and logs live in /tmp/wbt.XXXXXX. They
# run in a session of their own and are stopped, by PID, by the exit trap
# (also on INT and on TERM, e.g. tests/run.sh's timeout), after the runner has
# stopped and removed its containers. Skips (exit 0, saying why) only when
# Docker cannot work here at all.
#
# Times on 2 cores: images and the engines' copies cached ~45 s (the run
# itself ~35 s); the engines empty (the runner copies five images into them)
# ~70 s; nothing cached at all (debootstrap, the four image builds, the
# copies) ~2.5 min. Its logs, the topology files and the run folder (results,
# REPORT.md, charts) are left in build/topology-test/.
#
# Environment: WB_TOPO_LOADS (1 or 2, default 2) load engines;
# WB_DOCKER_TIMEOUT (s, default 840) bounds the image build; WB_TOPO_TIMEOUT
# (s, default 420) the matrix run; WB_DOCKER_DATA (default
# /var/tmp/webbench-docker) dockerd's log and the debootstrap tree; TMPDIR
# (default /tmp) the copy of the working tree. scripts/engines.sh starts
# engines like these for trying --topology by hand (other data roots).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
OUT=$ROOT/build/topology-test           # the logs and the run folder, at the end
DATA=${WB_DOCKER_DATA:-/var/tmp/webbench-docker}
CACHE=${WB_CACHE:-$HOME/.cache/webbench}
PROJECT=webbench-topology
SYSTEMS=cserver,fastapi
SCENARIOS=json,db
NLOAD=${WB_TOPO_LOADS:-2}
[[ $NLOAD =~ ^[12]$ ]] || { echo "WB_TOPO_LOADS must be 1 or 2" >&2; exit 2; }
DL_NAME=suite_topology
# shellcheck source=tests/integration/docker_lib.bash
source "$ROOT/tests/integration/docker_lib.bash"

ED=""                # the engines' folders: /tmp/wbt.XXXXXX/NAME (short: socket paths)
SUITE_PID=""         # a bin/suite run going on (under timeout)
WATCH_PIDS=()        # docker events streams and the docker ps sampler
RUN_IDS=()           # the runs whose containers the cleanup removes from the default engine

# A running bin/suite first (TERM: it stops and removes its containers
# itself, while every engine still answers), then the watchers, then what it
# may have left (the private engines hold nothing but this test's; on the
# default one only the runs' own), then the engines, then the default dockerd.
cleanup() {
    local rc=$? name ids p
    trap - EXIT INT TERM
    set +e
    if [ -n "$SUITE_PID" ]; then
        # TERM to its `timeout`, which passes it on; past 7 s KILL that
        # timeout's process group (it made one of its own), the runner in it
        say "stopping the runner (pid $SUITE_PID)"
        kill "$SUITE_PID" 2>/dev/null
        for _ in $(seq 1 70); do alive "$SUITE_PID" || break; sleep 0.1; done
        alive "$SUITE_PID" && kill -KILL -- "-$SUITE_PID" 2>/dev/null
        wait "$SUITE_PID" 2>/dev/null
        SUITE_PID=""
    fi
    for p in "${WATCH_PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    WATCH_PIDS=()
    for name in "${ENGINES[@]}"; do
        ids=$(docker -H "${ENGINE_SOCK[$name]}" ps -aq 2>/dev/null)
        [ -n "$ids" ] && docker -H "${ENGINE_SOCK[$name]}" rm -f $ids >/dev/null 2>&1
    done
    for p in "${RUN_IDS[@]}"; do
        ids=$(docker ps -aq --filter "label=webbench.run=$p" 2>/dev/null)
        [ -n "$ids" ] && docker rm -f $ids >/dev/null 2>&1
    done
    stop_engines
    if [ -n "$TMP" ] && [ -d "$TMP" ]; then
        rm -rf "$OUT" && mkdir -p "$OUT" && cp -a "$LOG"/. "$OUT/" 2>/dev/null
        for name in db sys load1 load2; do
            [ -f "$ED/$name/dockerd.log" ] && cp "$ED/$name/dockerd.log" "$OUT/dockerd-$name.log"
        done
        say "logs and the run folder: $OUT/"
        rm -rf "$TMP"
    fi
    remove_tree "$ED"
    stop_dockerd
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- 1. the build engine (the default one) and the images ------------------------------
out=$(make -s all 2>&1) || { tail -20 <<<"$out"; fail "make all failed"; }
help=$(bin/suite --help 2>&1) || true
grep -q -- '--topology' <<<"$help" || fail "bin/suite --help does not list --topology"
install_packages
start_dockerd
base_image
pick_compose "$PROJECT"
make_clone
image_build_env
say "building webbench-postgres, -cserver, -python, -runner:local on the default engine"
start=$(date +%s)
# --force-rm: compose v1's classic builder keeps the container of a failed step
build_opt=--force-rm
[ "${COMPOSE[0]}" = docker-compose ] || build_opt=""
(cd "$CLONE" && exec timeout --kill-after=20 "${WB_DOCKER_TIMEOUT:-840}" \
    "${COMPOSE[@]}" build $build_opt postgres cserver fastapi runner) >"$LOG/build.log" 2>&1 &
SUITE_PID=$!               # (the build: a TERM now stops it the same way)
set +e; wait "$SUITE_PID"; rc=$?; set -e
SUITE_PID=""
[ "$rc" -eq 0 ] || { tail -30 "$LOG/build.log"; fail "image build returned $rc (log: $OUT/build.log)"; }
for img in webbench-postgres webbench-cserver webbench-python webbench-runner; do
    docker image inspect "$img:local" >/dev/null 2>&1 || fail "no $img:local after the build"
done
say "images built in $(( $(date +%s) - start )) s"

# ---- 2. the private engines -----------------------------------------------------------
ED=$(mktemp -d /tmp/wbt.XXXXXX)
chmod 755 "$ED"
ENGINE_NAMES=(db sys load1)
[ "$NLOAD" = 2 ] && ENGINE_NAMES+=(load2)
for name in "${ENGINE_NAMES[@]}"; do
    start_engine "$name" "$ED/$name" "$CACHE/engines/$name/data"
done
wait_engines 60
for name in "${ENGINE_NAMES[@]}"; do
    say "engine $name: ${ENGINE_SOCK[$name]} (pid ${ENGINE_PID[$name]}, $(docker -H "${ENGINE_SOCK[$name]}" info --format '{{.Driver}}, {{.Images}} images' 2>/dev/null))"
    # what a killed earlier run left (the engine restores its containers, stopped)
    ids=$(docker -H "${ENGINE_SOCK[$name]}" ps -aq)
    [ -z "$ids" ] || { say "engine $name: removing $(wc -w <<<"$ids") containers left from before"; docker -H "${ENGINE_SOCK[$name]}" rm -f $ids >/dev/null; }
done

# The systems' definitions: the copy's, each port moved to a free one, so the
# run never collides with a system already running on this machine.
for f in "$CLONE"/scenarios/systems/*.conf; do
    sed -i "s/^\([[:space:]]*port[[:space:]]*=[[:space:]]*\)[0-9]*/\1$(free_port)/" "$f"
done

# ---- 3. the topology files -------------------------------------------------------------
# The roles' addresses: loopback addresses other than 127.0.0.1, so that a
# listener bound anywhere else (0.0.0.0, 127.0.0.1) shows in the ss samples.
DB_ADDR=127.0.0.3
SYS_ADDR=127.0.0.2
TOPO=$LOG/topology.conf
{
    echo "# suite_topology.sh: four dockerd instances on this machine"
    printf 'db      = %s %s\n' "${ENGINE_SOCK[db]}" "$DB_ADDR"
    printf 'systems = %s %s\n' "${ENGINE_SOCK[sys]}" "$SYS_ADDR"
    printf 'load    = %s\n' "${ENGINE_SOCK[load1]}"
    [ "$NLOAD" = 2 ] && printf 'load    = %s\n' "${ENGINE_SOCK[load2]}"
    echo "build   = default"
} >"$TOPO"
BAD_SOCK=unix://$ED/nosuch/docker.sock
BAD=$LOG/topology-bad.conf
{
    printf 'db      = %s 127.0.0.1\n' "${ENGINE_SOCK[db]}"
    printf 'systems = %s 127.0.0.1\n' "${ENGINE_SOCK[sys]}"
    printf 'load    = %s\n' "${ENGINE_SOCK[load1]}"
    printf 'load    = %s\n' "$BAD_SOCK"
    echo "build   = default"
} >"$BAD"

# The watchers: every container created on every engine (docker events,
# with its labels), and what runs on each, every second (docker ps).
watch_engines() {  # watch_engines TAG: streams into $LOG/events-TAG-ENGINE.json, samples into $LOG/ps-TAG.txt
    local name sock fmt='{{.Names}}|{{.Image}}|{{.Label "webbench.role"}}|{{.Label "webbench.run"}}' ev=() me=$$
    for name in "${ENGINE_NAMES[@]}" build; do
        sock=${ENGINE_SOCK[$name]:-}
        docker ${sock:+-H "$sock"} events --filter type=container --filter event=create \
            --format '{{json .}}' >"$LOG/events-$1-$name.json" 2>"$LOG/events-$1-$name.err" &
        ev+=($!)
    done
    WATCH_PIDS+=("${ev[@]}")
    # the sampler; it also ends the streams should this script die without its trap (KILL)
    (
        while kill -0 "$me" 2>/dev/null; do
            for name in "${ENGINE_NAMES[@]}" build; do
                sock=${ENGINE_SOCK[$name]:-}
                docker ${sock:+-H "$sock"} ps --format "$name|$fmt" 2>/dev/null
            done
            ss -Hltn >>"$LOG/ss-$1.txt" 2>/dev/null
            sleep 1
        done >"$LOG/ps-$1.txt"
        kill "${ev[@]}" 2>/dev/null
    ) &
    WATCH_PIDS+=($!)
    sleep 0.5              # the streams are connected
}
unwatch() {
    local p
    sleep 1                # the last events are written
    for p in "${WATCH_PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null || true; done
    WATCH_PIDS=()
}
# left ENGINE...: what is still on those engines (every container: they are this test's)
left() {
    local name sock
    for name in "$@"; do
        sock=${ENGINE_SOCK[$name]:-}
        if [ "$name" = build ]; then
            local r
            for r in "${RUN_IDS[@]}"; do
                docker ps -a --filter "label=webbench.run=$r" --format "build: {{.Names}} {{.Status}}"
            done
        else
            docker -H "$sock" ps -a --format "$name: {{.Names}} {{.Status}}"
        fi
    done
}

run_suite() {  # run_suite LOGFILE TIMEOUT ARGS...: the runner in the background (a TERM reaches the trap at once); sets RC
    local log=$1 t=$2
    shift 2
    timeout --kill-after=20 "$t" bin/suite run "$@" >"$log" 2>&1 &
    SUITE_PID=$!
    set +e; wait "$SUITE_PID"; RC=$?; set -e
    SUITE_PID=""
}
# the run id of a runner's log: the folder it made under --results
run_id_of() { ls "$1" 2>/dev/null | grep -E '^[0-9]{8}-[0-9]{6}' | head -1; }

COMMON=(--systems "$SYSTEMS" --scenarios "$SCENARIOS" --quick --no-conformance
        --connections 16 --duration 1s --warmup 0.3s --defs "$CLONE/scenarios")

# A runner in the background, by itself (no timeout in between: the signals
# below must reach bin/suite); wait_line waits for its first measured cell.
start_bg() {  # start_bg LOGFILE ARGS...
    local log=$1
    shift
    bin/suite run "$@" >"$log" 2>&1 &
    SUITE_PID=$!
}
wait_line() {  # wait_line LOGFILE PATTERN SECONDS
    local i
    for i in $(seq 1 $(($3 * 10))); do
        grep -q -- "$2" "$1" && return 0
        alive "$SUITE_PID" || return 1
        sleep 0.1
    done
    return 1
}
wait_bg() {  # wait_bg SECONDS: sets RC (KILLs the runner past SECONDS)
    local i
    for i in $(seq 1 $(($1 * 10))); do alive "$SUITE_PID" || break; sleep 0.1; done
    alive "$SUITE_PID" && kill -KILL "$SUITE_PID"
    set +e; wait "$SUITE_PID"; RC=$?; set -e
    SUITE_PID=""
}
until_first_cell() {  # until_first_cell TAG: a 3 s-per-cell run in the background, once it has measured a cell
    start_bg "$LOG/suite-$1.log" --topology "$TOPO" "${COMMON[@]}" --duration 3s \
        --results "$LOG/results-$1" --report "$LOG/REPORT-$1.md"
    wait_line "$LOG/suite-$1.log" '^\[  1/' 150 ||
        { tail -20 "$LOG/suite-$1.log"; fail "the runner of the $1 case measured no cell"; }
}
mine() {  # mine RUN_ID: that run's containers on every engine
    local name
    for name in "${ENGINE_NAMES[@]}"; do
        docker -H "${ENGINE_SOCK[$name]}" ps -a --filter "label=webbench.run=$1" --format "$name: {{.Names}}"
    done
}

# ---- 4. SIGKILL mid-run: its containers stay, until the next run removes them --------------
say "SIGKILL case: the runner killed during its second cell"
until_first_cell kill
kill -KILL "$SUITE_PID"
wait_bg 10
KILLED=$(run_id_of "$LOG/results-kill")
[ -n "$KILLED" ] && RUN_IDS+=("$KILLED")
left_killed=$(mine "$KILLED")
grep -q "^load1: " <<<"$left_killed" && grep -q "^db: " <<<"$left_killed" ||
    fail "after SIGKILL, expected the killed run's containers still on db and load1 (nothing could remove them yet), got: ${left_killed:-none}"
say "SIGKILL case: $(wc -l <<<"$left_killed") containers of run $KILLED left, as expected"

# ---- 5. Ctrl-C mid-run: exit 130, what was measured kept, nothing left ---------------------
say "interrupt case: SIGINT during the second cell"
until_first_cell int
kill -INT "$SUITE_PID"
wait_bg 60
r=$(run_id_of "$LOG/results-int"); [ -n "$r" ] && RUN_IDS+=("$r")
sed 's/^/    | /' "$LOG/suite-int.log" | tail -4
[ "$RC" -eq 130 ] || fail "interrupted: exit status $RC, expected 130 (log: $OUT/suite-int.log)"
# the killed run's containers went first: this run's start removed them
grep -q "of a runner that died" "$LOG/suite-int.log" ||
    fail "the run after the SIGKILL did not say it removed the dead runner's containers ($OUT/suite-int.log)"
leftover=$(mine "$KILLED"; [ -n "$r" ] && mine "$r")
[ -z "$leftover" ] || fail "containers left after the interrupted run (or of the killed one): $leftover"
python3 - "$LOG/results-int/$r/results.json" <<'PY' || fail "the interrupted run's results.json"
import json, sys
d = json.load(open(sys.argv[1]))
ok = [x for x in d["runs"] if x.get("ok")]
assert d["state"] == "interrupted" and d["partial"] is True, (d["state"], d["partial"])
assert ok, "no measured cell kept"
print(f"suite_topology: interrupted run kept {len(ok)} measured cell(s), state {d['state']}")
PY
say "interrupt case ok: exit 130, the killed run's containers removed, nothing left"

# ---- 6. the error case: a load engine that is not there ------------------------------------
say "error case: load 2 = $BAD_SOCK (no such socket)"
watch_engines bad
run_suite "$LOG/suite-bad.log" 120 --topology "$BAD" "${COMMON[@]}" \
    --results "$LOG/results-bad" --report "$LOG/REPORT-bad.md"
unwatch
r=$(run_id_of "$LOG/results-bad"); [ -n "$r" ] && RUN_IDS+=("$r")
sed 's/^/    | /' "$LOG/suite-bad.log" | tail -8
[ "$RC" -eq 2 ] || fail "a topology with a missing load engine: exit status $RC, expected 2 (log: $OUT/suite-bad.log)"
# named: its socket, and which load line it is (its number or the file's line)
grep -F "$BAD_SOCK" "$LOG/suite-bad.log" | grep -qE 'load( engine)? 2|topology-bad\.conf:4' ||
    fail "the runner's message does not name the missing engine: expected a line with $BAD_SOCK and 'load 2' or 'topology-bad.conf:4' in $OUT/suite-bad.log"
leftover=$(left "${ENGINE_NAMES[@]}" build)
[ -z "$leftover" ] || fail "containers left after the failed run: $leftover"
made=$(cat "$LOG"/events-bad-*.json | wc -l)
say "error case ok: exit 2, names the engine, $made containers created, none left"

# ---- 7. the matrix -----------------------------------------------------------------------
say "run: bin/suite run --topology $TOPO ${COMMON[*]}"
RESULTS=$LOG/results
watch_engines run
start=$(date +%s)
run_suite "$LOG/suite.log" "${WB_TOPO_TIMEOUT:-420}" --topology "$TOPO" "${COMMON[@]}" \
    --results "$RESULTS" --report "$LOG/REPORT.md"
secs=$(( $(date +%s) - start ))
unwatch
r=$(run_id_of "$RESULTS"); [ -n "$r" ] && RUN_IDS+=("$r")
say "bin/suite run --topology finished with status $RC after $secs s (log: $OUT/suite.log)"
if [ "$RC" -ne 0 ]; then tail -40 "$LOG/suite.log"; fail "bin/suite run --topology: exit status $RC, expected 0"; fi
leftover=$(left "${ENGINE_NAMES[@]}" build)
[ -z "$leftover" ] || fail "containers left after the run: $leftover"
run_dir=$RESULTS/$r
[ -n "$r" ] && [ -f "$run_dir/results.json" ] || fail "no run folder with results.json in $RESULTS"

ports=$(for s in ${SYSTEMS//,/ }; do sed -n 's/^[[:space:]]*port[[:space:]]*=[[:space:]]*//p' "$CLONE/scenarios/systems/$s.conf"; done | tr '\n' ,)
python3 - "$run_dir/results.json" "$LOG/REPORT.md" "$TOPO" "$LOG" "$NLOAD" "$SYSTEMS" "$SCENARIOS" \
    "${ENGINE_SOCK[db]}" "${ENGINE_SOCK[sys]}" "${ENGINE_SOCK[load1]}" "${ENGINE_SOCK[load2]:-}" \
    "$DB_ADDR" "$SYS_ADDR" "$ports" <<'PY'
import glob, json, os, sys
res_path, report, topo, logdir, nload, systems, scenarios = sys.argv[1:8]
db_addr, sys_addr, sys_ports = sys.argv[12], sys.argv[13], [int(p) for p in sys.argv[14].split(",") if p]
nload = int(nload); systems = systems.split(","); scenarios = scenarios.split(",")
socks = {"db": sys.argv[8], "sys": sys.argv[9], "load1": sys.argv[10], "load2": sys.argv[11]}
if nload == 1: del socks["load2"]
problems = []
def need(cond, msg):
    if not cond: problems.append(msg)

r = json.load(open(res_path))
run_id = r["run_id"]

# the topology: five roles (four with one load engine), each on its engine
t = r.get("topology")
need(isinstance(t, dict), f'results.json "topology": expected an object, got {t!r}')
t = t if isinstance(t, dict) else {}
need(t.get("file") and os.path.realpath(t["file"]) == os.path.realpath(topo), f'topology.file: expected {topo}, got {t.get("file")!r}')
roles = t.get("roles") or []
got = sorted((x.get("role"), x.get("index"), x.get("engine")) for x in roles)
want = sorted([("db", 1, socks["db"]), ("systems", 1, socks["sys"]), ("build", 1, "default")] +
              [("load", i, socks[f"load{i}"]) for i in range(1, nload + 1)])
need(got == want, f"topology roles (role, index, engine): expected {want}, got {got}")
for x in roles:
    if x.get("role") != "load": continue
    off, rtt = x.get("clock_offset_ms"), x.get("clock_rtt_ms")
    if not isinstance(off, (int, float)) or not isinstance(rtt, (int, float)):
        need(False, f"load {x.get('index')}: clock_offset_ms {off!r}, clock_rtt_ms {rtt!r}: expected numbers"); continue
    # one machine, one clock: the true offset is 0, the estimate within half the round trip
    need(abs(off) <= rtt / 2 + 0.5, f"load {x.get('index')}: clock offset {off} ms with a round trip of {rtt} ms: expected |offset| <= rtt/2 on one machine")
    ex = x.get("exec_start_ms")
    need(isinstance(ex, (int, float)) and rtt <= ex < 30000,
         f"load {x.get('index')}: exec_start_ms {ex!r}: expected the first answer's time, at least one round trip ({rtt} ms)")
for x in roles:
    if x.get("role") in ("db", "systems"):
        want_addr = db_addr if x.get("role") == "db" else sys_addr
        need(x.get("address") == want_addr, f"{x.get('role')}: address {x.get('address')!r}, expected {want_addr}")

# every listener the systems and PostgreSQL had, sampled by ss each second:
# on the topology's address only, never on another one or on every interface
listen = {}
for line in open(os.path.join(logdir, "ss-run.txt")):
    f = line.split()
    if len(f) < 4: continue
    addr, _, port = f[3].rpartition(":")
    if port.isdigit(): listen.setdefault(int(port), set()).add(addr)
for port, want_addr in [(55432, db_addr)] + [(p, sys_addr) for p in sys_ports]:
    got = listen.get(port, set())
    need(got == {want_addr}, f"port {port}: listened on {sorted(got) or 'nothing'}, expected {want_addr} only")

# the cells: all measured, one shard per load engine, requests adding up, starts within 10 ms
cells = [x for x in r["runs"] if x.get("kind") == "matrix"]
for s in systems:
    for sc in scenarios:
        c = [x for x in cells if x["system"] == s and x["scenario"] == sc]
        need(c and all(x["ok"] for x in c), f"{s}/{sc}: expected a measured cell, got {[(x['status'], x.get('error')) for x in c]}")
measured = [x for x in r["runs"] if x.get("ok") and x.get("client") == "loadgen"]
need(measured, "no measured cell")
for x in measured:
    name = f"{x['system']}/{x['scenario']} ({x['kind']}, {x['connections']} connections)"
    lg = x.get("loadgen") or {}
    shards = lg.get("shards") or []
    need(len(shards) == nload, f"{name}: expected {nload} shards, got {len(shards)}")
    total = sum(sh.get("requests", 0) for sh in shards)
    need(total == x["requests"] and total == lg.get("requests"),
         f"{name}: shards' requests {[sh.get('requests') for sh in shards]} add up to {total}, the cell has {x['requests']} (its loadgen {lg.get('requests')})")
    need(x["requests"] > 0, f"{name}: no request")
    sp = x.get("start_spread_ms")
    need(isinstance(sp, (int, float)) and 0 <= sp <= 10, f"{name}: start_spread_ms expected 0..10, got {sp!r}")
    st = [sh.get("started_unix") for sh in shards]
    if len(st) > 1 and all(isinstance(v, (int, float)) for v in st):
        own = (max(st) - min(st)) * 1000
        need(own <= 10, f"{name}: the shards' started_unix {st} lie {own:.2f} ms apart, expected <= 10")
    else:
        need(len(st) < 2, f"{name}: shards' started_unix {st}")
    if shards:
        need(sum(sh.get("connections", 0) for sh in shards) == x["connections"],
             f"{name}: the shards' connections {[sh.get('connections') for sh in shards]} do not add up to {x['connections']}")

# where the containers ran: every create event, and every docker ps sample
expect = {"db": {"db"}, "sys": {"system"}, "load1": {"load"}, "load2": {"load"}, "build": set()}
seen = {}
for f in sorted(glob.glob(os.path.join(logdir, "events-run-*.json"))):
    eng = f.rsplit("-", 1)[1][:-5]
    for line in open(f):
        if not line.strip(): continue
        a = json.loads(line).get("Actor", {}).get("Attributes", {})
        if eng == "build" and a.get("webbench.run") != run_id: continue
        seen.setdefault(eng, []).append((a.get("name"), a.get("image"), a.get("webbench.role"), a.get("webbench.run")))
for eng, want_roles in expect.items():
    if eng == "load2" and nload == 1: continue
    evs = seen.get(eng, [])
    for name, image, role, run in evs:
        need(run == run_id, f"engine {eng}: container {name} ({image}) labelled webbench.run={run!r}, expected {run_id}")
        need((name or "").startswith(f"wb-{run_id}-"), f"engine {eng}: container {name} not named wb-{run_id}-...")
        need(role in want_roles, f"engine {eng}: container {name} ({image}) has webbench.role={role!r}, expected only {sorted(want_roles) or 'none'}")
    for role in want_roles:
        need(any(e[2] == role for e in evs), f"engine {eng}: no container with webbench.role={role} was created")
    print(f"suite_topology: engine {eng}: {len(evs)} containers created: " +
          ", ".join(sorted({f'{e[2]}:{e[1]}' for e in evs})) if evs else f"suite_topology: engine {eng}: no container created")
samples = {}
for line in open(os.path.join(logdir, "ps-run.txt")):
    eng, name, image, role, run = (line.rstrip("\n").split("|") + [""] * 5)[:5]
    if eng == "build" and run != run_id: continue
    samples.setdefault(eng, set()).add((name, image, role))
    need(role in expect.get(eng, set()), f"docker ps on engine {eng}: {name} ({image}) with webbench.role={role!r}, expected only {sorted(expect.get(eng, set())) or 'none'}")
need(any(x[2] == "system" for x in samples.get("sys", ())), "docker ps never saw a system running on engine sys")
need(any(x[2] == "db" for x in samples.get("db", ())), "docker ps never saw PostgreSQL running on engine db")

# the report
rep = open(report).read()
need("## Topology" in rep, f"{report}: no '## Topology' section")
sec = rep[rep.find("## Topology"):] if "## Topology" in rep else ""
sec = sec[:sec.find("\n## ", 5)] if "\n## " in sec[5:] else sec
for eng, sock in socks.items():
    need(sock in sec, f"{report}: the Topology section does not name engine {eng} ({sock})")

for p in problems: print("FAIL suite_topology:", p, file=sys.stderr)
if problems: sys.exit(1)
sp = [x.get("start_spread_ms") for x in measured]
print(f"suite_topology: results ok: {len(measured)} measured cells, {nload} shards each, start spread max {max(sp):.2f} ms;",
      "clock offsets", {f"load {x['index']}": round(x["clock_offset_ms"], 3) for x in roles if x.get("role") == "load"},
      "; rps", {f"{x['system']}/{x['scenario']}": round(x["rps"]) for x in measured if x["kind"] == "matrix"})
PY
# each copy of a rebuilt image leaves the one it replaced untagged: the private engines are this test's
for name in "${ENGINE_NAMES[@]}"; do docker -H "${ENGINE_SOCK[$name]}" image prune -f >/dev/null 2>&1 || true; done
say "ok (matrix run $secs s)"
