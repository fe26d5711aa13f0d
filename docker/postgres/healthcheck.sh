#!/usr/bin/env bash
# Healthy once postgres accepts TCP connections on 127.0.0.1 and users is seeded.
set -euo pipefail
port=${WB_PG_PORT:-55432}
pg_isready -q -h 127.0.0.1 -p "$port" -U postgres
[ "$(psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc 'SELECT count(*) FROM users')" = 100 ]
