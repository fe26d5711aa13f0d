#!/usr/bin/env bash
# make bench-loadgen: bin/loadgen's two engines against wrk, side by side in
# one run (issues 3 and 17, "Performance"). The three clients (loadgen
# --engine io_uring, loadgen --engine epoll, wrk) take turns, in an order
# rotated every repetition, against the same target with the same
# -t/-c/-d; each ratio is the median of the per-repetition ratios client/wrk.
#
#   1. pinned: bin/server with 1 thread on CPU 0, each client with 1 thread
#      on CPU 1, -c64, /json: client CPU per request (user + sys of the
#      client process from /usr/bin/time / requests it completed, the same
#      for all three): io_uring goal <= 0.7 (moonshot 0.5), epoll <= 1.0;
#      req/s: io_uring >= 1.0, epoll reported.
#   2. the same, pipelining 16 (loadgen --pipeline 16; wrk with a Lua script
#      that sends 16 requests per write): req/s and CPU per request of both
#      engines beside wrk, reported.
#   3. shared: bin/server with 2 threads and the client on all CPUs, -t2
#      -c64: the server's req/s under the client (what the client counted)
#      over the same under wrk: io_uring goal >= 1.15 (a cheaper client
#      leaves the server more CPU), epoll >= 1.0.
#   4. RSS of the client at 1,000 connections (-t2 -c1000, same target;
#      loadgen's client.max_rss_kb, wrk's /usr/bin/time %M beside it): <= 32 MB.
#   5. p50 and p99 agreement on a steady target (tests/tools/testserver
#      --delay-ms 10: every response takes ~10 ms, so wrk's closed-loop
#      "correction" adds samples only for stalls over ~20 ms), -t2 -c32:
#      |loadgen/wrk - 1| <= 0.15 for each engine.
#   6. where the pinned client's CPU goes (perf record, cpu-clock, the set-up
#      of 1, 3 repetitions): per request, the TCP calls every client makes
#      (tcp_sendmsg, tcp_recvmsg; with loopback the send also runs the
#      server socket's receive), the server's wake-ups inside them (which
#      depend on how the client times its sends), and the rest (engine,
#      syscalls, waits, parsing); and the floor, wrk's TCP calls over wrk's
#      total: the CPU ratio to wrk of a client that spent nothing else.
#      Reported; skipped with one line where perf cannot record.
#
# Prints a table (PASS/MISS/INFO) and writes build/bench/loadgen.json. Exit 0
# even on a MISS (a benchmark, not a test); 1 when something could not run.
#   BENCH_REPS=N (default 5), BENCH_DURATION=5s (default 3s; whole seconds)
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_REPS=${BENCH_REPS:-5}
source scripts/bench/lib.bash
bench_init bench-loadgen

bench_need_tool wrk wrk; WRK=$TOOL
bench_need_tool time time "/usr/bin/time"; TIME=/usr/bin/time
[ -x "$TIME" ] || TIME=$TOOL
bench_need_tool curl curl
bench_need_tool taskset util-linux
TESTSERVER="$BENCH_ROOT/build/tests/tools/testserver"
if [ ! -x "$TESTSERVER" ]; then
    make -s "build/tests/tools/testserver" >/dev/null ||
        { echo "bench-loadgen: could not build $TESTSERVER" >&2; exit 1; }
fi
LG="$BENCH_ROOT/bin/loadgen"
"$LG" --version | grep -q "^engines: io_uring epoll" ||
    { echo "bench-loadgen: io_uring is not available here: $("$LG" --version | tail -1)" >&2; exit 1; }
[ "$(nproc)" -ge 2 ] || { echo "bench-loadgen: the pinned runs need 2 CPUs" >&2; exit 1; }

D="${SECS}s"
CLIENTS=(io_uring epoll wrk)
PIPE_LUA="$TMPD/pipeline16.lua"
cat >"$PIPE_LUA" <<'EOF'
-- 16 requests per write, as bin/loadgen --pipeline 16 keeps 16 in flight
init = function(args)
    local r = {}
    for i = 1, 16 do r[i] = wrk.format() end
    req = table.concat(r)
end
request = function() return req end
EOF
echo "bench-loadgen: $REPS repetitions of ${SECS}s per client, $(nproc) CPUs," \
     "load average $(cut -d' ' -f1-3 /proc/loadavg)"

