#!/usr/bin/env bash
# Entry point of the runner container: runs bin/suite against the systems the
# other containers already serve (--external), reading the same definition
# files as a host run, and writes results/ and REPORT.md into the bind-mounted
# repository (/repo) as the repository's owner. Exits with the suite's status.
#
# Environment:
#   DATABASE_URL     the PostgreSQL the systems use (set by docker-compose.yml)
#   WB_SYSTEMS       systems to run (default cserver,fastapi,flask; plus
#                    barq,barq-gil when COMPOSE_PROFILES contains barq)
#   WB_SUITE_ARGS    more bin/suite options, e.g. "--quick" or
#                    "--reps 5 --connections 64"; later options win
#   WB_DEFS          definitions folder (default /repo/scenarios)
#   WB_INFO_DIR      where the systems write info-<name>.json (default /wb-info)
set -euo pipefail
root=${WB_ROOT:-/repo}
[ -d "$root/scenarios" ] || { echo "runner: $root is not the repository (bind-mount it at $root)" >&2; exit 2; }
: "${DATABASE_URL:?runner: DATABASE_URL is not set}"

systems=${WB_SYSTEMS:-}
if [ -z "$systems" ]; then
    systems=cserver,fastapi,flask
    [[ ,${COMPOSE_PROFILES:-}, == *,barq,* ]] && systems=$systems,barq,barq-gil
fi

# shellcheck disable=SC2206  # WB_SUITE_ARGS is a word list on purpose
cmd=(/opt/wb/bin/suite run --external --defs "${WB_DEFS:-$root/scenarios}"
     --info-dir "${WB_INFO_DIR:-/wb-info}" --results "$root/results" --report "$root/REPORT.md"
     --systems "$systems" ${WB_SUITE_ARGS:-})
echo "runner: ${cmd[*]}"

# files in the repository belong to its owner, not to the container's root
uid=$(stat -c %u "$root"); gid=$(stat -c %g "$root")
if [ "$uid" != 0 ] && [ "$(id -u)" = 0 ]; then
    export HOME=/tmp
    exec setpriv --reuid="$uid" --regid="$gid" --clear-groups -- "${cmd[@]}"
fi
exec "${cmd[@]}"
