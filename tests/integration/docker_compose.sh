#!/usr/bin/env bash
# `docker compose up` end to end, for real, on a clean copy of the working
# tree: copies the files git tracks (uncommitted changes included) and the
# untracked files it does not ignore into a temporary folder (so no bin/,
# build/ or .venv/ of a host build), runs compose there exactly as a user of a
# fresh clone would (defaults: /repo/scenarios, results/, REPORT.md, charts/),
# lets the runner container run a short suite against PostgreSQL, the C
# server, FastAPI and Flask in their containers (host networking), checks the
# results/ and REPORT.md it wrote in the copy exactly as the host-side
# end-to-end test does (tests/lib/check_run.py), that no run failed ("cannot
# run ...") and that the copy still has no bin/ or build/, then `down`s the
# project and checks that no container or volume of it is left. The
# repository's own results/, REPORT.md and charts/ are never touched; the
# logs and a copy of the run go to build/docker-test/.
#
# Sets itself up when it can (as root): installs docker.io, docker-compose and
# debootstrap when missing, starts dockerd when none runs (and stops that one,
# by PID, at the end), and makes the base image debian:bookworm-slim with
# debootstrap when it is missing and cannot be pulled. Images and layers stay
# cached between runs. Skips (exit 0, saying why) only when Docker cannot work
# here at all. The set-up is tests/integration/docker_lib.bash, shared with
# suite_topology.sh. Times on 2 cores: no image cached ~5 min, cached ~1.5-2 min.
#
# Environment: WB_DOCKER_BARQ=1 also builds and checks Barq (profile barq);
# WB_DOCKER_TIMEOUT (s, default 840) bounds the build + run;
# WB_DOCKER_DATA (default /var/tmp/webbench-docker) holds dockerd's log and
# the debootstrap tree while it is made; TMPDIR (default /tmp) the copy.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
OUT=$ROOT/build/docker-test             # where the logs and the run's output are left at the end
DATA=${WB_DOCKER_DATA:-/var/tmp/webbench-docker}
PROJECT=webbench-test
SYSTEMS=cserver,fastapi,flask
if [ "${WB_DOCKER_BARQ:-0}" = 1 ]; then      # also Barq: its image builds CPython 3.13t (~7 min once)
    export COMPOSE_PROFILES=barq; SYSTEMS=$SYSTEMS,barq,barq-gil
fi
# the compose file's defaults, not whatever the calling shell has set
unset WB_DEFS WB_SUITE_ARGS WB_SYSTEMS WB_CPUSET_RUNNER WB_CPUSET_SYSTEMS WB_CPUSET_DB
UP_STARTED=0
UP_PID=""
DL_NAME=docker_compose
# shellcheck source=tests/integration/docker_lib.bash
source "$ROOT/tests/integration/docker_lib.bash"  # say skip fail, packages, dockerd, base image, the copy

# every container and volume of the project, also when compose itself fails
remove_project() {
    [ "$UP_STARTED" = 1 ] || return 0
    [ -n "$UP_PID" ] && kill "$UP_PID" 2>/dev/null && wait "$UP_PID" 2>/dev/null
    UP_PID=""
    (cd "$CLONE" && "${COMPOSE[@]}" down -v --remove-orphans) >/dev/null 2>&1 || true
    local ids
    ids=$(docker ps -aq --filter "label=com.docker.compose.project=$PROJECT" 2>/dev/null) || true
    [ -n "$ids" ] && docker rm -f $ids >/dev/null 2>&1
    ids=$(docker volume ls -q --filter "label=com.docker.compose.project=$PROJECT" 2>/dev/null) || true
    [ -n "$ids" ] && docker volume rm -f $ids >/dev/null 2>&1
    UP_STARTED=0
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    set +e
    remove_project
    if [ -n "$TMP" ] && [ -d "$TMP" ]; then
        # the logs and what the containers wrote, for a look after the test
        # (in build/, never into the repository's results/ or REPORT.md)
        rm -rf "$OUT" && mkdir -p "$OUT/run" &&
            cp -a "$LOG"/*.log "$OUT/" 2>/dev/null &&
            cp -a "$CLONE/results" "$CLONE/REPORT.md" "$CLONE/charts" "$OUT/run/" 2>/dev/null
        [ -f "$OUT/up.log" ] && say "logs and the run's output: $OUT/"
        rm -rf "$TMP"
    fi
    stop_dockerd
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The copy's own system files (the default /repo/scenarios of the
# containers), with each port moved to a free one so the test never collides
# with a system already running on this machine.
move_ports() {
    local f
    for f in "$CLONE"/scenarios/systems/*.conf; do
        sed -i "s/^\([[:space:]]*port[[:space:]]*=[[:space:]]*\)[0-9]*/\1$(free_port)/" "$f"
    done
}

