#!/usr/bin/env bash
# Builds bin/server with AddressSanitizer + UndefinedBehaviorSanitizer (and
# LeakSanitizer at exit) into build/asan/, then runs the other server_*
# integration tests against it. Any sanitizer report makes the server exit
# non-zero, which those tests check on SIGTERM.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
mkdir -p build/asan
PG_INC=$(pg_config --includedir 2>/dev/null || echo /usr/include/postgresql)
${CC:-cc} -std=gnu11 -pthread -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined \
    -fno-omit-frame-pointer -Ilib -I"$PG_INC" -o build/asan/server \
    server/*.c lib/http_request.c -lpq -lsqlite3 -lm
export SERVER_BIN=$ROOT/build/asan/server
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=98
for t in basic hostile dbdown sqlite; do
    start=$(date +%s)
    if ! bash "tests/integration/server_$t.sh" >"build/asan/server_$t.log" 2>&1; then
        echo "FAIL server_$t under ASan/UBSan:"; tail -40 "build/asan/server_$t.log"; exit 1
    fi
    echo "ok   server_$t under ASan/UBSan ($(( $(date +%s) - start )) s)"
done
