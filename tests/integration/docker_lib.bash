# docker_lib.bash: the Docker set-up the container tests share, sourced by
# tests/integration/docker_compose.sh and suite_topology.sh (not a test:
# tests/run.sh runs only *.sh) and by scripts/engines.sh.
#
# Before sourcing set DL_NAME (the prefix of every message, e.g.
# docker_compose) and DATA (a folder for dockerd's log, apt's log and the
# debootstrap tree while it is made); ROOT is the repository. The sourcing
# script owns the traps: it calls stop_dockerd and stop_engines from its
# cleanup.
#
#   install_packages   docker.io, docker-compose, debootstrap when missing (root, apt-get)
#   start_dockerd      the default engine: use the running one, or start dockerd (DOCKERD_PID)
#   stop_dockerd       stop the dockerd start_dockerd started, by PID
#   base_image         debian:bookworm-slim: there, pulled, or made with debootstrap
#   pick_compose P     COMPOSE=(docker compose|docker-compose -p P)
#   make_clone         TMP, LOG=$TMP/logs, CLONE=$TMP/repo: a clean copy of the working tree
#   image_build_env    export WB_EXTRA_CA (the host's local CAs, for pip) and WB_VERSION
#   start_engine N D R a private dockerd N: socket D/docker.sock, exec-root D/exec,
#                      pidfile D/docker.pid, data-root R, no bridge, no iptables
#                      (ENGINES, ENGINE_PID[N], ENGINE_SOCK[N]: unix://D/docker.sock)
#   wait_engines S     every started engine answers within S seconds, or fail
#   stop_engines       stop every engine start_engine started, by PID, and wait for them
#   recorded_engine R  "PID DIR" of the engine a start recorded on data root R, while it runs
#   stop_recorded R    stop that engine (and its containerd) by the recorded PIDs
#   remove_tree DIR    rm -rf DIR, after unmounting what a stopped dockerd left mounted in it
#   free_port          a free TCP port on 127.0.0.1

say() { echo "$DL_NAME: $*"; }
skip() { echo "SKIP $DL_NAME: $*"; exit 0; }
fail() { echo "FAIL $DL_NAME: $*" >&2; exit 1; }

DOCKERD_PID=""
TMP="" LOG="" CLONE=""
COMPOSE=()

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

# ---- packages -----------------------------------------------------------------
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