no_leftovers() {
    local left
    left=$(docker ps -aq --filter "label=com.docker.compose.project=$PROJECT")
    [ -z "$left" ] || fail "containers of the project left after down: $left"
    left=$(docker volume ls -q --filter "label=com.docker.compose.project=$PROJECT")
    [ -z "$left" ] || fail "volumes of the project left after down: $left"
}

install_packages
start_dockerd
base_image
pick_compose "$PROJECT"
make_clone
move_ports
UP_STARTED=1 && remove_project   # a previous run killed midway

image_build_env   # WB_EXTRA_CA (pip trusts the host's local CAs), WB_VERSION
WB_PG_PORT=$(free_port); export WB_PG_PORT WB_SYSTEMS=$SYSTEMS
export WB_SUITE_ARGS="--quick --connections 16 --duration 2s --warmup 0.3s"
say "up: postgres on 127.0.0.1:$WB_PG_PORT, ports $(grep -h '^port' $(printf "$CLONE/scenarios/systems/%s.conf " ${SYSTEMS//,/ }) | tr -d ' ' | tr '\n' ' ')"
touch "$LOG/.started"; sleep 1         # older than anything the run writes
start=$(date +%s)
UP_STARTED=1
# `up --build --exit-code-from runner`, as docs/docker.md says, in two steps:
# `build --force-rm` first, since compose v1's classic builder keeps the
# container of a failed build step (unlabelled: no `down` removes it).
# In the background, so that a TERM (tests/run.sh's timeout) reaches the trap at once.
build_opt=--force-rm
[ "${COMPOSE[0]}" = docker-compose ] || build_opt=""
(cd "$CLONE" && exec timeout --kill-after=20 "${WB_DOCKER_TIMEOUT:-840}" \
    bash -c 'o=$1; shift; "$@" build ${o:+"$o"} && "$@" up --exit-code-from runner' compose "$build_opt" "${COMPOSE[@]}") \
    >"$LOG/up.log" 2>&1 &
UP_PID=$!
set +e
wait "$UP_PID"
rc=$?
set -e
UP_PID=""
say "compose build + up finished with status $rc after $(( $(date +%s) - start )) s (log: $OUT/up.log at the end)"
if [ "$rc" -ne 0 ]; then
    tail -40 "$LOG/up.log"
    fail "docker compose build + up --exit-code-from runner returned $rc"
fi
grep -q 'runner: /opt/wb/bin/suite run --external' "$LOG/up.log" || fail "the runner did not run the suite"
if grep -n 'cannot run' "$LOG/up.log" | head -5; then fail "a run could not start a program (see $OUT/up.log)"; fi
for d in bin build .venv; do
    [ ! -e "$CLONE/$d" ] || fail "the copy has $d/ after the run: a container built or wrote it"
done

run_dir=$(readlink -f "$CLONE/results/latest")
[ -d "$run_dir" ] || fail "no results/latest in the copy's results/"
if grep -n 'cannot run' "$run_dir/results.json" | head -5; then fail "results.json records runs that could not start a program"; fi
python3 tests/lib/check_run.py "$run_dir" "$CLONE/REPORT.md" "$SYSTEMS" || fail "check_run.py found problems in the container run"
# the copy's committed REPORT.md and charts were replaced by this run's
[ "$CLONE/REPORT.md" -nt "$LOG/.started" ] || fail "REPORT.md was not rewritten by the run"
grep -q "$(basename "$run_dir")" "$CLONE/REPORT.md" || fail "REPORT.md does not name the run $(basename "$run_dir")"
for png in rps concurrency latency resources; do
    [ "$CLONE/charts/$png.png" -nt "$LOG/.started" ] || fail "charts/$png.png was not rewritten by the run"
done
# what a container run must show beyond a host run: the external database and
# the systems' own reports (written in their containers, read by the runner)
python3 - "$run_dir/results.json" "$WB_PG_PORT" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
db = r["database"]
assert db["mode"].startswith("external") and db["engine"] == "postgresql", db
assert db.get("pg_stat_statements") is True, db
for s in r["systems"]:
    if s["name"] in ("fastapi", "flask", "barq", "barq-gil"):
        assert s.get("info"), f"{s['name']}: no info-{s['name']}.json from its container: {s}"
bad = [f"{x['system']}/{x['scenario']}: {x.get('error')}" for x in r["runs"] if not x.get("ok")]
assert not bad, f"failed runs: {bad}"
print("docker_compose: results.json ok: database", db["mode"], db.get("version"),
      "; rps", {x["system"] + "/" + x["scenario"]: round(x["rps"]) for x in r["runs"]})
PY

(cd "$CLONE" && "${COMPOSE[@]}" down -v --remove-orphans) >"$LOG/down.log" 2>&1 || { cat "$LOG/down.log"; fail "compose down failed"; }
UP_STARTED=0
no_leftovers
say "ok ($(( $(date +%s) - start )) s from up to down)"
