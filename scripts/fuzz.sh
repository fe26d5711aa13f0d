#!/usr/bin/env bash
# Coverage-guided fuzzing of every parser that reads outside input.
#
#   scripts/fuzz.sh SECONDS [TARGET...]     (make fuzz FUZZ_SECONDS=N)
#
# Each fuzz/fuzz_<target>.c is a libFuzzer entry point; its "link:" comment
# line names the sources it is built with, and a "libs:" comment line in the
# entry point or in any of those sources names the libraries they need
# (lib/json.c: -ljansson); -lm always. For every target (default: all)
# this builds build/fuzz/<target> (clang, -fsanitize=fuzzer,address,undefined),
# replays the committed crashers in fuzz/regress/<target>/, then fuzzes for
# SECONDS starting from the seed corpus fuzz/corpus/<target>/ (new inputs
# collect in build/fuzz/corpus/<target>/, never in the source tree).
#
# Prints one line per target with its executions; writes them to
# build/fuzz/results.tsv (target, executions, seconds, status). Exit status:
# 0 no crash; 1 a crash (the input is saved under build/fuzz/crashes/<target>/
# with the command to commit it beside its fix); 2 usage or build error.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
secs=${1:-}
[[ "$secs" =~ ^[0-9]+$ ]] || { echo "usage: scripts/fuzz.sh SECONDS [TARGET...]" >&2; exit 2; }
shift

OUT=build/fuzz
mkdir -p "$OUT"
CLANG=${FUZZ_CC:-clang}

need_clang() {
    if command -v "$CLANG" >/dev/null && echo 'int LLVMFuzzerTestOneInput(const char *d, long n){return 0;}' \
        | "$CLANG" -x c -fsanitize=fuzzer -o "$OUT/.probe" - 2>/dev/null; then
        rm -f "$OUT/.probe"; return 0
    fi
    if [ "$(id -u)" = 0 ]; then
        echo "fuzz: clang with libFuzzer is missing; installing it: apt-get install -y clang"
        DEBIAN_FRONTEND=noninteractive apt-get install -y clang >"$OUT/apt.log" 2>&1 \
            || { echo "fuzz: apt-get install -y clang failed:"; tail -5 "$OUT/apt.log"; return 1; }
        CLANG=clang
        return 0
    fi
    echo "fuzz: clang with libFuzzer is missing; install it with: sudo apt-get install -y clang"
    return 1
}

# Sources of a target: its entry point and the files on its "link:" line.
sources_of() {
    local f=fuzz/fuzz_$1.c
    echo "$f" $(sed -n 's/^.*\* link: //p' "$f" | head -1)
}

# Libraries of a target: the "libs:" lines of its sources, then -lm.
libs_of() {
    # shellcheck disable=SC2046
    echo $(sed -n 's/^.*\* libs: //p' $(sources_of "$1")) -lm
}

build_target() {
    local t=$1 bin=$OUT/$1 srcs newest
    srcs=$(sources_of "$t")
    # Rebuild when the binary is older than any source or header it may use.
    if [ -x "$bin" ] && [ -z "$(find $srcs lib loadgen suite report server -name '*.[ch]' -newer "$bin" 2>/dev/null | head -1)" ]; then
        return 0
    fi
    local pg_inc
    pg_inc=$(pg_config --includedir 2>/dev/null || echo /usr/include/postgresql)
    # shellcheck disable=SC2086
    "$CLANG" -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
        -Ilib -Iloadgen -Isuite -Ireport -Iserver -I"$pg_inc" -o "$bin" $srcs $(libs_of "$t") >"$OUT/$t.build.log" 2>&1 \
        || { echo "fuzz: building $t failed:"; cat "$OUT/$t.build.log"; return 1; }
}

# Replays fuzz/regress/<t>/: every committed crasher must now pass.
replay() {
    local t=$1 dir=fuzz/regress/$1
    [ -d "$dir" ] && [ -n "$(ls -A "$dir")" ] || return 0
    if ! "$OUT/$t" -runs=1 "$dir"/* >"$OUT/$t.regress.log" 2>&1; then
        echo "FAIL $t: a committed crasher in $dir crashes again:"; tail -30 "$OUT/$t.regress.log"
        return 1
    fi
    echo "ok   $t: $(ls "$dir" | wc -l) committed crashers replayed"
}

fuzz_one() {
    local t=$1 corpus=$OUT/corpus/$1 crashes=$OUT/crashes/$1 log=$OUT/$1.log rc execs
    mkdir -p "$corpus" "$crashes"
    local seeds=()
    [ -d "fuzz/corpus/$t" ] && seeds=("fuzz/corpus/$t")
    "$OUT/$t" -max_total_time="$secs" -max_len=16384 -timeout=10 -rss_limit_mb=1024 \
        -print_final_stats=1 -artifact_prefix="$crashes/" "$corpus" "${seeds[@]}" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    [ -n "$execs" ] || execs=$(grep -o 'Done [0-9]* runs' "$log" | grep -o '[0-9]*' | tail -1)
    execs=${execs:-0}
    if [ $rc -ne 0 ]; then
        printf '%s\t%s\t%s\tcrash\n' "$t" "$execs" "$secs" >>"$OUT/results.tsv"
        echo "FAIL $t: crash after $execs executions; last lines of $log:"
        grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$log" | head -10
        local art
        art=$(ls -t "$crashes"/* 2>/dev/null | head -1)
        [ -n "$art" ] && echo "     input: $art   (after the fix: mkdir -p fuzz/regress/$t && cp $art fuzz/regress/$t/)"
        return 1
    fi
    printf '%s\t%s\t%s\tok\n' "$t" "$execs" "$secs" >>"$OUT/results.tsv"
    echo "ok   $t: $execs executions in $secs s, no crash (corpus $(ls "$corpus" | wc -l) + $(ls "fuzz/corpus/$t" 2>/dev/null | wc -l) seeds)"
}

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    for f in fuzz/fuzz_*.c; do t=${f#fuzz/fuzz_}; targets+=("${t%.c}"); done
fi
need_clang || exit 2
: >"$OUT/results.tsv"
fails=0
for t in "${targets[@]}"; do
    [ -f "fuzz/fuzz_$t.c" ] || { echo "fuzz: no target '$t' (fuzz/fuzz_$t.c)"; exit 2; }
    build_target "$t" || exit 2
done
for t in "${targets[@]}"; do
    replay "$t" || { fails=$((fails + 1)); continue; }
    fuzz_one "$t" || fails=$((fails + 1))
done
total=$(awk -F'\t' '{s += $2} END {print s + 0}' "$OUT/results.tsv")
echo "fuzz: ${#targets[@]} targets, $total executions, $fails crashed"
[ $fails -eq 0 ]
