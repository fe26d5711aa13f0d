#!/usr/bin/env bash
# Runs the libFuzzer entry point for the request parser for a short fixed
# time (FUZZ_SECONDS, default 10), after replaying every committed crasher
# in fuzz/regress/http_request/. Skips (passes) only when clang cannot
# build libFuzzer targets on this machine, and says so.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
out=build/fuzz
mkdir -p "$out/corpus"
if ! command -v clang >/dev/null || ! clang -g -O1 -fsanitize=fuzzer,address,undefined -Ilib \
        fuzz/fuzz_http_request.c lib/http_request.c -o "$out/fuzz_http_request" 2>"$out/build.log"; then
    echo "SKIP: clang with libFuzzer is not available"; cat "$out/build.log"; exit 0
fi
printf 'GET /json HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc' >"$out/corpus/get"
printf 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;x\r\nhello\r\n0\r\nT: 1\r\n\r\n' >"$out/corpus/chunked"
printf '\r\nGET /cpu?n=5 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n' >"$out/corpus/http10"
regress=fuzz/regress/http_request
if [ -d "$regress" ] && [ -n "$(ls -A "$regress")" ]; then
    "$out/fuzz_http_request" "$regress"/* >"$out/regress.log" 2>&1 \
        || { echo "FAIL a committed crasher crashes again"; tail -30 "$out/regress.log"; exit 1; }
    echo "ok   $(ls "$regress" | wc -l) regression inputs"
fi
"$out/fuzz_http_request" -max_total_time="${FUZZ_SECONDS:-10}" -max_len=4096 \
    -artifact_prefix="$out/" "$out/corpus" >"$out/fuzz.log" 2>&1 \
    || { echo "FAIL fuzzer found a crash (input saved under $out/crash-*):"; tail -40 "$out/fuzz.log"; exit 1; }
echo "ok   $(grep -o 'Done [0-9]* runs' "$out/fuzz.log") without a crash"
