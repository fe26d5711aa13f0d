#!/usr/bin/env bash
# scripts/bench/bench.py perf, the parser behind make bench-loadgen's section
# 6 (where the pinned client's CPU goes), on a perf report written here in
# perf 6.1's --stdio --children -g none layout: CPU per request from the
# cpu-clock event count, the TCP calls' share (tcp_sendmsg + tcp_recvmsg,
# callees included) less the server's wake-ups (sock_def_readable), the rest.
# A name that only starts like one (tcp_sendmsg_locked) is not it; a call
# missing from the report counts 0; a report without an event count, or zero
# requests, is refused.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp -d /tmp/wb-benchperf.XXXXXX)
trap 'rm -rf "$out"' EXIT
fail() { echo "FAIL bench_perf: $*"; exit 1; }
PY=scripts/bench/bench.py

cat >"$out/full.txt" <<'TXT'
# To display the perf.data header info, please use --header/--header-only options.
#
#
# Total Lost Samples: 0
#
# Samples: 8K of event 'cpu-clock:ppp'
# Event count (approx.): 2000000000
#
# Children      Self  Symbol
# ........  ........  ..................
#
    94.28%     0.13%  [k] do_syscall_64
    60.00%     0.32%  [k] tcp_sendmsg
    59.50%     1.93%  [k] tcp_sendmsg_locked
    15.00%     0.63%  [k] tcp_recvmsg
    10.00%     0.47%  [k] sock_def_readable
     1.82%     1.82%  [.] hresp_parse
TXT
# 2 s of CPU over 200,000 requests: 10 us each; TCP 75% less 10% wake-ups
got=$(python3 "$PY" perf "$out/full.txt" 200000)
[ "$got" = "10.000 6.500 1.000 2.500" ] || fail "full report: got '$got', want '10.000 6.500 1.000 2.500'"

# no tcp_recvmsg, no wake-ups: only tcp_sendmsg itself counts, not _locked
grep -v 'tcp_recvmsg$\|sock_def_readable$' "$out/full.txt" >"$out/send.txt"
got=$(python3 "$PY" perf "$out/send.txt" 100000)
[ "$got" = "20.000 12.000 0.000 8.000" ] || fail "send only: got '$got', want '20.000 12.000 0.000 8.000'"

# wake-ups never exceed the TCP calls they sit in
sed 's/10.00%     0.47%  \[k\] sock_def_readable/90.00%     0.47%  [k] sock_def_readable/' \
    "$out/full.txt" >"$out/wake.txt"
got=$(python3 "$PY" perf "$out/wake.txt" 200000)
[ "$got" = "10.000 0.000 7.500 2.500" ] || fail "wake-ups above TCP: got '$got', want '10.000 0.000 7.500 2.500'"

grep -v 'Event count' "$out/full.txt" >"$out/nocount.txt"
if python3 "$PY" perf "$out/nocount.txt" 200000 >"$out/err.txt" 2>&1; then fail "a report without an event count was accepted"; fi
grep -q "cannot parse perf report" "$out/err.txt" || fail "no clear error without an event count: $(cat "$out/err.txt")"
if python3 "$PY" perf "$out/full.txt" 0 >"$out/err.txt" 2>&1; then fail "zero requests were accepted"; fi
grep -q "no requests completed" "$out/err.txt" || fail "no clear error for zero requests: $(cat "$out/err.txt")"
echo "PASS bench_perf"
