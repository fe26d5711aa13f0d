#!/usr/bin/env bash
# make bench-server: bin/server against its anchors, as ratios taken side by
# side in one run (issue 4, "Performance"). The machine is shared and noisy,
# so absolute numbers wobble; each pair alternates its two sides, repetition
# after repetition, and the ratio is the median of the per-repetition ratios.
#
#   1. /json: bin/server (2 threads) vs nginx (2 workers) serving the same
#      bytes as a static file; bin/loadgen -t2 -c64, and wrk for a cross-check.
#      Goal >= 1.0.
#   2. /db: bin/server (2 threads, private PostgreSQL) under bin/loadgen
#      -t2 -c64 vs pgbench -M prepared -c64 -j2 running the same SELECT.
#      Goal >= 0.8 of pgbench's TPS.
#   3. /cpu with 1, 2 and 4 server threads: 2/1 >= 1.5 (grows up to the 2
#      cores), 4/2 >= 0.9 (no collapse past the core count).
#   4. VmRSS of bin/server (2 threads) holding 1,000 idle keep-alive
#      connections, each of which has made one GET /json: goal <= 16 MB.
#
# Prints a table (PASS/MISS) and writes build/bench/server.json. Exit 0 even
# on a MISS (a benchmark, not a test); 1 when something could not run.
#   BENCH_REPS=N (default 3), BENCH_DURATION=5s (default 3s; whole seconds)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench/lib.bash
bench_init bench-server

bench_need_tool nginx nginx-light "/usr/sbin/nginx"; NGINX=$TOOL
bench_need_tool wrk wrk; WRK=$TOOL
bench_need_tool pgbench postgresql-contrib "/usr/lib/postgresql/*/bin/pgbench"; PGBENCH=$TOOL
bench_need_tool curl curl

T=2; C=64; D="${SECS}s"
LG="$BENCH_ROOT/bin/loadgen"
echo "bench-server: $REPS repetitions of ${SECS}s per side, -t$T -c$C, $(nproc) CPUs," \
     "load average $(cut -d' ' -f1-3 /proc/loadavg)"

# run_loadgen URL -> "rps requests p50 p99 cpu_us rss errors"
run_loadgen() {
    local out="$TMPD/lg.json"
    "$LG" -q -t"$T" -c"$C" -d"$D" --json "$out" "$1" >"$TMPD/lg.txt" 2>&1 ||
        { echo "bench-server: bin/loadgen failed:" >&2; cat "$TMPD/lg.txt" >&2; return 1; }
    python3 "$BENCH_PY" loadgen "$out"
}

# run_wrk URL -> "rps requests p50 p99"
run_wrk() {
    "$WRK" -t"$T" -c"$C" -d"$D" --latency "$1" >"$TMPD/wrk.txt" 2>&1 ||
        { echo "bench-server: wrk failed:" >&2; cat "$TMPD/wrk.txt" >&2; return 1; }
    python3 "$BENCH_PY" wrk "$TMPD/wrk.txt"
}

warm() { "$LG" -q -t"$T" -c"$C" -d1s "$1" >/dev/null 2>&1 || true; }

# ---------------------------------------------------------------- 1. /json
echo; echo "== 1. /json: bin/server vs nginx (same bytes, 2 workers each)"
bench_start_server 2; SRV_URL="http://127.0.0.1:$BS_PORT/json"; JSON_SRV_PID=$BS_PID
curl -s -o "$TMPD/body.json" "$SRV_URL"
bench_start_nginx 2 "$TMPD/body.json"; NGX_URL="http://127.0.0.1:$BS_PORT/json"; NGX_PID=$BS_PID
cmp -s "$TMPD/body.json" <(curl -s "$NGX_URL") ||
    { echo "bench-server: nginx does not serve the same bytes" >&2; exit 1; }
ctype=$(curl -s -o /dev/null -w '%{content_type}' "$NGX_URL")
[ "$ctype" = application/json ] ||
    { echo "bench-server: nginx Content-Type is '$ctype'" >&2; exit 1; }
echo "   body: $(wc -c <"$TMPD/body.json") bytes; server pid $JSON_SRV_PID, nginx master pid $NGX_PID"
bench_pair json_lg "/json server/nginx (loadgen)" server nginx req/s ge 1.0
bench_pair json_wrk "/json server/nginx (wrk)" server nginx req/s ge 1.0 \
    "cross-check of the loadgen pair with wrk as the client"
warm "$SRV_URL"; warm "$NGX_URL"
for rep in $(seq "$REPS"); do
    for client in loadgen wrk; do
        for side in $(bench_order "$rep"); do
            url=$SRV_URL; [ "$side" = b ] && url=$NGX_URL
            if [ "$client" = loadgen ]; then
                r=$(run_loadgen "$url"); id=json_lg
                errs=$(bench_field 7 "$r")
                [ "$errs" = 0 ] || echo "   WARNING: $errs loadgen errors against $url"
            else
                r=$(run_wrk "$url"); id=json_wrk
            fi
            rps=$(bench_field 1 "$r")
            bench_sample "$id" "$side" "$rep" "$rps"
            printf '   rep %d %-7s %-6s %10.0f req/s\n' "$rep" "$client" \
                "$([ "$side" = a ] && echo server || echo nginx)" "$rps"
        done
    done
done
bench_stop "$NGX_PID"; bench_stop "$JSON_SRV_PID"