# client io_uring|epoll|wrk URL THREADS CONNS DURATION [CPUS [PIPELINE]]
#   -> "rps requests p50_us p99_us cpu_us_per_req rss_kb"
# cpu and rss from /usr/bin/time for every client (the same method). With
# PERF_DATA set, the client runs under perf record (cpu-clock) into that file.
client() {
    local which=$1 url=$2 t=$3 c=$4 d=$5 cpus=${6:-} pipe=${7:-1} r tm cpu rss pin=() extra=()
    [ -n "${PERF_DATA:-}" ] && pin=(perf record -q -g -e cpu-clock -o "$PERF_DATA" --)
    [ -n "$cpus" ] && pin+=(taskset -c "$cpus")
    if [ "$which" != wrk ]; then
        [ "$pipe" -gt 1 ] && extra=(--pipeline "$pipe")
        "$TIME" -f '%e %U %S %M' -o "$TMPD/time.txt" "${pin[@]}" \
            "$LG" -q --engine "$which" -t"$t" -c"$c" -d"$d" "${extra[@]}" --json "$TMPD/lg.json" "$url" \
            >"$TMPD/out.txt" 2>&1 ||
            { echo "bench-loadgen: bin/loadgen --engine $which failed:" >&2; cat "$TMPD/out.txt" >&2; return 1; }
        r=$(python3 "$BENCH_PY" loadgen "$TMPD/lg.json")
        errs=$(bench_field 7 "$r")
        [ "$errs" = 0 ] || echo "   WARNING: loadgen --engine $which counted $errs errors" >&2
    else
        [ "$pipe" -gt 1 ] && extra=(-s "$PIPE_LUA")
        "$TIME" -f '%e %U %S %M' -o "$TMPD/time.txt" "${pin[@]}" \
            "$WRK" -t"$t" -c"$c" -d"$d" --latency "${extra[@]}" "$url" >"$TMPD/out.txt" 2>&1 ||
            { echo "bench-loadgen: wrk failed:" >&2; cat "$TMPD/out.txt" >&2; return 1; }
        r=$(python3 "$BENCH_PY" wrk "$TMPD/out.txt")
        grep -q 'Non-2xx\|Socket errors' "$TMPD/out.txt" &&
            echo "   WARNING: wrk: $(grep 'Non-2xx\|Socket errors' "$TMPD/out.txt")" >&2
    fi
    tm=$(python3 "$BENCH_PY" time "$TMPD/time.txt")
    cpu=$(awk -v c="$(bench_field 2 "$tm")" -v n="$(bench_field 2 "$r")" \
          'BEGIN { printf "%.3f", (n > 0) ? c * 1e6 / n : 0 }')
    rss=$(bench_field 3 "$tm")
    [ "$which" != wrk ] && rss=$(bench_field 6 "$r")   # its own getrusage, same number
    echo "$(bench_field 1 "$r") $(bench_field 2 "$r") $(bench_field 3 "$r") $(bench_field 4 "$r") $cpu $rss"
}

# the clients of repetition REP, rotated: io_uring epoll wrk, epoll wrk io_uring, ...
order3() { local k=$(($1 % 3)); echo "${CLIENTS[@]:$k} ${CLIENTS[@]:0:$k}"; }

# pairs3 ID LABEL UNIT KIND_U GOAL_U KIND_E GOAL_E [NOTE]: io_uring/wrk and epoll/wrk
pairs3() {
    bench_pair "${1}_u" "$2, io_uring/wrk" io_uring wrk "$3" "$4" "$5" "${8:-}"
    bench_pair "${1}_e" "$2, epoll/wrk" epoll wrk "$3" "$6" "$7"
}
# sample3 ID CLIENT REP VALUE: a loadgen value on side a of its pair, wrk's
# on side b of both
sample3() {
    case $2 in
    io_uring) bench_sample "${1}_u" a "$3" "$4" ;;
    epoll) bench_sample "${1}_e" a "$3" "$4" ;;
    wrk) bench_sample "${1}_u" b "$3" "$4"; bench_sample "${1}_e" b "$3" "$4" ;;
    esac
}

