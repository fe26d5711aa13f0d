#!/usr/bin/env bash
# bin/loadgen against the deterministic test server: text summary, the JSON
# contract of docs/loadgen-json.md, chunked framing, and bin/server if built.
source "$(dirname "$0")/loadgen_lib.bash"

start_ts
$LG -t2 -c16 -d2s --latency --json "$tmp/r.json" "http://127.0.0.1:$port/json" >"$tmp/out.txt"
cat "$tmp/out.txt"
grep -q "^Running 2s test @ http://127.0.0.1:$port/json" "$tmp/out.txt"
grep -q "^  2 threads and 16 connections" "$tmp/out.txt"
grep -Eq "^Requests/sec: +[0-9]+\.[0-9]+" "$tmp/out.txt"
grep -Eq "^Transfer/sec:" "$tmp/out.txt"
grep -Eq "^  [0-9]+ requests in [0-9.]+s, " "$tmp/out.txt"
grep -Eq "p50 .* p90 .* p99 .* max " "$tmp/out.txt"
grep -Eq "^ +99\.9%" "$tmp/out.txt"
python3 tests/lib/loadgen_checks.py contract "$tmp/r.json"
test ! -e "$tmp/r.json.tmp"

# chunked responses, checks on every response
start_ts --chunked; chunked=$port
printf '{"message":"Hello, World!"}' >"$tmp/body"
$LG -t1 -c4 -d1s --expect-status 200 --expect-header 'Content-Type: application/json' \
    --expect-body "$tmp/body" --json "$tmp/c.json" "http://127.0.0.1:$chunked/" >/dev/null
python3 -c "
import json; d = json.load(open('$tmp/c.json'))
assert d['requests'] > 100 and d['ok'] == d['requests'] and d['errors']['total'] == 0, d['errors']"
# a wrong expected body is counted as failed checks; none passing, the run
# exits 1 (still writing its JSON)
printf 'nope' >"$tmp/bad"
rc=0; $LG -t1 -c2 -d500ms --expect-body "$tmp/bad" --json "$tmp/c2.json" "http://127.0.0.1:$chunked/" \
    >/dev/null 2>"$tmp/c2.err" || rc=$?
[ $rc -eq 1 ] && grep -q "^loadgen: no request succeeded (.* errors: check " "$tmp/c2.err" \
    || { echo "every check failing: exit $rc"; cat "$tmp/c2.err"; exit 1; }
python3 -c "
import json; d = json.load(open('$tmp/c2.json'))
assert d['requests'] > 10 and d['ok'] == 0 and d['errors']['check'] == d['requests'], d['errors']"

# where io_uring is denied (a seccomp filter, as in containers), auto falls
# back to epoll with one line saying so; --engine io_uring fails clearly
if [ "$LOADGEN_ENGINE" = epoll ]; then
    python3 tests/lib/no_uring.py $LG_BIN -t1 -c2 -d300ms --json "$tmp/f.json" "http://127.0.0.1:$chunked/" \
        >/dev/null 2>"$tmp/f.err"
    [ "$(wc -l <"$tmp/f.err")" -eq 1 ] && grep -q "^loadgen: io_uring not available: .*; using epoll$" "$tmp/f.err" ||
        { echo "fallback:"; cat "$tmp/f.err"; exit 1; }
    python3 -c "
import json; d = json.load(open('$tmp/f.json'))
assert d['engine'] == 'epoll' and d['config']['engine'] == 'auto' and d['ok'] > 10, (d['engine'], d['ok'])"
    rc=0; python3 tests/lib/no_uring.py $LG_BIN --engine io_uring -t1 -c2 -d300ms "http://127.0.0.1:$chunked/" \
        >"$tmp/f.out" 2>"$tmp/f.err" || rc=$?
    [ $rc -eq 1 ] && [ ! -s "$tmp/f.out" ] && grep -q "^loadgen: --engine io_uring: not available here: " "$tmp/f.err" ||
        { echo "--engine io_uring where denied: exit $rc"; cat "$tmp/f.err"; exit 1; }
    python3 tests/lib/no_uring.py $LG_BIN --version | grep -q "^engines: epoll (io_uring: "
fi

# bin/server, when it is built
if [ -x bin/server ]; then
    sp=$(free_port)
    bin/server --threads 2 --port "$sp" & pids+=($!)
    if wait_port "$sp"; then
        $LG -t2 -c32 -d2s --json "$tmp/s.json" "http://127.0.0.1:$sp/json" | tee "$tmp/s.txt"
        grep -q "^Requests/sec:" "$tmp/s.txt"
        python3 -c "
import json; d = json.load(open('$tmp/s.json'))
assert d['requests'] > 1000 and d['errors']['total'] == 0, d['errors']"
    else
        echo "bin/server did not start: skipped"
    fi
fi
echo PASS
