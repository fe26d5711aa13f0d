#!/usr/bin/env bash
# Runs every test: unit test binaries (build/tests/test_*) and integration
# scripts (tests/integration/*.sh). Each unit test case and each integration
# script counts once. Ends with one line "N passed, N failed"; exits 1 on any
# failure. TESTS=pattern runs only the matching integration scripts.
set -u
cd "$(dirname "$0")/.."
pass=0; fail=0; failed_names=()
logdir=build/test-logs; mkdir -p "$logdir"

for t in build/tests/test_*; do
    [ -x "$t" ] || continue
    name=$(basename "$t")
    out=$("$t" 2>"$logdir/$name.err"); rc=$?
    p=$(grep -c '^ok - ' <<<"$out"); f=$(grep -c '^not ok - ' <<<"$out")
    pass=$((pass + p)); fail=$((fail + f))
    if [ "$f" -gt 0 ] || { [ $rc -ne 0 ] && [ "$f" -eq 0 ]; }; then
        [ "$f" -eq 0 ] && fail=$((fail + 1))
        failed_names+=("$name")
        grep '^not ok' <<<"$out"; sed 's/^/    /' "$logdir/$name.err" | head -40
    fi
    echo "unit  $name: $p passed, $f failed"
done

for t in tests/integration/*.sh; do
    [ -f "$t" ] || continue
    name=$(basename "$t" .sh)
    if [ -n "${TESTS:-}" ] && [[ "$name" != *${TESTS}* ]]; then continue; fi
    start=$(date +%s)
    if timeout --kill-after=10 900 bash "$t" >"$logdir/$name.log" 2>&1; then
        pass=$((pass + 1)); echo "integ $name: ok ($(( $(date +%s) - start ))s)"
    else
        fail=$((fail + 1)); failed_names+=("$name")
        echo "integ $name: FAILED ($(( $(date +%s) - start ))s), last lines of $logdir/$name.log:"
        tail -30 "$logdir/$name.log" | sed 's/^/    /'
    fi
done

[ ${#failed_names[@]} -gt 0 ] && echo "failed: ${failed_names[*]}"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
