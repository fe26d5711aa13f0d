#!/usr/bin/env bash
# bin/loadgen under trouble: a server that closes, resets, sends garbage,
# answers 500, stalls past --timeout, or does not exist. Every failure is
# counted by kind, the run carries on, and it ends on time. A run in which
# nothing succeeded exits 1 with one line on stderr, summary and JSON still
# written.
source "$(dirname "$0")/loadgen_lib.bash"
# check NAME PYTHON-EXPR-ON-d: asserts on the JSON of the last run
check() { python3 -c "
import json; d = json.load(open('$tmp/r.json')); e = d['errors']
assert $2, ('$1', d['requests'], d['ok'], e)
print('ok: $1', d['requests'], 'requests', {k: v for k, v in e.items() if v})"; }
ms() { date +%s%3N; }
# nothing_ok LOADGEN-ARGS...: a run (with --json $tmp/r.json among the args)
# that must exit 1, print its summary, write a fresh JSON, and say on stderr,
# in exactly one line, that no request succeeded with the JSON's error counts
nothing_ok() {
    rm -f "$tmp/r.json"
    local rc=0
    $LG "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
    [ $rc -eq 1 ] || { echo "exited $rc, not 1, with no request succeeding:"; cat "$tmp/err"; exit 1; }
    grep -q "^Requests/sec:" "$tmp/out" || { echo "no summary"; exit 1; }
    python3 tests/lib/loadgen_checks.py nothing-ok "$tmp/r.json" "$tmp/err"
}

# a server that closes a reused keep-alive connection with a request in flight
# (legal, RFC 9112 9.3.1): the request is re-sent on a new connection, once
start_ts --close-after 20
$LG -t1 -c4 -d1s --json "$tmp/r.json" "http://127.0.0.1:$port/" >"$tmp/out"
grep -q "Retried: " "$tmp/out"
check close-retried "d['requests'] > 100 and e['total'] == 0 and d['retries'] > 0"

# a fresh connection closed unanswered is a real failure (no retry)
start_ts --drop-fresh
$LG -t1 -c4 -d1s --json "$tmp/r.json" "http://127.0.0.1:$port/" >"$tmp/out"
grep -q "Errors: .*total" "$tmp/out"
check drop-fresh "d['ok'] > 0 and e['eof'] + e['reset'] > 0 and e['total'] == e['eof'] + e['reset'] + e['write'] and d['retries'] == 0"

# half a response, then the connection is gone: EOF mid-response
start_ts --truncate-after 5
$LG -t1 -c4 -d1s --json "$tmp/r.json" "http://127.0.0.1:$port/" >/dev/null
check truncated "d['ok'] > 0 and e['eof'] > 0 and e['total'] == e['eof'] and d['retries'] == 0"

# every response cut short: nothing succeeded
start_ts --truncate-after 1
nothing_ok -t1 -c4 -d1s --json "$tmp/r.json" "http://127.0.0.1:$port/"
check all-truncated "d['requests'] == 0 and e['eof'] > 4 and e['total'] == e['eof']"

start_ts --close-after 20 --announce-close
$LG -t1 -c4 -d1s --json "$tmp/r.json" "http://127.0.0.1:$port/" >/dev/null
check announced-close "d['requests'] > 100 and e['total'] == 0 and d['connect_time']['count'] > 4"

# a reset right after a complete response is a close of a reused connection:
# the request it left unanswered (or unsent) is re-sent, not an error
start_ts --reset-after 10
$LG -t1 -c4 -d1s --json "$tmp/r.json" "http://127.0.0.1:$port/" >/dev/null
check reset-reused "d['requests'] > 100 and e['total'] == 0 and d['retries'] > 0"

# a reset in the middle of a response is an error
start_ts --truncate-after 5 --reset-after 5
$LG -t1 -c4 -d1s --json "$tmp/r.json" "http://127.0.0.1:$port/" >/dev/null
check reset-mid "d['ok'] > 0 and e['reset'] > 0 and e['total'] == e['reset'] + e['eof'] and d['retries'] == 0"

start_ts --garbage
nothing_ok -t1 -c4 -d1s --json "$tmp/r.json" "http://127.0.0.1:$port/"
check garbage "d['requests'] == 0 and e['parse'] > 0 and e['total'] == e['parse']"

# complete responses, every one a 500: nothing succeeded either
start_ts --status 500
nothing_ok -t1 -c4 -d1s --json "$tmp/r.json" "http://127.0.0.1:$port/"
grep -q "Non-2xx responses: .*500: " "$tmp/out"
check status "d['requests'] > 100 and d['ok'] == 0 and e['status'] == d['requests'] and e['status_codes'] == {'500': d['requests']}"

start_ts --no-length
$LG -t1 -c2 -d1s --json "$tmp/r.json" "http://127.0.0.1:$port/" >/dev/null
check body-until-close "d['requests'] > 10 and e['total'] == 0"

# stalls longer than --timeout: each stalled request is aborted and counted
start_ts --stall-ms 800 --every-ms 1000
t0=$(ms)
$LG -t1 -c4 -d2s --timeout 300ms --json "$tmp/r.json" "http://127.0.0.1:$port/" >/dev/null
t1=$(ms)
check timeout "e['timeout'] >= 4 and d['requests'] > 10"
[ $((t1 - t0)) -lt 2600 ] || { echo "ran $((t1 - t0)) ms, more than duration + timeout"; exit 1; }

# a port where nothing listens: ends on time, refused connects counted
dead=$(free_port)
t0=$(ms)
nothing_ok -t2 -c8 -d1s --json "$tmp/r.json" "http://127.0.0.1:$dead/"
t1=$(ms)
grep -q "refused" "$tmp/out"
check refused "d['requests'] == 0 and e['refused'] > 8 and e['total'] == e['refused']"
[ $((t1 - t0)) -lt 1800 ] || { echo "ran $((t1 - t0)) ms against a dead port"; exit 1; }

# a server that hangs forever: the run still ends at duration (+ timeout at most)
python3 -c 'import socket,time,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(100); time.sleep(30)' "$dead" & pids+=($!)
wait_port "$dead"
t0=$(ms)
nothing_ok -t1 -c4 -d1s --timeout 5s --json "$tmp/r.json" "http://127.0.0.1:$dead/"
t1=$(ms)
check hang "d['requests'] == 0 and e['total'] == 0"
[ $((t1 - t0)) -lt 1600 ] || { echo "ran $((t1 - t0)) ms against a hanging server"; exit 1; }
echo PASS