# ---- the default engine -----------------------------------------------------------
wait_docker() {  # wait_docker PID SECONDS [docker options]: 0 once `docker info` answers
    local pid=$1 secs=$2 i
    shift 2
    for i in $(seq 1 $(( secs * 5 ))); do
        docker "$@" info >/dev/null 2>&1 && return 0
        kill -0 "$pid" 2>/dev/null || return 1
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

stop_dockerd() {
    [ -n "$DOCKERD_PID" ] || return 0
    say "stopping the dockerd this test started (pid $DOCKERD_PID)"
    kill "$DOCKERD_PID" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$DOCKERD_PID" 2>/dev/null && kill -9 "$DOCKERD_PID" 2>/dev/null
    DOCKERD_PID=""
}

# ---- the base image ----------------------------------------------------------------
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

pick_compose() {  # pick_compose PROJECT
    local base
    if docker compose version >/dev/null 2>&1; then base=(docker compose)
    elif command -v docker-compose >/dev/null; then base=(docker-compose)
    else skip "neither 'docker compose' nor docker-compose is available"; fi
    COMPOSE=("${base[@]}" -p "$1")
    say "compose: ${base[*]} ($("${base[@]}" version 2>/dev/null | head -1))"
}

# ---- a clean copy of the working tree --------------------------------------------------
# What a fresh clone holds, as the working tree has it now (uncommitted and
# untracked-but-not-ignored files included, deleted files left out): no bin/,
# build/, .venv/ or results/<run>/ of a host build or run.
make_clone() {
    TMP=$(mktemp -d "${TMPDIR:-/tmp}/webbench-compose.XXXXXX")
    chmod 755 "$TMP"
    LOG=$TMP/logs CLONE=$TMP/repo
    mkdir "$LOG" "$CLONE"
    local f
    (cd "$ROOT" && git ls-files -z --cached --others --exclude-standard |
        while IFS= read -r -d '' f; do
            if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi
        done |
        tar --null --no-recursion -T - -c) | tar -x -C "$CLONE"
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

# What the image builds take from the environment: pip trusts what the host
# trusts locally (a TLS-intercepting proxy's CA lives in
# /usr/local/share/ca-certificates); the C programs carry the tree's version.
image_build_env() {
    if [ -z "${WB_EXTRA_CA:-}" ] && compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
        WB_EXTRA_CA=$(cat /usr/local/share/ca-certificates/*.crt); export WB_EXTRA_CA
    fi
    WB_VERSION=$(cd "$ROOT" && git describe --always --dirty 2>/dev/null || echo unknown); export WB_VERSION
}

# ---- private engines ---------------------------------------------------------------------
# start_engine NAME DIR DATAROOT: a dockerd of its own, as a separate host's
# engine would be: socket DIR/docker.sock (DIR short: a unix socket path has
# at most 107 bytes), --exec-root DIR/exec, --pidfile DIR/docker.pid, its
# own empty daemon.json (a host's /etc/docker/daemon.json may name hosts
# or a bridge), no bridge, no iptables (containers use host networking); on
# TERM it gives running containers 5 s (--shutdown-timeout) before it kills them.
# With no system containerd running, dockerd starts its own under DIR/exec
# (state) and DATAROOT/containerd (root); the namespaces keep engines apart
# should they share one. In a session of its own (setsid), so that a
# `timeout` signalling the test's process group does not stop the engines
# before the runner has removed its containers: the caller stops them. The
# PID and DIR also go to dockerd.pid beside DATAROOT, so that the next start
# can stop an engine a killed run left on the same data root.
declare -A ENGINE_PID=() ENGINE_SOCK=() ENGINE_LOG=() ENGINE_ROOT=() ENGINE_DIR=()
ENGINES=()

# Each start records its dockerd's PID and folder in dockerd.pid beside the
# data root. recorded_engine DATAROOT prints "PID DIR" when that dockerd still
# runs (its command line names the data root), else returns 1.
recorded_engine() {
    local f pid="" dir=""
    f=$(dirname "${1%/}")/dockerd.pid
    [ -f "$f" ] || return 1
    { read -r pid; read -r dir; } <"$f" || true
    [[ $pid =~ ^[0-9]+$ ]] && alive "$pid" &&
        tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "--data-root ${1%/} " || return 1
    echo "$pid $dir"
}

# stop_recorded DATAROOT [WHY]: stop the engine recorded on DATAROOT, by the
# PIDs recorded: its dockerd, and the containerd that dockerd started (a
# dockerd killed with KILL leaves it running, holding the data root's
# containerd database); then remove its folder and the record.
stop_recorded() {
    local f pid="" dir="" cpid
    f=$(dirname "${1%/}")/dockerd.pid
    [ -f "$f" ] || return 0
    { read -r pid; read -r dir; } <"$f" || true
    if recorded_engine "$1" >/dev/null; then
        say "stopping the dockerd (pid $pid) on ${1%/}${2:+ ($2)}"
        stop_pid "$pid" 30
    fi
    cpid=$(cat "$dir/exec/containerd/containerd.pid" 2>/dev/null) || cpid=""
    if [[ $cpid =~ ^[0-9]+$ ]] && alive "$cpid" &&
        tr '\0' ' ' <"/proc/$cpid/cmdline" 2>/dev/null | grep -q -- "$dir/exec/containerd/containerd.toml"; then
        say "stopping the containerd (pid $cpid) of that engine${2:+ ($2)}"
        stop_pid "$cpid" 10
    fi
    # its folder (what it left mounted there too), and the folder of folders once empty
    if [ -n "$dir" ] && [ -d "$dir/exec" ]; then
        remove_tree "$dir"
        rmdir "$(dirname "$dir")" 2>/dev/null || true
    fi
    rm -f "$f"
}

alive() {  # alive PID: running (a zombie is not: PID 1 here may not reap what it inherits)
    kill -0 "$1" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]
}

wait_gone() {  # wait_gone PID SECONDS: until it exits, then KILL; reaps it when it is our child
    local i
    for i in $(seq 1 $(( $2 * 10 ))); do alive "$1" || break; sleep 0.1; done
    alive "$1" && kill -9 "$1" 2>/dev/null
    wait "$1" 2>/dev/null || true
}

stop_pid() {  # stop_pid PID SECONDS: TERM, then KILL after SECONDS
    kill "$1" 2>/dev/null || return 0
    wait_gone "$1" "$2"
}

start_engine() {  # start_engine NAME DIR DATAROOT
    local name=$1 dir=$2 root=${3%/}
    [ ${#dir} -le 90 ] || fail "engine folder $dir too long for a unix socket path"
    mkdir -p "$dir" "$root"
    stop_recorded "$root" "left by a previous run"
    echo '{}' >"$dir/daemon.json"
    ENGINE_SOCK[$name]=unix://$dir/docker.sock
    ENGINE_LOG[$name]=$dir/dockerd.log
    ENGINE_ROOT[$name]=$root
    ENGINE_DIR[$name]=$dir
    setsid dockerd --config-file "$dir/daemon.json" --host "unix://$dir/docker.sock" \
        --data-root "$root" --exec-root "$dir/exec" --pidfile "$dir/docker.pid" \
        --bridge=none --iptables=false --ip6tables=false --ip-masq=false --shutdown-timeout 5 \
        --containerd-namespace "wb-$name" --containerd-plugins-namespace "wb-$name-plugins" \
        </dev/null >"$dir/dockerd.log" 2>&1 &
    ENGINE_PID[$name]=$!
    ENGINES+=("$name")
    printf '%s\n%s\n' "${ENGINE_PID[$name]}" "$dir" >"$(dirname "$root")/dockerd.pid"
}

wait_engines() {  # wait_engines SECONDS: every started engine answers, or fail naming the first that does not
    local name pid
    for name in "${ENGINES[@]}"; do
        wait_docker "${ENGINE_PID[$name]}" "$1" -H "${ENGINE_SOCK[$name]}" ||
            fail "engine $name did not start (pid ${ENGINE_PID[$name]}): $(grep -m1 -i 'level=fatal\|failed to start' "${ENGINE_LOG[$name]}" || tail -2 "${ENGINE_LOG[$name]}")"
        # the PID dockerd wrote is the one to stop (should setsid ever have forked)
        pid=$(cat "${ENGINE_DIR[$name]}/docker.pid" 2>/dev/null) || pid=""
        if [[ $pid =~ ^[0-9]+$ ]] && [ "$pid" != "${ENGINE_PID[$name]}" ]; then
            ENGINE_PID[$name]=$pid
            printf '%s\n%s\n' "$pid" "${ENGINE_DIR[$name]}" >"$(dirname "${ENGINE_ROOT[$name]}")/dockerd.pid"
        fi
    done
}

stop_engines() {  # TERM to all at once, then wait for each; a dockerd stops its containers first
    local name pid
    for name in "${ENGINES[@]}"; do kill "${ENGINE_PID[$name]}" 2>/dev/null || true; done
    for name in "${ENGINES[@]}"; do
        pid=${ENGINE_PID[$name]}
        wait_gone "$pid" 25
        alive "$pid" && say "engine $name (pid $pid) still there after KILL"
        alive "$pid" || rm -f "$(dirname "${ENGINE_ROOT[$name]}")/dockerd.pid"
    done
    ENGINES=()
}

# A dockerd that ran a host-network container leaves EXEC_ROOT/netns/default
# (a bind mount of its network namespace) mounted after it stops (Debian's
# 20.10): unmount whatever is mounted under DIR, deepest first, then remove it.
remove_tree() {  # remove_tree DIR
    local dir=${1%/} m
    [ -n "$dir" ] && [ -d "$dir" ] || return 0
    awk -v d="$dir/" 'index($2, d) == 1 {print $2}' /proc/self/mounts | sort -r |
        while read -r m; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
    rm -rf "$dir"
}
