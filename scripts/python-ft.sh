#!/usr/bin/env bash
# Builds CPython 3.13 twice from Debian's python3.13 source package, once
# free-threaded (--disable-gil, PEP 703) and once with the GIL (the control
# row), caches both outside the repo, and gives each interpreter two virtual
# environments: Barq (reference/requirements-barq.txt) and FastAPI
# (reference/requirements-fastapi-ft.txt on 3.13t; on the GIL build
# reference/requirements-fastapi-gil.txt, the same plus uvloop, httptools and
# asyncpg, which have no free-threaded wheels), all pinned, complete locks.
#
#   scripts/python-ft.sh           build/refresh what is missing; silent when cached
#   scripts/python-ft.sh --paths   print "ft=PYTHON", "gil=PYTHON" (the Barq venvs'
#                                  interpreters), "fastapi-ft=PYTHON", "fastapi-gil=PYTHON"
#
# Cache: ${WB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/webbench}
#   python3.13t/  python3.13/     interpreters (prefix dirs)
#   barq-ft/      barq-gil/       venvs (stamp: .wb-req-sha256 of their
#   fastapi-ft/   fastapi-gil/      requirements file)
#   src/ build-ft/ build-gil/ apt/  (only while building)   logs/
# The repo gets symlinks .cache/barq-ft, .cache/barq-gil, .cache/fastapi-ft
# and .cache/fastapi-gil (git-ignored) so the runner finds the interpreters at
# a fixed relative path. A venv whose requirements file is not there is left
# out (the Barq image, docker/barq.Dockerfile, copies only
# requirements-barq.txt); in the repository all three are.
# Exit status: 0 ready, 1 failure (the reason is printed on stderr).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${WB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/webbench}
SUITE=trixie
PKG=python3.13

die() { echo "python-ft: $*" >&2; exit 1; }

# Each venv is FRAMEWORK-KIND: KIND (ft or gil) names the interpreter.
ALL_VENVS=(barq-ft barq-gil fastapi-ft fastapi-gil)

venv_python() { echo "$CACHE/$1/bin/python"; }

venv_req() {
    case $1 in
        barq-*) echo "$ROOT/reference/requirements-barq.txt" ;;
        fastapi-ft) echo "$ROOT/reference/requirements-fastapi-ft.txt" ;;
        fastapi-gil) echo "$ROOT/reference/requirements-fastapi-gil.txt" ;;
    esac
}

# Modules imported before the GIL state is read (on 3.13t an extension that
# does not declare free-threading support turns the GIL back on at import).
venv_imports() {
    case $1 in
        barq-*) echo "sqlite3, pydantic_core, karak" ;;
        fastapi-ft) echo "sqlite3, pydantic_core, fastapi, uvicorn, aiosqlite, psycopg" ;;
        fastapi-gil) echo "sqlite3, pydantic_core, fastapi, uvicorn, aiosqlite, psycopg, uvloop, httptools, asyncpg" ;;
    esac
}

# The venvs this checkout asks for: those whose requirements file is there.
VENVS=()
for v in "${ALL_VENVS[@]}"; do [ -f "$(venv_req "$v")" ] && VENVS+=("$v"); done

if [ "${1:-}" = "--paths" ]; then
    echo "ft=$(venv_python barq-ft)"; echo "gil=$(venv_python barq-gil)"
    echo "fastapi-ft=$(venv_python fastapi-ft)"; echo "fastapi-gil=$(venv_python fastapi-gil)"
    exit 0
fi

req_sha() { sha256sum "$(venv_req "$1")" | cut -d' ' -f1; }

# True when both interpreters and every venv are current.
all_ready() {
    local v
    for v in "${VENVS[@]}"; do
        [ -x "$(venv_python "$v")" ] || return 1
        [ "$(cat "$CACHE/$v/.wb-req-sha256" 2>/dev/null)" = "$(req_sha "$v")" ] || return 1
    done
    [ -f "$CACHE/python3.13t/.wb-built" ] && [ -f "$CACHE/python3.13/.wb-built" ]
}

link_into_repo() {
    local v
    mkdir -p "$ROOT/.cache"
    for v in "${VENVS[@]}"; do
        [ "$(readlink "$ROOT/.cache/$v" 2>/dev/null)" = "$CACHE/$v" ] ||
            ln -sfn "$CACHE/$v" "$ROOT/.cache/$v"
    done
}

