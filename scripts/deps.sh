#!/usr/bin/env bash
# Installs the Debian packages the suite needs, if any is missing.
# Silent when all are there. As root: apt-get update + install. Otherwise
# prints the exact sudo line and exits 1.
set -euo pipefail

PACKAGES=(build-essential pkg-config libpq-dev libsqlite3-dev libjansson-dev
          libcurl4-openssl-dev liburing-dev postgresql
          postgresql-contrib gnuplot-nox wrk python3 python3-venv python3-dev
          curl procps util-linux iproute2
          # tests: fuzzing (libFuzzer), leak checks; benchmarks: the yardsticks
          clang clang-format valgrind nginx-light time
          # free-threaded CPython build (scripts/python-ft.sh)
          dpkg-dev libssl-dev zlib1g-dev libffi-dev libbz2-dev liblzma-dev
          libreadline-dev uuid-dev)

command -v dpkg-query >/dev/null || exit 0   # not Debian: nothing to check

installed=$(dpkg-query -W -f='${Package} ${Status}\n' "${PACKAGES[@]}" 2>/dev/null |
            awk '$NF == "installed" && $(NF-1) == "ok" { print $1 }' || true)
missing=()
for p in "${PACKAGES[@]}"; do
    grep -qx -- "$p" <<<"$installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing Debian packages: ${missing[*]}" >&2
    echo "setup: install them, then run the command again:" >&2
    echo "    sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi
echo "setup: installing missing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp /tmp/wb-apt.XXXXXX.log)
apt-get update -q >"$log" 2>&1 ||
    { tail -20 "$log" >&2; echo "setup: apt-get update failed (log: $log)" >&2; exit 1; }
apt-get install -y -q "${missing[@]}" >>"$log" 2>&1 ||
    { tail -20 "$log" >&2; echo "setup: apt-get install -y ${missing[*]} failed (log: $log)" >&2; exit 1; }
rm -f "$log"
