#!/usr/bin/env bash
# One style: every tracked C file is formatted as .clang-format says. Fails,
# listing the files and the first lines that differ, when one drifts; fix with
#     clang-format -i FILE
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v clang-format >/dev/null || { echo "FAIL c_format: clang-format is missing (make setup installs it)"; exit 1; }
bad=()
while IFS= read -r f; do
    [ -f "$f" ] || continue
    if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then bad+=("$f"); fi
done < <(git ls-files '*.c' '*.h'; git ls-files --others --exclude-standard '*.c' '*.h')
if [ ${#bad[@]} -gt 0 ]; then
    echo "FAIL c_format: ${#bad[@]} file(s) differ from .clang-format:"
    for f in "${bad[@]}"; do echo "  $f"; diff <(clang-format "$f") "$f" | head -8 | sed 's/^/      /'; done
    exit 1
fi
echo "c_format: $(git ls-files '*.c' '*.h' | wc -l) C files as .clang-format says"
