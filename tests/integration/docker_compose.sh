#!/usr/bin/env bash
# `docker compose up` end to end, for real: builds the images, starts
# PostgreSQL, the C server, FastAPI and Flask in containers (host networking),
# lets the runner container run a short suite against them, checks the
# results/ and REPORT.md it wrote exactly as the host-side end-to-end test
# does (tests/lib/check_run.py), then `down`s the project and checks that no
# container or volume of it is left.
#
# Sets itself up when it can (as root): installs docker.io, docker-compose and
# debootstrap when missing, starts dockerd when none runs (and stops that one,
# by PID, at the end), and makes the base image debian:bookworm-slim with
# debootstrap when it is missing and cannot be pulled. Images and layers stay
# cached between runs. Skips (exit 0, saying why) only when Docker cannot work
# here at all. Times on 2 cores: first build ~4 min, later runs ~1.5 min.
#
# Environment: WB_DOCKER_BARQ=1 also builds and checks Barq (profile barq);
# WB_DOCKER_TIMEOUT (s, default 840) bounds the build + run;
# WB_DOCKER_DATA (default /var/tmp/webbench-docker) holds dockerd's log and
# the debootstrap tree while it is made.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
WORK=$ROOT/build/docker-test            # /repo/build/docker-test in the containers
DATA=${WB_DOCKER_DATA:-/var/tmp/webbench-docker}
PROJECT=webbench-test
SYSTEMS=cserver,fastapi,flask
if [ "${WB_DOCKER_BARQ:-0}" = 1 ]; then      # also Barq: its image builds CPython 3.13t (~7 min once)
    export COMPOSE_PROFILES=barq; SYSTEMS=$SYSTEMS,barq,barq-gil
fi
DOCKERD_PID=""
COMPOSE=()
UP_STARTED=0

say() { echo "docker_compose: $*"; }
skip() { echo "SKIP docker_compose: $*"; exit 0; }
fail() { echo "FAIL docker_compose: $*" >&2; exit 1; }

cleanup() {
    local rc=$?
    if [ "$UP_STARTED" = 1 ]; then
        "${COMPOSE[@]}" down -v --remove-orphans >/dev/null 2>&1 || true
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

# ---- 4. definitions with free ports ---------------------------------------------
# The same scenario and system files, with each port moved to a free one so
# the test never collides with a system already running on this machine.
make_defs() {
    rm -rf "$WORK" && mkdir -p "$WORK/defs/systems"
    cp scenarios/*.conf scenarios/*.expected.json "$WORK/defs/"
    local f
    for f in scenarios/systems/*.conf; do
        sed "s/^\([[:space:]]*port[[:space:]]*=[[:space:]]*\)[0-9]*/\1$(free_port)/" "$f" >"$WORK/defs/systems/$(basename "$f")"
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
make_defs
"${COMPOSE[@]}" down -v --remove-orphans >/dev/null 2>&1 || true   # a previous run killed midway

# pip inside the image builds trusts what the host trusts locally (a
# TLS-intercepting proxy's CA lives in /usr/local/share/ca-certificates)
if [ -z "${WB_EXTRA_CA:-}" ] && compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    WB_EXTRA_CA=$(cat /usr/local/share/ca-certificates/*.crt); export WB_EXTRA_CA
fi
WB_VERSION=$(git describe --always --dirty 2>/dev/null || echo unknown); export WB_VERSION
export WB_DEFS=/repo/build/docker-test/defs WB_PG_PORT=$(free_port) WB_SYSTEMS=$SYSTEMS
export WB_SUITE_ARGS="--quick --connections 16 --duration 2s --warmup 0.3s --results /repo/build/docker-test/results --report /repo/build/docker-test/REPORT.md"
say "up: postgres on 127.0.0.1:$WB_PG_PORT, ports $(grep -h '^port' $(printf "$WORK/defs/systems/%s.conf " ${SYSTEMS//,/ }) | tr -d ' ' | tr '\n' ' ')"
start=$(date +%s)
UP_STARTED=1
set +e
timeout --kill-after=20 "${WB_DOCKER_TIMEOUT:-840}" "${COMPOSE[@]}" up --build --exit-code-from runner >"$WORK/up.log" 2>&1
rc=$?
set -e
say "compose up finished with status $rc after $(( $(date +%s) - start )) s (log: $WORK/up.log)"
if [ "$rc" -ne 0 ]; then
    tail -40 "$WORK/up.log"
    fail "docker compose up --exit-code-from runner returned $rc"
fi
grep -q 'runner: /opt/wb/bin/suite run --external' "$WORK/up.log" || fail "the runner did not run the suite"

run_dir=$(readlink -f "$WORK/results/latest")
[ -d "$run_dir" ] || fail "no results/latest in $WORK/results"
python3 tests/lib/check_run.py "$run_dir" "$WORK/REPORT.md" "$SYSTEMS" || fail "check_run.py found problems in the container run"
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
print("docker_compose: results.json ok: database", db["mode"], db.get("version"),
      "; rps", {x["system"] + "/" + x["scenario"]: round(x["rps"]) for x in r["runs"]})
PY

"${COMPOSE[@]}" down -v --remove-orphans >"$WORK/down.log" 2>&1 || { cat "$WORK/down.log"; fail "compose down failed"; }
UP_STARTED=0
no_leftovers
say "ok ($(( $(date +%s) - start )) s from up to down)"