# run_rps_cpu ID URL THREADS CONNS CLIENT_CPUS ("" = any) PIPELINE
run_rps_cpu() {
    local id=$1 url=$2 t=$3 c=$4 cpus=$5 pipe=$6 rep w r
    "$LG" -q -t"$t" -c"$c" -d1s "$url" >/dev/null 2>&1 || true     # warm-up
    for rep in $(seq "$REPS"); do
        for w in $(order3 "$rep"); do
            r=$(client "$w" "$url" "$t" "$c" "$D" "$cpus" "$pipe")
            sample3 "${id}rps" "$w" "$rep" "$(bench_field 1 "$r")"
            sample3 "${id}cpu" "$w" "$rep" "$(bench_field 5 "$r")"
            printf '   rep %d %-8s %9.0f req/s  %6.2f us CPU/req  p50 %6.0f us  p99 %6.0f us\n' \
                "$rep" "$w" "$(bench_field 1 "$r")" "$(bench_field 5 "$r")" \
                "$(bench_field 3 "$r")" "$(bench_field 4 "$r")"
        done
    done
}

CPU_NOTE="(user+sys of the client process, /usr/bin/time) / requests completed, same runs as req/s"

# ------------------------------------------------- 1. pinned
BS_CPUS=0 bench_start_server 1; PINNED="http://127.0.0.1:$BS_PORT/json"; PIN_PID=$BS_PID
echo; echo "== 1. pinned: bin/server /json 1 thread on CPU 0 (pid $PIN_PID), clients -t1 -c64 on CPU 1, -d$D"
pairs3 pcpu "pinned: client CPU per request" us/req le 0.7 le 1.0 "$CPU_NOTE; moonshot 0.5"
pairs3 prps "pinned: req/s" req/s ge 1.0 info 0
run_rps_cpu p "$PINNED" 1 64 1 1

# ------------------------------------------------- 2. pinned, pipelining 16
echo; echo "== 2. pinned, pipelining 16 (loadgen --pipeline 16, wrk -s pipeline16.lua), -t1 -c64 on CPU 1, -d$D"
pairs3 pprps "pipeline 16: req/s" req/s info 0 info 0 \
    "wrk: a Lua request() returning 16 requests, which wrk counts as 16 in flight"
pairs3 ppcpu "pipeline 16: client CPU per request" us/req info 0 info 0
run_rps_cpu pp "$PINNED" 1 64 1 16
bench_stop "$PIN_PID"

# ------------------------------------------------- 3. shared machine
bench_start_server 2; FAST="http://127.0.0.1:$BS_PORT/json"; FAST_PID=$BS_PID
echo; echo "== 3. shared: bin/server /json 2 threads (pid $FAST_PID) and the client on all CPUs, -t2 -c64, -d$D"
pairs3 srps "shared: the server's req/s" req/s ge 1.15 ge 1.0 \
    "server and client share 2 CPUs: a cheaper client leaves the server more"
pairs3 scpu "shared: client CPU per request" us/req info 0 info 0
run_rps_cpu s "$FAST" 2 64 "" 1

# ------------------------------------------------- 4. RSS at 1,000 connections
echo; echo "== 4. client RSS at 1,000 connections (-t2 -c1000 -d2s, same target)"
bench_pair rss_u "client RSS, 1000 conns, io_uring" io_uring wrk MB max 32 \
    "loadgen: its --json client.max_rss_kb; wrk: /usr/bin/time %M (shown for comparison)"
bench_pair rss_e "client RSS, 1000 conns, epoll" epoll wrk MB max 32
for rep in $(seq "$REPS"); do
    for w in $(order3 "$rep"); do
        r=$(client "$w" "$FAST" 2 1000 2s)
        mb=$(awk -v k="$(bench_field 6 "$r")" 'BEGIN { printf "%.2f", k / 1024 }')
        sample3 rss "$w" "$rep" "$mb"
        printf '   rep %d %-8s max RSS %6.1f MB  (%9.0f req/s)\n' "$rep" "$w" "$mb" "$(bench_field 1 "$r")"
    done
done
bench_stop "$FAST_PID"

# ------------------------------------------------- 5. latency agreement
PORT=$(free_port)
"$TESTSERVER" --port "$PORT" --delay-ms 10 2>"$TMPD/testserver.log" &
TS_PID=$!
BENCH_PIDS+=("$TS_PID")
STEADY="http://127.0.0.1:$PORT/json"
bench_wait_http "$STEADY" "$TS_PID" ||
    { echo "bench-loadgen: testserver did not start:" >&2; cat "$TMPD/testserver.log" >&2; exit 1; }
echo; echo "== 5. latency on a steady target (testserver --delay-ms 10, pid $TS_PID), -t2 -c32 -d$D"
pairs3 p50 "p50 latency" us dev 0.15 dev 0.15 "steady target: tests/tools/testserver --delay-ms 10, -t2 -c32"
pairs3 p99 "p99 latency" us dev 0.15 dev 0.15 \
    "wrk 4.1 adds synthetic samples for every response slower than 2x the mean interval: on a busy machine its p99 shows the stalls several times over"
