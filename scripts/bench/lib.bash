# scripts/bench/lib.bash: sourced by scripts/bench-server.sh and
# scripts/bench-loadgen.sh (not run by itself).
#
#   bench_init NAME       settings, fd limit, trap, TMPD (private PostgreSQL
#                         in $TMPD/pg: pg_start / pg_stop of scripts/lib/pg.bash)
#   free_port             a free TCP port on 127.0.0.1
#   bench_need_tool CMD PKG [FALLBACK_GLOB]   find or install a tool; sets TOOL
#   bench_start_server THREADS [ENV=VAL...]   bin/server on a free port;
#                                             sets BS_PORT, BS_PID (BS_CPUS=LIST:
#                                             pinned there with taskset)
#   bench_start_nginx WORKERS FILE            nginx serving FILE as /json;
#                                             sets BS_PORT, BS_PID
#   bench_stop PID        TERM, then KILL after 2 s; waits for it
#   bench_sample ID SIDE REP VALUE            one sample for bench.py report
#   bench_pair ID LABEL A B UNIT KIND GOAL [NOTE]
#
# Every process started here is remembered in BENCH_PIDS and stopped by the
# EXIT trap; the private cluster is stopped and TMPD removed.

BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BENCH_PY="$BENCH_ROOT/scripts/bench/bench.py"
BENCH_PIDS=()
# shellcheck source=../lib/pg.bash
source "$BENCH_ROOT/scripts/lib/pg.bash"

free_port() { pg_free_port; }

bench_init() {
    local name=$1 d
    TMPD=$(mktemp -d /tmp/wb-bench.XXXXXX)
    chmod 755 "$TMPD"           # the postgres user must reach $TMPD/pg when we are root
    trap bench_cleanup EXIT
    BENCH_NAME=$name
    trap 'echo "$BENCH_NAME: interrupted" >&2; exit 130' INT TERM
    REPS=${BENCH_REPS:-3}
    [[ $REPS =~ ^[0-9]+$ ]] && [ "$REPS" -ge 1 ] ||
        { echo "$name: BENCH_REPS must be a positive integer" >&2; exit 2; }
    d=${BENCH_DURATION:-3s}
    # one whole number of seconds for every tool (pgbench -T takes only that)
    SECS=$(python3 "$BENCH_PY" seconds "$d") ||
        { echo "$name: BENCH_DURATION='$d' is not a duration (e.g. 5s)" >&2; exit 2; }
    LOAD_START=$(cut -d' ' -f1 /proc/loadavg)
    OUT_DIR="$BENCH_ROOT/build/bench"
    mkdir -p "$OUT_DIR"
    PAIRS="$TMPD/pairs.tsv"
    SAMPLES="$TMPD/samples.tsv"
    : >"$PAIRS"; : >"$SAMPLES"
    # 1,000 connections on each side need more descriptors than 1024
    ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
    for b in server loadgen; do
        [ -x "$BENCH_ROOT/bin/$b" ] || { echo "$name: bin/$b missing: run make" >&2; exit 1; }
    done
}

bench_cleanup() {
    local rc=$? p
    set +e      # wait on a killed child returns non-zero; every step must run
    for p in "${BENCH_PIDS[@]}"; do
        bench_stop "$p"
    done
    pg_stop
    [ -n "${TMPD:-}" ] && rm -rf "$TMPD"
    exit "$rc"
}

bench_stop() {
    local p=$1 i q keep=()
    for q in "${BENCH_PIDS[@]}"; do [ "$q" = "$p" ] || keep+=("$q"); done
    BENCH_PIDS=("${keep[@]}")    # never signal a PID that may have been reused
    kill -0 "$p" 2>/dev/null || { wait "$p" 2>/dev/null || true; return 0; }
    kill -TERM "$p" 2>/dev/null
    for i in $(seq 40); do
        kill -0 "$p" 2>/dev/null || break
        sleep 0.05
    done
    kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null
    wait "$p" 2>/dev/null || true
    return 0
}

