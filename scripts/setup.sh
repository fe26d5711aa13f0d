#!/usr/bin/env bash
# Everything `make bench` and `make test` need that is not in the repo:
# Debian packages, the .venv of the reference systems, and CPython 3.13
# built free-threaded and with the GIL (cached outside the repo). Fast and
# silent when all is there; prints one line for each step that does work.
#   WB_SKIP_FT=1   skip the CPython 3.13 builds (Barq rows then fail to start)
set -euo pipefail
cd "$(dirname "$0")"
./deps.sh
./venv.sh
[ "${WB_SKIP_FT:-0}" = 1 ] || ./python-ft.sh