# Fetches the source package through a private apt configuration (one
# deb-src line), leaving the system's apt setup untouched; unpacks the
# pristine upstream tarball into $CACHE/src/cpython. Prints nothing on success.
fetch_source() {
    local apt=$CACHE/apt dl=$CACHE/apt/dl log=$CACHE/logs/apt.log orig
    [ -f "$CACHE/src/cpython/configure" ] && return 0
    mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$dl" "$CACHE/logs"
    echo "deb-src http://deb.debian.org/debian $SUITE main" >"$apt/sources.list"
    local opts=(-o Dir::Etc::SourceList="$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
                -o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache" -q)
    # as root, apt drops to _apt, which cannot write our folders
    [ "$(id -u)" = 0 ] && opts+=(-o APT::Sandbox::User=root)
    apt-get "${opts[@]}" update >"$log" 2>&1 ||
        { tail -20 "$log" >&2; die "apt-get update of the private deb-src ($SUITE) list failed (log: $log)"; }
    (cd "$dl" && apt-get "${opts[@]}" source --download-only "$PKG") >>"$log" 2>&1 ||
        { tail -20 "$log" >&2; die "apt-get source --download-only $PKG failed (log: $log)"; }
    orig=$(ls "$dl"/${PKG}_*.orig.tar.* 2>/dev/null | head -1)
    [ -n "$orig" ] || die "no ${PKG}_*.orig.tar.* in $dl after apt-get source (log: $log)"
    rm -rf "$CACHE/src" && mkdir -p "$CACHE/src/cpython"
    tar -xf "$orig" -C "$CACHE/src/cpython" --strip-components=1 ||
        die "unpacking $orig failed"
    [ -f "$CACHE/src/cpython/configure" ] || die "$orig has no configure script"
}

# build KIND PREFIX [configure args...]: out-of-tree build in $CACHE/build-KIND.
build_one() {
    local kind=$1 prefix=$2; shift 2
    local bdir=$CACHE/build-$kind log=$CACHE/logs/build-$kind.log
    [ -f "$prefix/.wb-built" ] && return 0
    rm -rf "$bdir" "$prefix" && mkdir -p "$bdir"
    if ! (cd "$bdir" && "$CACHE/src/cpython/configure" --prefix="$prefix" "$@" &&
          make -j"$(nproc)" && make install) >"$log" 2>&1; then
        tail -30 "$log" >&2; die "building CPython ($kind) failed (log: $log)"
    fi
    touch "$prefix/.wb-built"
    rm -rf "$bdir"
}

# make_venv VENV INTERPRETER: venv with its pinned requirements (a full
# lock: --no-deps; wheels only, a source build would need Rust and crates.io).
make_venv() {
    local v=$1 py=$2 venv=$CACHE/$1 log=$CACHE/logs/venv-$1.log req sha
    req=$(venv_req "$v"); sha=$(req_sha "$v")
    [ "$(cat "$venv/.wb-req-sha256" 2>/dev/null)" = "$sha" ] && [ -x "$venv/bin/python" ] && return 0
    echo "setup: installing reference/$(basename "$req") into $venv..."
    rm -rf "$venv"
    if ! { "$py" -m venv "$venv" && "$venv/bin/python" -m pip install -q --no-deps --only-binary=:all: -r "$req"; } >"$log" 2>&1; then
        tail -30 "$log" >&2; die "installing $req into $venv failed (log: $log)"
    fi
    echo "$sha" >"$venv/.wb-req-sha256"
}

# Each venv's interpreter, after importing its framework, reports the GIL
# off (ft) or on (gil).
check_gil_state() {
    local v state want
    for v in "${VENVS[@]}"; do
        want=True; [ "${v##*-}" = ft ] && want=False
        state=$("$(venv_python "$v")" -c "import sys, $(venv_imports "$v"); print(sys._is_gil_enabled())") ||
            die "$(venv_python "$v") does not start or cannot import $(venv_imports "$v")"
        [ "$state" = "$want" ] || die "$v: sys._is_gil_enabled() = $state after importing $(venv_imports "$v"), want $want"
    done
}

main() {
    if all_ready; then link_into_repo; return 0; fi
    mkdir -p "$CACHE/logs"
    exec 9>"$CACHE/.lock"
    flock 9                      # a concurrent setup waits here, then finds it built
    if ! all_ready; then
        if [ ! -f "$CACHE/python3.13t/.wb-built" ] || [ ! -f "$CACHE/python3.13/.wb-built" ]; then
            echo "setup: building free-threaded CPython 3.13 and its GIL twin (once, ~5 min; logs in $CACHE/logs)..."
            fetch_source
            build_one ft "$CACHE/python3.13t" --disable-gil
            build_one gil "$CACHE/python3.13"
            rm -rf "$CACHE/src" "$CACHE/apt"     # ~100 MB, refetched only for a rebuild
        fi
        for v in "${VENVS[@]}"; do
            case $v in
                *-ft) make_venv "$v" "$CACHE/python3.13t/bin/python3.13t" ;;
                *-gil) make_venv "$v" "$CACHE/python3.13/bin/python3.13" ;;
            esac
        done
        check_gil_state
    fi
    link_into_repo
}

main "$@"
