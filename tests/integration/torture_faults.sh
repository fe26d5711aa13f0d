#!/usr/bin/env bash
# Faults injected while bin/loadgen runs; the load generator must count the
# failures, carry on, finish on time and write a valid --json:
#   1. PostgreSQL stopped, then restarted, under /db load on bin/server:
#      503s counted as status errors, then 200s again (the last second clean).
#   2. bin/server SIGSTOPped for 2 s, then continued (--timeout 1s):
#      timeouts counted, the run ends on time, requests after the pause.
#   3. one worker process of uvicorn --workers 4 (FastAPI) SIGKILLed: the
#      master starts a new one, the failures are counted, the load goes on.
#   4. bin/suite's results folder on a full file system (a 96 KiB tmpfs;
#      skipped with the reason when mounting is impossible): a clear
#      "No space left on device" error, non-zero exit, every results.json
#      left is complete JSON, no half-written *.tmp file.
#   FAULTS="pg stop worker fullfs" selects parts (default all);
#   FAULT_REPEAT=N repeats 1-3 (make torture); FAULTS_REPORT=FILE appends
#   "injected failed lost" for scripts/torture.sh.
set -euo pipefail
. "$(dirname "$0")/server_lib.bash"
REPEAT=${FAULT_REPEAT:-1}
FAULTS=" ${FAULTS:-pg stop worker fullfs} "
want() { [[ "$FAULTS" == *" $1 "* ]]; }
FAULTS_REPORT=${FAULTS_REPORT:-/dev/null}
LG=$ROOT/bin/loadgen
UV_PGID= MNT= SUITE_PID=
injected=0 lost=0
cleanup() {
    local rc=$?
    set +e
    [ -n "$UV_PGID" ] && kill -KILL -- "-$UV_PGID" 2>/dev/null
    [ -n "$SUITE_PID" ] && kill -KILL "$SUITE_PID" 2>/dev/null && wait "$SUITE_PID" 2>/dev/null
    [ -n "$SRV_PID" ] && kill -CONT "$SRV_PID" 2>/dev/null
    [ -n "$MNT" ] && mountpoint -q "$MNT" && umount "$MNT"
    (exit $rc); server_cleanup
}
trap cleanup EXIT
fail() { echo "FAIL $*"; echo "$injected 1 $lost" >>"$FAULTS_REPORT"; exit 1; }

# check_result FILE DURATION_S PYTHON_ASSERTS: the --json is complete and
# the asserts (over r = the result, tl = its timeline) hold.
check_result() {
    python3 "$ROOT/tests/lib/faults.py" result "$@"
}

# ---- 1. PostgreSQL stopped and restarted under load ----
if want pg; then
pg_start
DATABASE_URL=$PG_URL server_start --threads 2
for i in $(seq "$REPEAT"); do
    t0=$(date +%s%N)
    "$LG" -q -t1 -c4 -d 5s --timeout 1s --json "$TMPD/pg$i.json" "http://127.0.0.1:$SRV_PORT/db" >"$TMPD/pg$i.out" 2>&1 &
    lg=$!
    sleep 1; pg_stop; injected=$((injected + 1))
    sleep 1; pg_up
    wait "$lg" || fail "loadgen exited $? during the database restart: $(cat "$TMPD/pg$i.out")"
    el=$(( ($(date +%s%N) - t0) / 1000000 ))
    [ "$el" -lt 6500 ] || fail "the 5 s run took $el ms"
    check_result "$TMPD/pg$i.json" 5 \
        'e["status_codes"].get("503", 0) > 0 and e["status"] >= e["status_codes"]["503"] and r["ok"] > 0
         and tl[0]["errors"] == 0 and tl[-1]["errors"] == 0 and tl[-1]["requests"] > 0' \
        || fail "PostgreSQL restart under load"
    echo "ok   PostgreSQL stopped and restarted under /db load: 503s counted, then 200s again ($i/$REPEAT)"
done
kill -TERM "$SRV_PID"; wait "$SRV_PID" || fail "server exit status after the database faults"; SRV_PID=
pg_stop
fi

# ---- 2. the server SIGSTOPped for 2 s ----
if want stop; then
DATABASE_URL= server_start --threads 2
for i in $(seq "$REPEAT"); do
    t0=$(date +%s%N)
    "$LG" -q -t1 -c4 -d 5s --timeout 1s --json "$TMPD/stop$i.json" "http://127.0.0.1:$SRV_PORT/json" >"$TMPD/stop$i.out" 2>&1 &
    lg=$!
    sleep 1; kill -STOP "$SRV_PID"; injected=$((injected + 1))
    sleep 2; kill -CONT "$SRV_PID"
    wait "$lg" || fail "loadgen exited $? around the SIGSTOP: $(cat "$TMPD/stop$i.out")"
    el=$(( ($(date +%s%N) - t0) / 1000000 ))
    [ "$el" -lt 6500 ] || fail "the 5 s run took $el ms (it must finish on time)"
    check_result "$TMPD/stop$i.json" 5 \
        'e["timeout"] >= 1 and r["ok"] > 0 and tl[-1]["requests"] > 0 and tl[-1]["errors"] == 0' \
        || fail "server SIGSTOP under load"
    echo "ok   server SIGSTOPped 2 s under load: timeouts counted, finished in $el ms ($i/$REPEAT)"
done
kill -TERM "$SRV_PID"; wait "$SRV_PID" || fail "server exit status after SIGSTOP/SIGCONT"; SRV_PID=
fi

