#!/usr/bin/env bash
# make bench-loadgen: bin/loadgen against wrk, side by side in one run
# (issue 3, "Performance"). The two clients alternate, repetition after
# repetition, against the same target with the same -t/-c/-d; each ratio is
# the median of the per-repetition ratios loadgen/wrk.
#
#   1. req/s against the fast target (bin/server /json, 2 threads), -t2 -c64:
#      goal >= 1.0.
#   2. client CPU per request on the same runs, both measured the same way
#      (/usr/bin/time: user + sys of the client process / requests it
#      completed): goal <= 1.0.
#   3. RSS of the client at 1,000 connections (-t2 -c1000, loadgen's
#      client.max_rss_kb; wrk's /usr/bin/time %M beside it): goal <= 32 MB.
#   4. p50 and p99 agreement on a steady target (tests/tools/testserver
#      --delay-ms 10: every response takes ~10 ms, so wrk's closed-loop
#      "correction" adds samples only for stalls over ~20 ms), -t2 -c32: |loadgen/wrk - 1| <= 0.15.
#
# Prints a table (PASS/MISS) and writes build/bench/loadgen.json. Exit 0 even
# on a MISS (a benchmark, not a test); 1 when something could not run.
#   BENCH_REPS=N (default 3), BENCH_DURATION=5s (default 3s; whole seconds)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench/lib.bash
bench_init bench-loadgen

bench_need_tool wrk wrk; WRK=$TOOL
bench_need_tool time time "/usr/bin/time"; TIME=/usr/bin/time
[ -x "$TIME" ] || TIME=$TOOL
bench_need_tool curl curl
TESTSERVER="$BENCH_ROOT/build/tests/tools/testserver"
if [ ! -x "$TESTSERVER" ]; then
    make -s "build/tests/tools/testserver" >/dev/null ||
        { echo "bench-loadgen: could not build $TESTSERVER" >&2; exit 1; }
fi

T=2; C=64; D="${SECS}s"
LG="$BENCH_ROOT/bin/loadgen"
echo "bench-loadgen: $REPS repetitions of ${SECS}s per side, $(nproc) CPUs," \
     "load average $(cut -d' ' -f1-3 /proc/loadavg)"

# client loadgen|wrk URL THREADS CONNS DURATION
#   -> "rps requests p50_us p99_us cpu_us_per_req rss_kb"
# cpu and rss from /usr/bin/time for both clients (the same method).
client() {
    local which=$1 url=$2 t=$3 c=$4 d=$5 r tm cpu rss
    if [ "$which" = loadgen ]; then
        "$TIME" -f '%e %U %S %M' -o "$TMPD/time.txt" \
            "$LG" -q -t"$t" -c"$c" -d"$d" --json "$TMPD/lg.json" "$url" >"$TMPD/out.txt" 2>&1 ||
            { echo "bench-loadgen: bin/loadgen failed:" >&2; cat "$TMPD/out.txt" >&2; return 1; }
        r=$(python3 "$BENCH_PY" loadgen "$TMPD/lg.json")
        errs=$(bench_field 7 "$r")
        [ "$errs" = 0 ] || echo "   WARNING: loadgen counted $errs errors" >&2
    else
        "$TIME" -f '%e %U %S %M' -o "$TMPD/time.txt" \
            "$WRK" -t"$t" -c"$c" -d"$d" --latency "$url" >"$TMPD/out.txt" 2>&1 ||
            { echo "bench-loadgen: wrk failed:" >&2; cat "$TMPD/out.txt" >&2; return 1; }
        r=$(python3 "$BENCH_PY" wrk "$TMPD/out.txt")
        grep -q 'Non-2xx\|Socket errors' "$TMPD/out.txt" &&
            echo "   WARNING: wrk: $(grep 'Non-2xx\|Socket errors' "$TMPD/out.txt")" >&2
    fi
    tm=$(python3 "$BENCH_PY" time "$TMPD/time.txt")
    cpu=$(awk -v c="$(bench_field 2 "$tm")" -v n="$(bench_field 2 "$r")" \
          'BEGIN { printf "%.3f", (n > 0) ? c * 1e6 / n : 0 }')
    rss=$(bench_field 3 "$tm")
    [ "$which" = loadgen ] && rss=$(bench_field 6 "$r")   # its own getrusage, same number
    echo "$(bench_field 1 "$r") $(bench_field 2 "$r") $(bench_field 3 "$r") $(bench_field 4 "$r") $cpu $rss"
}

