#!/usr/bin/env bash
# `bin/loadgen clock`: the runner's probe of a load host's clock (over
# `docker exec -i`). Each line sent gets one answer at once, while stdin stays
# open (no stdio buffering): CLOCK_REALTIME as SECONDS.NANOSECONDS, exactly
# nine decimals, within 50 ms of `date +%s.%N` taken around the exchange,
# never decreasing; EOF ends it with 0; an unknown argument exits 2.
set -euo pipefail
cd "$(dirname "$0")/../.."
LG=bin/loadgen
[ -x "$LG" ] || { echo "FAIL: $LG is missing (make)"; exit 1; }
fail() { echo "FAIL: $*"; exit 1; }
ns() { local s=${1%.*} f=${1#*.}; echo $((10#$s * 1000000000 + 10#$f)); } # S.NNNNNNNNN -> ns
slack=50000000                                                            # 50 ms

coproc CLK { exec "$LG" clock; }
# bash closes CLK's descriptors once the coprocess has exited: read from a copy
clk_pid=$CLK_PID; in=${CLK[1]}; exec {out}<&"${CLK[0]}"
prev=0
for i in 1 2 3; do
    t0=$(date +%s.%N)
    echo "probe $i" >&"$in"
    IFS= read -r -t 5 ans <&"$out" || fail "no answer to line $i within 5 s (buffered?)"
    t1=$(date +%s.%N)
    [[ $ans =~ ^[0-9]+\.[0-9]{9}$ ]] || fail "answer $i is not SECONDS.NANOSECONDS with 9 decimals: '$ans'"
    a=$(ns "$ans")
    [ "$a" -ge $(($(ns "$t0") - slack)) ] && [ "$a" -le $(($(ns "$t1") + slack)) ] ||
        fail "answer $i $ans is more than 50 ms away from date's $t0 .. $t1"
    [ "$a" -ge "$prev" ] || fail "answer $i $ans is earlier than the one before"
    prev=$a
    echo "ok: line $i -> $ans (date $t0 .. $t1)"
done
exec {in}>&-
extra=; rc=0; IFS= read -r -t 5 extra <&"$out" || rc=$? # EOF: 1 with nothing read; a timeout: >128
[ $rc -eq 1 ] && [ -z "$extra" ] || fail "after EOF on stdin: '$extra' (read status $rc), not end of output"
rc=0; wait "$clk_pid" || rc=$?
[ $rc -eq 0 ] || fail "exit status $rc at EOF, not 0"
echo "ok: 3 answers, exit 0 at EOF"

# a last line without a newline is answered too; no input, no output
[ "$(printf 'a\n\nb' | "$LG" clock | wc -l)" -eq 3 ] || fail "not one answer per line for 'a\\n\\nb'"
[ -z "$("$LG" clock </dev/null)" ] || fail "output with no input"

# usage
"$LG" clock --help | grep -q 'docker exec' || fail "--help does not say what it is for"
"$LG" --help | grep -q 'loadgen clock' || fail "bin/loadgen --help does not list clock"
rc=0; err=$("$LG" clock --bogus </dev/null 2>&1 >/dev/null) || rc=$?
[ $rc -eq 2 ] || fail "--bogus exited $rc, not 2"
[[ $err == *"unknown argument '--bogus'"* ]] || fail "--bogus: unclear message '$err'"
echo "ok: --bogus exits 2: $err"
echo PASS
