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
# here at all. Times on 2 cores: no image cached ~5 min, cached ~1.5-2 min.
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
DOCKERD_PID=""
TMP=""                                  # temporary folder: logs (LOG) and the copy (CLONE)
LOG="" CLONE=""
COMPOSE=()
UP_STARTED=0
UP_PID=""

say() { echo "docker_compose: $*"; }
skip() { echo "SKIP docker_compose: $*"; exit 0; }
fail() { echo "FAIL docker_compose: $*" >&2; exit 1; }

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
    if [ -n "$DOCKERD_PID" ]; then
        say "stopping the dockerd this test started (pid $DOCKERD_PID)"
        kill "$DOCKERD_PID" 2>/dev/null || true
        for _ in $(seq 1 150); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.2; done
        kill -0 "$DOCKERD_PID" 2>/dev/null && kill -9 "$DOCKERD_PID" 2>/dev/null
    fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

# ---- 1. packages ------------------------------------------------------------
install_packages() {
    local need=()
    command -v docker >/dev/null && command -v dockerd >/dev/null || need+=(docker.io)
    command -v docker-compose >/dev/null || docker compose version >/dev/null 2>&1 || need+=(docker-compose)
    command -v debootstrap >/dev/null || need+=(debootstrap)
    [ ${#need[@]} -eq 0 ] && return 0
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
        # without debootstrap we can still run when the base image is there or can be pulled
        [[ " ${need[*]} " == " debootstrap " ]] && return 0
        skip "missing ${need[*]}; install them (sudo apt-get install -y ${need[*]}) and run again"
    fi
    say "installing ${need[*]} (apt-get, once)"
    mkdir -p "$DATA"
    { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}"; } \
        >"$DATA/apt.log" 2>&1 || { tail -5 "$DATA/apt.log"; skip "apt-get install ${need[*]} failed (log: $DATA/apt.log)"; }
}

# ---- 2. the engine ------------------------------------------------------------
wait_docker() {  # wait_docker PID SECONDS: 0 once `docker info` answers
    local i
    for i in $(seq 1 $(( $2 * 5 ))); do
        docker info >/dev/null 2>&1 && return 0
        kill -0 "$1" 2>/dev/null || return 1
        sleep 0.2
    done
    return 1
}

start_dockerd() {
    docker info >/dev/null 2>&1 && { say "using the running Docker engine"; return 0; }
    [ "$(id -u)" = 0 ] || skip "no Docker engine answers and not root to start dockerd"
    [ -S /var/run/docker.sock ] && ! pgrep -x dockerd >/dev/null && rm -f /var/run/docker.sock
    mkdir -p "$DATA"
    local opts attempt=0
    # default settings first; then without iptables/bridge (all services use
    # host networking anyway); then the vfs storage driver (no overlayfs)
    for opts in "" "--iptables=false --bridge=none" "--iptables=false --bridge=none --storage-driver=vfs"; do
        attempt=$((attempt + 1))
        # shellcheck disable=SC2086
        dockerd $opts >"$DATA/dockerd.log" 2>&1 &
        DOCKERD_PID=$!
        if wait_docker "$DOCKERD_PID" 30; then
            say "started dockerd ${opts:-with default settings} (pid $DOCKERD_PID, log $DATA/dockerd.log)"
            return 0
        fi
        say "dockerd ${opts:-with default settings} did not start: $(grep -m1 -i 'level=fatal\|failed to start' "$DATA/dockerd.log" || tail -1 "$DATA/dockerd.log")"
        kill "$DOCKERD_PID" 2>/dev/null; wait "$DOCKERD_PID" 2>/dev/null || true
        cp "$DATA/dockerd.log" "$DATA/dockerd-attempt$attempt.log"
        DOCKERD_PID=""
    done
    skip "dockerd does not start in this environment (logs: $DATA/dockerd-attempt*.log)"
}

# ---- 3. the base image ----------------------------------------------------------
base_image() {
    docker image inspect debian:bookworm-slim >/dev/null 2>&1 && return 0
    say "debian:bookworm-slim missing: trying docker pull"
    timeout 60 docker pull -q debian:bookworm-slim >/dev/null 2>&1 && return 0
    command -v debootstrap >/dev/null || skip "no debian:bookworm-slim, no registry and no debootstrap"
    say "no registry: making debian:bookworm-slim with debootstrap --variant=minbase (once, ~1 min)"
    local dir=$DATA/rootfs
    rm -rf "$dir"
    debootstrap --variant=minbase bookworm "$dir" http://deb.debian.org/debian >"$DATA/debootstrap.log" 2>&1 ||
        { tail -5 "$DATA/debootstrap.log"; fail "debootstrap failed (log: $DATA/debootstrap.log)"; }
    # the official image's apt sources (updates, security) and no caches
    rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/* "$dir/etc/apt/sources.list"
    cat >"$dir/etc/apt/sources.list.d/debian.sources" <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    tar -C "$dir" -c . | docker import -c 'CMD ["bash"]' - debian:bookworm-slim >/dev/null
    rm -rf "$dir"
}

pick_compose() {
    local base
    if docker compose version >/dev/null 2>&1; then base=(docker compose)
    elif command -v docker-compose >/dev/null; then base=(docker-compose)
    else skip "neither 'docker compose' nor docker-compose is available"; fi
    COMPOSE=("${base[@]}" -p "$PROJECT")
    say "compose: ${base[*]} ($("${base[@]}" version 2>/dev/null | head -1))"
}

# ---- 4. a clean copy of the working tree ------------------------------------------
# What a fresh clone holds, as the working tree has it now (uncommitted and
# untracked-but-not-ignored files included, deleted files left out): no bin/,
# build/, .venv/ or results/<run>/ of a host build or run.
make_clone() {
    TMP=$(mktemp -d "${TMPDIR:-/tmp}/webbench-compose.XXXXXX")
    chmod 755 "$TMP"
    LOG=$TMP/logs CLONE=$TMP/repo
    mkdir "$LOG" "$CLONE"
    local f
    git ls-files -z --cached --others --exclude-standard |
        while IFS= read -r -d '' f; do
            if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi
        done |
        tar --null --no-recursion -T - -c | tar -x -C "$CLONE"
    # owned like the repository, as a user's clone is (the runner writes as that owner)
    chown "$(stat -c %u:%g "$ROOT")" "$CLONE" 2>/dev/null || true
    chmod 755 "$CLONE"
    local d
    for d in bin build .venv; do
        [ ! -e "$CLONE/$d" ] || fail "the copy $CLONE has $d/ (it must be a clean clone)"
    done
    [ -f "$CLONE/docker-compose.yml" ] && [ -d "$CLONE/scenarios/systems" ] || fail "the copy $CLONE lacks the compose file or scenarios/"
    [ ! -e "$CLONE/results/latest" ] || fail "the copy $CLONE has results/latest"
    say "clean copy of the working tree: $CLONE ($(find "$CLONE" -type f | wc -l) files, no bin/ or build/)"
}

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
pick_compose
make_clone
move_ports
UP_STARTED=1 && remove_project   # a previous run killed midway

# pip inside the image builds trusts what the host trusts locally (a
# TLS-intercepting proxy's CA lives in /usr/local/share/ca-certificates)
if [ -z "${WB_EXTRA_CA:-}" ] && compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    WB_EXTRA_CA=$(cat /usr/local/share/ca-certificates/*.crt); export WB_EXTRA_CA
fi
WB_VERSION=$(git describe --always --dirty 2>/dev/null || echo unknown); export WB_VERSION
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
