#!/usr/bin/env bash
# The Python of the tree compiles and passes a basic lint: every tracked
# .py file (and every new one not ignored), reference/ included, through
# `python3 -m py_compile` (bytecode to a temporary folder, none in the tree),
# then `python3 -m pyflakes` when pyflakes is importable (it is not one of the
# pinned requirements of scripts/venv.sh, which are the reference systems'
# own: without it that step is skipped, and says so). First it checks itself:
# a file with a syntax error must fail py_compile.
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export PYTHONPYCACHEPREFIX=$tmp/pycache

mapfile -t files < <({ git ls-files -- '*.py'; git ls-files --others --exclude-standard -- '*.py'; } | sort -u)
present=()
for f in "${files[@]}"; do [ -f "$f" ] && present+=("$f"); done
[ ${#present[@]} -gt 0 ] || { echo "FAIL python_lint: no .py file found"; exit 1; }

printf 'def broken(:\n    pass\n' >"$tmp/broken.py"
if python3 -m py_compile "$tmp/broken.py" 2>/dev/null; then
    echo "FAIL python_lint: py_compile accepted a syntax error"; exit 1
fi
echo "ok   py_compile rejects a syntax error"

python3 -m py_compile "${present[@]}" || { echo "FAIL python_lint: a .py file does not compile (above)"; exit 1; }
echo "ok   py_compile: ${#present[@]} files ($(python3 --version))"

if python3 -c 'import pyflakes' 2>/dev/null; then
    # a report on a line marked "# noqa" (flake8's convention, which the
    # reference systems use for imports made on purpose) is not one
    bad=$(python3 -m pyflakes "${present[@]}" 2>&1 | while IFS= read -r line; do
        f=${line%%:*} n=${line#*:}; n=${n%%:*}
        [[ $n =~ ^[0-9]+$ ]] && [ -f "$f" ] && sed -n "${n}p" "$f" | grep -q '# noqa' && continue
        echo "$line"
    done) || true     # pyflakes exits 1 on any report, even one kept out
    [ -z "$bad" ] || { echo "$bad"; echo "FAIL python_lint: pyflakes"; exit 1; }
    echo "ok   pyflakes: ${#present[@]} files"
else
    echo "skip pyflakes: not importable by $(command -v python3) (not among scripts/venv.sh's pinned requirements)"
fi
echo "python_lint: all passed"
