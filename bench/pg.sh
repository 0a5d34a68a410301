#!/bin/bash
# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
#
# The benchmarks' PostgreSQL cluster (Debian's server), on loopback.
#
#   bench/pg.sh start   create (first time) and start it; prints the URI
#   bench/pg.sh uri     print the URI for TRYTOND_DATABASE__URI
#   bench/pg.sh stop    stop it (the data stays in build/bench-pg)
#   bench/pg.sh remove  stop it and delete its data
#
# The port is 55450, the one of bench/trytond.conf.  The server runs with
# Debian's defaults but for shared_buffers (1 GB), the work memory and jit = off
# (README, "PostgreSQL in production": JIT compiling costs 40-60 ms on
# queries the planner overestimates, such as Tryton's searches with OR'ed
# sub-queries); durability settings (fsync, synchronous_commit) are left
# on, as in production.
set -eu -o pipefail
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PGDATA=$ROOT/build/bench-pg
PORT=55450  # as in bench/trytond.conf
URI=postgresql://tryton:tryton@127.0.0.1:$PORT/

as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
start)
    if [ ! -f "$PGDATA/PG_VERSION" ]; then
        mkdir -p "$PGDATA"
        chmod 700 "$PGDATA"
        [ "$(id -u)" = 0 ] && chown postgres: "$PGDATA"
        as_pg "$PGBIN/initdb" -D "$PGDATA" -U postgres -A trust -E UTF8 \
            --locale=C.UTF-8 >/dev/null
        fresh=1
    fi
    if ! as_pg "$PGBIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
        as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w -s \
            start -o "-c listen_addresses=127.0.0.1 -p $PORT -k $PGDATA \
                -c shared_buffers=1GB -c work_mem=32MB \
                -c maintenance_work_mem=512MB -c max_connections=200 \
                -c jit=off" \
            || { cat "$PGDATA/server.log" >&2; exit 1; }
    fi
    if [ -n "${fresh:-}" ]; then
        "$PGBIN/psql" -q -X -h 127.0.0.1 -p "$PORT" -U postgres -d postgres \
            -c "CREATE ROLE tryton LOGIN PASSWORD 'tryton' SUPERUSER"
    fi
    echo "$URI"
    ;;
uri)
    echo "$URI"
    ;;
stop)
    as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -s stop || true
    ;;
remove)
    as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -s stop 2>/dev/null || true
    rm -rf "$PGDATA"
    ;;
*)
    sed -n '5,14p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