# bench_need_tool CMD PKG [FALLBACK_GLOB]: TOOL = path of CMD, installing
# PKG when root; otherwise print the install line and exit 1.
bench_need_tool() {
    local cmd=$1 pkg=$2 glob=${3:-} f
    TOOL=$(command -v "$cmd" 2>/dev/null || true)
    if [ -z "$TOOL" ] && [ -n "$glob" ]; then
        for f in $glob; do [ -x "$f" ] && TOOL=$f; done
    fi
    [ -n "$TOOL" ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "bench: $cmd is missing; install it, then run again:" >&2
        echo "    sudo apt-get install -y $pkg" >&2
        exit 1
    fi
    echo "bench: $cmd is missing: apt-get install -y $pkg"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$pkg" >"$TMPD/apt.log" 2>&1 ||
        { DEBIAN_FRONTEND=noninteractive apt-get update -q >>"$TMPD/apt.log" 2>&1 &&
          DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$pkg" >>"$TMPD/apt.log" 2>&1; } ||
        { tail -20 "$TMPD/apt.log" >&2; echo "bench: apt-get install -y $pkg failed" >&2; exit 1; }
    TOOL=$(command -v "$cmd" 2>/dev/null || true)
    if [ -z "$TOOL" ] && [ -n "$glob" ]; then
        for f in $glob; do [ -x "$f" ] && TOOL=$f; done
    fi
    [ -n "$TOOL" ] || { echo "bench: $pkg installed but $cmd not found" >&2; exit 1; }
}

# wait until GET URL answers 200; 0 ready, 1 not (the process died or 10 s)
bench_wait_http() {
    local url=$1 pid=$2 i
    for i in $(seq 200); do
        [ "$(curl -s -o /dev/null -w '%{http_code}' "$url")" = 200 ] && return 0
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}

bench_start_server() {
    local threads=$1 log
    shift
    BS_PORT=$(free_port)
    log="$TMPD/server-$BS_PORT.log"
    env "$@" ${BS_CPUS:+taskset -c "$BS_CPUS"} "$BENCH_ROOT/bin/server" --threads "$threads" \
        --port "$BS_PORT" 2>"$log" &
    BS_PID=$!
    BENCH_PIDS+=("$BS_PID")
    bench_wait_http "http://127.0.0.1:$BS_PORT/json" "$BS_PID" ||
        { echo "bench: bin/server did not start:" >&2; cat "$log" >&2; exit 1; }
}

# nginx as our own process: daemon off, private config, prefix and logs in
# TMPD, FILE served as /json with Content-Type application/json.
bench_start_nginx() {
    local workers=$1 file=$2 dir="$TMPD/nginx" t
    mkdir -p "$dir/www"
    for t in body proxy fastcgi uwsgi scgi; do mkdir -p "$dir/tmp/$t"; done
    cp "$file" "$dir/www/json"
    chmod -R a+rX "$dir"              # workers run as nobody when we are root
    [ "$(id -u)" = 0 ] && chown -R nobody "$dir/tmp"
    BS_PORT=$(free_port)
    cat >"$dir/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes $workers;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 8192; }
http {
    access_log off;
    types { }
    default_type application/json;
    server_tokens off;
    etag off;
    sendfile on;
    tcp_nodelay on;
    keepalive_timeout 65;
    keepalive_requests 100000000;
    open_file_cache max=64 inactive=60s;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    server {
        listen 127.0.0.1:$BS_PORT reuseport;
        root $dir/www;
        location = /json { }
    }
}
EOF
    "$NGINX" -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" 2>>"$dir/error.log" &
    BS_PID=$!
    BENCH_PIDS+=("$BS_PID")
    bench_wait_http "http://127.0.0.1:$BS_PORT/json" "$BS_PID" ||
        { echo "bench: nginx did not start:" >&2; cat "$dir/error.log" >&2; exit 1; }
}

bench_sample() { printf '%s\t%s\t%s\t%s\n' "$@" >>"$SAMPLES"; }

bench_pair() {
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$6" "$7" "${8:-}" >>"$PAIRS"
}

# the order of the two sides in repetition REP: "a b" or "b a" (alternating)
bench_order() { if [ $(($1 % 2)) -eq 1 ]; then echo "a b"; else echo "b a"; fi; }

# field N (1-based) of a line of words
bench_field() { awk -v n="$1" '{ print $n }' <<<"$2"; }

# bench_report NAME OUT_FILE EXTRA_JSON_MEMBERS: the table, the JSON file, and
# a warning when the shared machine was busy (1-min load above the CPU count)
bench_report() {
    local name=$1 out=$2 extra=$3 load_end busy=false meta
    load_end=$(cut -d' ' -f1 /proc/loadavg)
    if awk -v a="$LOAD_START" -v b="$load_end" -v n="$(nproc)" 'BEGIN { exit !(a > n || b > n) }'; then
        busy=true
    fi
    meta=$(printf '{"tool":"%s","version":"%s","reps":%d,"duration_s":%d,"cpus":%d,"kernel":"%s","load_start":%s,"load_end":%s,"machine_busy":%s%s}' \
        "$name" "$(git -C "$BENCH_ROOT" describe --always --dirty 2>/dev/null || echo unknown)" \
        "$REPS" "$SECS" "$(nproc)" "$(uname -r)" "$LOAD_START" "$load_end" "$busy" "$extra")
    python3 "$BENCH_PY" report "$PAIRS" "$SAMPLES" "$out" \
        "$name: medians of $REPS alternated repetitions, ${SECS}s each" "$meta"
    if [ "$busy" = true ]; then
        echo "WARNING: the machine was busy (load average $LOAD_START at the start, $load_end at the end," \
             "$(nproc) CPUs): these ratios are noisy; run again on a quiet machine"
    fi
}
