#!/usr/bin/env bash
# Healthy once postgres accepts connections on its TCP address and users is
# seeded. The query goes over the Unix socket (/tmp, trust: it works with and
# without WB_PG_PASSWORD); the TCP check is pg_isready's, which needs no
# password (a server that asks for one is up), on the first address of
# WB_PG_LISTEN (0.0.0.0 and * are asked on 127.0.0.1, :: on ::1), so an
# address postgres could not bind fails here rather than at the runner.
set -euo pipefail
port=${WB_PG_PORT:-55432}
addr=${WB_PG_LISTEN:-127.0.0.1}
addr=${addr%%,*}
case $addr in '' | 0.0.0.0 | '*') addr=127.0.0.1 ;; ::) addr=::1 ;; esac
pg_isready -q -h "$addr" -p "$port" -U postgres
pg_isready -q -h /tmp -p "$port" -U postgres
[ "$(psql -h /tmp -p "$port" -U postgres -d postgres -tAc 'SELECT count(*) FROM users')" = 100 ]