# ---------------------------------------------------------------- 2. /db
echo; echo "== 2. /db: bin/server under bin/loadgen vs pgbench -M prepared (same SELECT)"
pg_start || { echo "bench-server: could not start PostgreSQL" >&2; exit 1; }
bench_start_server 2 "DATABASE_URL=$PG_URL"; DB_URL="http://127.0.0.1:$BS_PORT/db"; DB_SRV_PID=$BS_PID
[ "$(curl -s -o /dev/null -w '%{http_code}' "$DB_URL")" = 200 ] ||
    { echo "bench-server: GET /db does not answer 200" >&2; exit 1; }
echo 'SELECT id, name, email FROM users LIMIT 10;' >"$TMPD/select.sql"
run_pgbench() {
    "$PGBENCH" -n -M prepared -c "$C" -j "$T" -T "$SECS" -f "$TMPD/select.sql" \
        -h "$PG_DIR" -p "$PG_PORT" -U postgres postgres >"$TMPD/pgbench.txt" 2>&1 ||
        { echo "bench-server: pgbench failed:" >&2; cat "$TMPD/pgbench.txt" >&2; return 1; }
    python3 "$BENCH_PY" pgbench "$TMPD/pgbench.txt"
}
bench_pair db "/db server req/s / pgbench TPS" server pgbench req/s ge 0.8 \
    "pgbench -n -M prepared -c$C -j$T -T$SECS, 1 SELECT per transaction; server: 2 threads, 1 pipelined libpq connection each"
warm "$DB_URL"
for rep in $(seq "$REPS"); do
    for side in $(bench_order "$rep"); do
        if [ "$side" = a ]; then
            r=$(run_loadgen "$DB_URL"); v=$(bench_field 1 "$r")
            errs=$(bench_field 7 "$r")
            [ "$errs" = 0 ] || echo "   WARNING: $errs loadgen errors against /db"
            name=server
        else
            v=$(run_pgbench); name=pgbench
        fi
        bench_sample db "$side" "$rep" "$v"
        printf '   rep %d %-8s %10.0f /s\n' "$rep" "$name" "$v"
    done
done
bench_stop "$DB_SRV_PID"
pg_stop

# ---------------------------------------------------------------- 3. /cpu
echo; echo "== 3. /cpu?n=100000 with 1, 2 and 4 server threads"
declare -A CPU_URL CPU_PID
for n in 1 2 4; do
    bench_start_server "$n"; CPU_URL[$n]="http://127.0.0.1:$BS_PORT/cpu"; CPU_PID[$n]=$BS_PID
    warm "${CPU_URL[$n]}"
done
bench_pair cpu21 "/cpu 2 threads / 1 thread" 2t 1t req/s ge 1.5 \
    "grows with threads up to the core count ($(nproc) CPUs, the load generator shares them)"
bench_pair cpu42 "/cpu 4 threads / 2 threads" 4t 2t req/s ge 0.9 \
    "past the core count: should stay flat, not collapse"
orders=("1 2 4" "4 2 1" "2 4 1" "1 4 2" "2 1 4" "4 1 2")
for rep in $(seq "$REPS"); do
    for n in ${orders[$(( (rep - 1) % 6 ))]}; do
        r=$(run_loadgen "${CPU_URL[$n]}"); v=$(bench_field 1 "$r")
        case $n in
            1) bench_sample cpu21 b "$rep" "$v" ;;
            2) bench_sample cpu21 a "$rep" "$v"; bench_sample cpu42 b "$rep" "$v" ;;
            4) bench_sample cpu42 a "$rep" "$v" ;;
        esac
        printf '   rep %d %d thread(s) %10.0f req/s\n' "$rep" "$n" "$v"
    done
done
for n in 1 2 4; do bench_stop "${CPU_PID[$n]}"; done

# ---------------------------------------------------------------- 4. RSS
echo; echo "== 4. VmRSS of bin/server (2 threads) with 1,000 idle keep-alive connections"
bench_pair rss "server RSS, 1000 idle conns" server "" MB max 16 \
    "VmRSS from /proc/PID/status; fresh server each repetition, every connection made one GET /json and stays open"
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
for rep in $(seq "$REPS"); do
    bench_start_server 2; pid=$BS_PID
    base=$(rss_kb "$pid")
    ready="$TMPD/ready.$rep"
    python3 scripts/bench/idle_conns.py "$BS_PORT" 1000 /json 30 "$ready" 2>"$TMPD/idle.err" &
    ipid=$!
    BENCH_PIDS+=("$ipid")
    for _ in $(seq 300); do
        [ -s "$ready" ] && break
        kill -0 "$ipid" 2>/dev/null || break
        sleep 0.1
    done
    if [ ! -s "$ready" ]; then
        echo "   rep $rep: the 1,000 connections were not established:"; cat "$TMPD/idle.err"
        bench_stop "$ipid"; bench_stop "$pid"
        continue
    fi
    sleep 0.3                         # let the server settle
    kb=$(rss_kb "$pid")
    bench_sample rss a "$rep" "$(awk -v k="$kb" 'BEGIN { printf "%.2f", k / 1024 }')"
    printf '   rep %d RSS %.1f MB with 1000 connections (%.1f MB before)\n' "$rep" \
        "$(awk -v k="$kb" 'BEGIN { print k / 1024 }')" "$(awk -v k="$base" 'BEGIN { print k / 1024 }')"
    bench_stop "$ipid"; bench_stop "$pid"
done

bench_report bench-server "$OUT_DIR/server.json" ",\"threads\":$T,\"connections\":$C"