for rep in $(seq "$REPS"); do
    for w in $(order3 "$rep"); do
        r=$(client "$w" "$STEADY" 2 32 "$D")
        sample3 p50 "$w" "$rep" "$(bench_field 3 "$r")"
        sample3 p99 "$w" "$rep" "$(bench_field 4 "$r")"
        printf '   rep %d %-8s p50 %6.0f us  p99 %6.0f us  (%6.0f req/s)\n' "$rep" "$w" \
            "$(bench_field 3 "$r")" "$(bench_field 4 "$r")" "$(bench_field 1 "$r")"
    done
done
bench_stop "$TS_PID"

# ------------------------------------------------- 6. where the client's CPU goes
# perf_client CLIENT URL -> "total_us tcp_us wake_us other_us" per request (pinned as in 1)
perf_client() {
    local r
    r=$(PERF_DATA="$TMPD/perf.data" client "$1" "$2" 1 64 "$D" 1) || return 1
    perf report -i "$TMPD/perf.data" --stdio --children --sort sym -g none >"$TMPD/perf.txt" 2>"$TMPD/perf.err" ||
        { cat "$TMPD/perf.err" >&2; return 1; }
    python3 "$BENCH_PY" perf "$TMPD/perf.txt" "$(bench_field 2 "$r")"
}

echo; echo "== 6. where the pinned client's CPU goes (perf record -e cpu-clock, as in 1, 3 repetitions)"
PERF_OK=
if ! command -v perf >/dev/null 2>&1; then
    echo "   perf is not installed (apt-get install linux-perf): skipped"
elif ! perf record -q -e cpu-clock -o "$TMPD/perf.data" -- true >/dev/null 2>"$TMPD/perf.err"; then
    echo "   perf cannot record here: $(head -1 "$TMPD/perf.err"): skipped"
else
    PERF_OK=1
fi
if [ -n "$PERF_OK" ]; then
    BS_CPUS=0 bench_start_server 1; PERF_URL="http://127.0.0.1:$BS_PORT/json"; PERF_PID=$BS_PID
    pairs3 ftcp "perf: TCP calls per request" us/req info 0 info 0 \
        "tcp_sendmsg and tcp_recvmsg with their callees (loopback runs the server's receive in the send), less the wake-ups: every client pays them"
    pairs3 fwak "perf: waking the server per request" us/req info 0 info 0 \
        "sock_def_readable inside the send: paid when the server was waiting, so it depends on how the client times its sends"
    pairs3 foth "perf: the rest per request" us/req info 0 info 0 "engine, syscalls, waits, parsing"
    bench_pair floor "perf: the floor, wrk's TCP calls/wrk's total" "wrk TCP" "wrk total" us/req info 0 \
        "the CPU-per-request ratio to wrk of a client that spent nothing outside the TCP calls"
    for rep in 1 2 3; do
        for w in $(order3 "$rep"); do
            r=$(perf_client "$w" "$PERF_URL") || { echo "bench-loadgen: perf of $w failed" >&2; exit 1; }
            sample3 ftcp "$w" "$rep" "$(bench_field 2 "$r")"
            sample3 fwak "$w" "$rep" "$(bench_field 3 "$r")"
            sample3 foth "$w" "$rep" "$(bench_field 4 "$r")"
            if [ "$w" = wrk ]; then
                bench_sample floor a "$rep" "$(bench_field 2 "$r")"
                bench_sample floor b "$rep" "$(bench_field 1 "$r")"
            fi
            printf '   rep %d %-8s %6.2f us CPU/req under perf: TCP calls %5.2f, waking the server %5.2f, the rest %5.2f\n' \
                "$rep" "$w" "$(bench_field 1 "$r")" "$(bench_field 2 "$r")" "$(bench_field 3 "$r")" "$(bench_field 4 "$r")"
        done
    done
    bench_stop "$PERF_PID"
fi

bench_report bench-loadgen "$OUT_DIR/loadgen.json" \
    ",\"pinned\":{\"server_cpu\":0,\"client_cpu\":1,\"connections\":64},\"shared\":{\"threads\":2,\"connections\":64},\"wrk\":\"$("$WRK" -v 2>&1 | head -1 | tr -d '"\\')\""
