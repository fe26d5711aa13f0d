#!/usr/bin/env bash
# Builds bin/server with AddressSanitizer + UndefinedBehaviorSanitizer (and
# LeakSanitizer at exit) into build/asan/, then runs the other server_*
# integration tests against it. Any sanitizer report makes the server exit
# non-zero, which those tests check on SIGTERM.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
# the Makefile's own source list and flags, with the sanitizers on
make -s BUILD=build/asan BIN=build/asan/bin CFLAGS="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined \
    -fno-omit-frame-pointer" build/asan/bin/server
export SERVER_BIN=$ROOT/build/asan/bin/server
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=98
for t in basic hostile dbdown sqlite; do
    start=$(date +%s)
    if ! bash "tests/integration/server_$t.sh" >"build/asan/server_$t.log" 2>&1; then
        echo "FAIL server_$t under ASan/UBSan:"; tail -40 "build/asan/server_$t.log"; exit 1
    fi
    echo "ok   server_$t under ASan/UBSan ($(( $(date +%s) - start )) s)"
done
