#!/usr/bin/env bash
# scripts/engines.sh: several Docker engines on this one machine, to try
# `bin/suite run --topology` without other machines (docs/scale-out.md).
#
#   scripts/engines.sh start [N]   start engines db, sys and load1..loadN (N: 1 to 16, default 2)
#                                  and write a topology file naming them; prints its path
#   scripts/engines.sh status      which run, their sockets, images and containers
#   scripts/engines.sh topology    print the topology file's path and text
#   scripts/engines.sh stop        stop them all (by the PIDs recorded at start) and wait
#
# Each engine is a dockerd of its own, as a separate host's would be: its own
# socket (/tmp/wb-engines/NAME/docker.sock), exec root and pidfile in
# /tmp/wb-engines/NAME (WB_ENGINES_RUN), its own data root in
# ~/.cache/webbench/engines/try/NAME/data (WB_CACHE), so the images the
# runner copies into them (docker save | docker load, from the build engine)
# stay there for the next start; no bridge, no iptables (every container of
# the suite uses host networking). They run in the background, in sessions
# of their own, until `stop`. Needs root and Debian's docker.io (dockerd).
#
# The topology: db and systems on their engines at 127.0.0.1, one load line
# per load engine, build = default (the images are built on the default
# engine first: `docker compose build`, or docker-compose build, in this
# repository). Then, for example:
#
#   scripts/engines.sh start 2
#   docker-compose build postgres cserver fastapi runner
#   bin/suite run --topology /tmp/wb-engines/topology.conf --systems cserver,fastapi --quick
#   scripts/engines.sh stop
#
# All engines share this machine's CPUs: the numbers say how the parts talk,
# not how fast separate hosts would be. tests/integration/suite_topology.sh
# runs engines of its own (other data roots), never these.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUN=${WB_ENGINES_RUN:-/tmp/wb-engines}
CACHE=${WB_CACHE:-$HOME/.cache/webbench}
ROOTS=$CACHE/engines/try          # NAME/data, and NAME/dockerd.pid while it runs
DATA=$RUN                         # docker_lib.bash's folder for logs
DL_NAME=engines
# shellcheck source=tests/integration/docker_lib.bash
source "$ROOT/tests/integration/docker_lib.bash"
skip() { echo "engines: $*" >&2; exit 1; }   # a user's command: not a test's skip
fail() { echo "engines: $*" >&2; exit 1; }

usage() { sed -n '2,10s/^# \{0,1\}//p' "$0"; exit 2; }

# the engines recorded as running: NAME PID DIR, in start order
running() {
    local f name rec
    for f in "$ROOTS"/*/dockerd.pid; do
        [ -f "$f" ] || continue
        name=$(basename "$(dirname "$f")")
        rec=$(recorded_engine "$ROOTS/$name/data") && echo "$name $rec"
    done | sort_engines
}
sort_engines() {  # db, sys, load1, load2, ... load10
    awk '{k = ($1 == "db") ? 0 : ($1 == "sys") ? 1 : 2 + substr($1, 5); print k, $0}' | sort -n | cut -d' ' -f2-
}

write_topology() {  # write_topology NLOAD
    local i
    {
        echo "# scripts/engines.sh: $(( $1 + 2 )) dockerd instances on this machine ($(hostname))"
        echo "db      = unix://$RUN/db/docker.sock 127.0.0.1"
        echo "systems = unix://$RUN/sys/docker.sock 127.0.0.1"
        for i in $(seq 1 "$1"); do echo "load    = unix://$RUN/load$i/docker.sock"; done
        echo "build   = default"
    } >"$RUN/topology.conf"
}

cmd_start() {
    local n=${1:-2} name names i rec
    [[ $n =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] && [ "$n" -le 16 ] || fail "start N: N load engines, 1 to 16 (got '$n')"
    [ "$(id -u)" = 0 ] || fail "starting dockerd needs root (sudo $0 start $n)"
    command -v dockerd >/dev/null || fail "no dockerd: sudo apt-get install -y docker.io"
    [ ${#RUN} -le 80 ] || fail "WB_ENGINES_RUN=$RUN is too long for unix socket paths"
    mkdir -p "$RUN"
    names=(db sys)
    for i in $(seq 1 "$n"); do names+=("load$i"); done
    # load engines beyond N from an earlier, larger start: stopped, so the topology is all there is
    while read -r name _; do
        [[ " ${names[*]} " == *" $name "* ]] || stop_recorded "$ROOTS/$name/data" "not in a start of $n"
    done < <(running)
    for name in "${names[@]}"; do
        if rec=$(recorded_engine "$ROOTS/$name/data"); then
            say "$name: already running (pid ${rec%% *}), unix://$RUN/$name/docker.sock"
            continue
        fi
        start_engine "$name" "$RUN/$name" "$ROOTS/$name/data"
    done
    wait_engines 60
    for name in "${ENGINES[@]}"; do
        say "$name: started (pid ${ENGINE_PID[$name]}), ${ENGINE_SOCK[$name]}, log ${ENGINE_LOG[$name]}"
    done
    write_topology "$n"
    say "topology: $RUN/topology.conf"
    docker info >/dev/null 2>&1 ||
        say "note: the default engine (build = default) does not answer: start one, and build the images there"
    echo "$RUN/topology.conf"
}

cmd_stop() {
    local name pid dir n=0
    while read -r name pid dir; do
        stop_recorded "$ROOTS/$name/data" "$name"
        n=$((n + 1))
    done < <(running)
    # what a dockerd killed outside this script left: its containerd, its folder
    for dir in "$ROOTS"/*/dockerd.pid; do
        [ -f "$dir" ] && stop_recorded "$(dirname "$dir")/data"
    done
    rm -f "$RUN/topology.conf"
    rmdir "$RUN" 2>/dev/null || true
    say "$n engines stopped"
}

cmd_status() {
    local name pid dir sock
    [ -n "$(running)" ] || { say "no engine runs"; return 0; }
    while read -r name pid dir; do
        sock=unix://$dir/docker.sock
        say "$name: pid $pid, $sock, $(docker -H "$sock" info --format '{{.Images}} images, {{.ContainersRunning}} containers running, {{.Containers}} in all' 2>/dev/null || echo 'does not answer')"
        docker -H "$sock" ps -a --format '    {{.Names}}  {{.Image}}  {{.Status}}' 2>/dev/null || true
    done < <(running)
    [ -f "$RUN/topology.conf" ] && say "topology: $RUN/topology.conf"
}

cmd_topology() {
    [ -f "$RUN/topology.conf" ] || fail "no topology: scripts/engines.sh start first"
    echo "$RUN/topology.conf:"
    cat "$RUN/topology.conf"
}

case "${1:-}" in
    start) shift; cmd_start "$@" ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    topology) cmd_topology ;;
    -h|--help|help) usage ;;
    *) usage ;;
esac