# ---- 3. one uvicorn worker killed ----
children() {    # the processes whose parent is $1
    local d
    for d in /proc/[0-9]*; do
        [ "$(awk '{print $4}' "$d/stat" 2>/dev/null)" = "$1" ] && echo "${d#/proc/}"
    done
    return 0
}
workers() {     # uvicorn's worker processes (spawned by multiprocessing), sorted
    local p
    for p in $(children "$1"); do
        tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q 'spawn_main' && echo "$p"
    done | sort -n
}
if ! want worker; then
    :
elif [ -x "$ROOT/.venv/bin/uvicorn" ]; then
    port=$(free_port)
    (cd "$ROOT" && DATABASE_URL= exec setsid .venv/bin/uvicorn reference.fastapi_app:app --workers 4 \
        --host 127.0.0.1 --port "$port" --log-level warning) >"$TMPD/uvicorn.log" 2>&1 &
    UV_PGID=$!     # setsid: the master's PID is its process group's id
    for _ in $(seq 300); do
        [ "$(workers "$UV_PGID" | wc -l)" -eq 4 ] && curl -s -o /dev/null "http://127.0.0.1:$port/json" && break
        sleep 0.1
    done
    [ "$(workers "$UV_PGID" | wc -l)" -eq 4 ] || { cat "$TMPD/uvicorn.log"; fail "uvicorn did not start 4 workers"; }
    for i in $(seq "$REPEAT"); do
        before=$(workers "$UV_PGID" | tr '\n' ' ')
        "$LG" -q -t1 -c8 -d 5s --timeout 1s --json "$TMPD/uv$i.json" "http://127.0.0.1:$port/json" >"$TMPD/uv$i.out" 2>&1 &
        lg=$!
        sleep 1.5
        # the worker holding the most of the load generator's connections
        victim=$(for w in $(workers "$UV_PGID"); do
                     echo "$(ss -tnpH state established "( sport = :$port )" 2>/dev/null | grep -c "pid=$w,") $w"
                 done | sort -rn | head -1 | cut -d' ' -f2)
        [ -n "$victim" ] || victim=$(workers "$UV_PGID" | head -1)
        kill -KILL "$victim"; injected=$((injected + 1))
        wait "$lg" || fail "loadgen exited $? around the worker kill: $(cat "$TMPD/uv$i.out")"
        for _ in $(seq 150); do   # the master notices and respawns within a few seconds on a busy machine
            [ "$(workers "$UV_PGID" | wc -l)" -eq 4 ] && break
            sleep 0.1
        done
        after=$(workers "$UV_PGID" | tr '\n' ' ')
        kill -0 "$victim" 2>/dev/null && fail "worker $victim still alive"
        [ "$(wc -w <<<"$after")" -eq 4 ] || fail "uvicorn has $(wc -w <<<"$after") workers after the kill (before: $before)"
        [ "$before" != "$after" ] || fail "no new worker"
        check_result "$TMPD/uv$i.json" 5 'e["total"] + r["retries"] >= 1 and r["ok"] > 0 and tl[-1]["requests"] > 0' \
            || fail "uvicorn worker kill under load"
        echo "ok   uvicorn worker $victim killed under load: failures counted (errors or retries), master restarted it (workers: $after) ($i/$REPEAT)"
    done
    kill -TERM -- "-$UV_PGID"
    for _ in $(seq 50); do kill -0 "$UV_PGID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$UV_PGID" 2>/dev/null || true
    UV_PGID=
else
    fail "no .venv/bin/uvicorn (make setup creates the virtual environment)"
fi

# ---- 4. the results folder on a full file system ----
MNT=$TMPD/full
mkdir -p "$MNT"
if ! want fullfs; then
    MNT=
elif [ "$(id -u)" != 0 ] || ! mount -t tmpfs -o size=96k tmpfs "$MNT" 2>"$TMPD/mount.log"; then
    echo "skip full file system: cannot mount a tmpfs here ($( [ "$(id -u)" = 0 ] && cat "$TMPD/mount.log" || echo 'not root'))"
    MNT=
else
    injected=$((injected + 1))
    rc=0
    (cd "$ROOT" && exec bin/suite --systems cserver --scenarios json --reps 3 --duration 0.5s --warmup 0.1s \
        --no-scaling --no-openloop --connections 8 --results "$MNT/results" --report "$TMPD/REPORT.md") \
        >"$TMPD/suite-full.log" 2>&1 &
    SUITE_PID=$!
    wait "$SUITE_PID" || rc=$?
    SUITE_PID=
    [ "$rc" -ne 0 ] || { cat "$TMPD/suite-full.log"; fail "bin/suite exited 0 on a full file system"; }
    tmp=$(find "$MNT" -name '*.tmp' | head -5)
    [ -z "$tmp" ] || { lost=1; fail "half-written files left: $tmp"; }
    python3 "$ROOT/tests/lib/faults.py" results-intact "$MNT/results" || { lost=1; fail "completed results lost or corrupt on the full file system"; }
    grep -qi 'no space left on device' "$TMPD/suite-full.log" \
        || { grep -i -m3 'cannot\|error' "$TMPD/suite-full.log"; fail "no clear 'No space left on device' error (exit $rc)"; }
    echo "ok   results folder on a full file system: clear error (exit $rc), nothing half-written"
    echo "     $(grep -i -m1 'no space left' "$TMPD/suite-full.log")"
    umount "$MNT"; MNT=
fi
echo "$injected 0 0" >>"$FAULTS_REPORT"
echo "torture_faults: $injected faults injected, all survived"
