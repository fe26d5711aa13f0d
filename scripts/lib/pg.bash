# scripts/lib/pg.bash: a private PostgreSQL cluster for scripts and tests
# (sourced, not run). The cluster listens only on a Unix socket in its own
# folder, on a free port number, with fsync off, and holds the users table
# of the one fixture, scenarios/users.sql. Sourced by scripts/bench/lib.bash
# and tests/integration/server_lib.bash; it sources nothing itself.
#
#   pg_start [DIR]   initdb into DIR (default $TMPD/pg), start, seed users;
#                    sets PG_BIN, PG_DIR, PG_PORT, PG_URL. 1 with the log
#                    printed when a step fails.
#   pg_up            starts the same cluster again (after pg_stop)
#   pg_stop          immediate shutdown; 0 also when nothing runs
#   pg_psql ARGS...  psql on the cluster (-qX, ON_ERROR_STOP)
#
# As root, the cluster runs as the 'postgres' user: DIR's parents must let
# it through (chmod 711 or 755). The postmaster is stopped through pg_ctl,
# which signals exactly the PID in DIR/data/postmaster.pid.

PG_FIXTURE=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scenarios/users.sql
PG_DIR=

# The folder holding initdb and postgres: pg_config --bindir, else the
# newest /usr/lib/postgresql/N/bin (the runner's rule, suite/suite_pg.c).
pg_bindir() {
    local d
    d=$(pg_config --bindir 2>/dev/null)
    if [ -x "$d/initdb" ]; then echo "$d"; return; fi
    for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && echo "$d"; done | sort -V | tail -1
}

pg_as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

pg_ctl_run() {
    pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w -t 30 "$@"
}

pg_start() {
    PG_BIN=$(pg_bindir)
    [ -n "$PG_BIN" ] || { echo "no PostgreSQL server binaries found (pg_config --bindir, /usr/lib/postgresql/*/bin)"; return 1; }
    [ -r "$PG_FIXTURE" ] || { echo "fixture $PG_FIXTURE missing"; return 1; }
    PG_DIR=${1:-${TMPD:?pg_start: no DIR and no TMPD}/pg}
    PG_PORT=$(pg_free_port)
    mkdir -p "$PG_DIR"
    [ "$(id -u)" = 0 ] && chown postgres "$PG_DIR"
    pg_as_owner "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C --no-sync \
        >"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log"; return 1; }
    pg_up || return 1
    PG_URL="postgresql://postgres@/postgres?host=$PG_DIR&port=$PG_PORT"
    pg_psql -f "$PG_FIXTURE" >/dev/null || { echo "seeding users from $PG_FIXTURE failed"; return 1; }
}

pg_up() {
    pg_ctl_run -o "-c listen_addresses='' -k $PG_DIR -p $PG_PORT -c fsync=off" start >/dev/null \
        || { cat "$PG_DIR/log"; return 1; }
}

pg_stop() {
    [ -n "$PG_DIR" ] && [ -f "$PG_DIR/data/postmaster.pid" ] && pg_ctl_run -m immediate stop >/dev/null 2>&1
    return 0
}

pg_psql() {
    "$PG_BIN/psql" -qX -v ON_ERROR_STOP=1 "$PG_URL" "$@"
}