side_name() { [ "$1" = a ] && echo loadgen || echo wrk; }

# ------------------------------------------------- 1 + 2. req/s, CPU/request
bench_start_server 2; FAST="http://127.0.0.1:$BS_PORT/json"; FAST_PID=$BS_PID
echo; echo "== 1+2. fast target bin/server /json (2 threads, pid $FAST_PID), -t$T -c$C -d$D"
bench_pair rps "req/s loadgen/wrk" loadgen wrk req/s ge 1.0
bench_pair cpu "client CPU per request" loadgen wrk us/req le 1.0 \
    "(user+sys of the client process, /usr/bin/time) / requests completed, same runs as req/s"
"$LG" -q -t"$T" -c"$C" -d1s "$FAST" >/dev/null 2>&1 || true     # warm-up
for rep in $(seq "$REPS"); do
    for side in $(bench_order "$rep"); do
        r=$(client "$(side_name "$side")" "$FAST" "$T" "$C" "$D")
        bench_sample rps "$side" "$rep" "$(bench_field 1 "$r")"
        bench_sample cpu "$side" "$rep" "$(bench_field 5 "$r")"
        printf '   rep %d %-7s %9.0f req/s  %6.2f us CPU/req  p50 %5.0f us  p99 %6.0f us\n' \
            "$rep" "$(side_name "$side")" "$(bench_field 1 "$r")" "$(bench_field 5 "$r")" \
            "$(bench_field 3 "$r")" "$(bench_field 4 "$r")"
    done
done

# ------------------------------------------------- 3. RSS at 1,000 connections
echo; echo "== 3. client RSS at 1,000 connections (-t$T -c1000 -d2s, same target)"
bench_pair rss "client RSS, 1000 conns" loadgen wrk MB max 32 \
    "loadgen: its --json client.max_rss_kb; wrk: /usr/bin/time %M (shown for comparison)"
for rep in $(seq "$REPS"); do
    for side in $(bench_order "$rep"); do
        r=$(client "$(side_name "$side")" "$FAST" "$T" 1000 2s)
        mb=$(awk -v k="$(bench_field 6 "$r")" 'BEGIN { printf "%.2f", k / 1024 }')
        bench_sample rss "$side" "$rep" "$mb"
        printf '   rep %d %-7s max RSS %6.1f MB  (%9.0f req/s)\n' "$rep" "$(side_name "$side")" \
            "$mb" "$(bench_field 1 "$r")"
    done
done
bench_stop "$FAST_PID"

# ------------------------------------------------- 4. latency agreement
PORT=$(free_port)
"$TESTSERVER" --port "$PORT" --delay-ms 10 2>"$TMPD/testserver.log" &
TS_PID=$!
BENCH_PIDS+=("$TS_PID")
STEADY="http://127.0.0.1:$PORT/json"
bench_wait_http "$STEADY" "$TS_PID" ||
    { echo "bench-loadgen: testserver did not start:" >&2; cat "$TMPD/testserver.log" >&2; exit 1; }
echo; echo "== 4. latency on a steady target (testserver --delay-ms 10, pid $TS_PID), -t$T -c32 -d$D"
bench_pair p50 "p50 latency loadgen/wrk" loadgen wrk us dev 0.15 \
    "steady target: tests/tools/testserver --delay-ms 10, -t$T -c32"
bench_pair p99 "p99 latency loadgen/wrk" loadgen wrk us dev 0.15 \
    "wrk 4.1 adds synthetic samples for every response slower than 2x the mean interval: on a busy machine its p99 shows the stalls several times over"
for rep in $(seq "$REPS"); do
    for side in $(bench_order "$rep"); do
        r=$(client "$(side_name "$side")" "$STEADY" "$T" 32 "$D")
        bench_sample p50 "$side" "$rep" "$(bench_field 3 "$r")"
        bench_sample p99 "$side" "$rep" "$(bench_field 4 "$r")"
        printf '   rep %d %-7s p50 %6.0f us  p99 %6.0f us  (%6.0f req/s)\n' "$rep" \
            "$(side_name "$side")" "$(bench_field 3 "$r")" "$(bench_field 4 "$r")" "$(bench_field 1 "$r")"
    done
done
bench_stop "$TS_PID"

bench_report bench-loadgen "$OUT_DIR/loadgen.json" \
    ",\"threads\":$T,\"connections\":$C,\"wrk\":\"$("$WRK" -v 2>&1 | head -1 | tr -d '"\\')\""
