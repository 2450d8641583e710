#!/bin/bash
# First start: make the cluster in PGDATA with POSTGRES_USER (postgres), the password in
# POSTGRES_PASSWORD or the file POSTGRES_PASSWORD_FILE names, and the database POSTGRES_DB
# (the user's name). Then run postgres with the arguments given ("postgres -c port=...").
set -euo pipefail
if [ "${1:-}" = postgres ]; then
  shift
  user="${POSTGRES_USER:-postgres}"
  if [ -n "${POSTGRES_PASSWORD_FILE:-}" ]; then
    password=$(cat "$POSTGRES_PASSWORD_FILE")
  else
    password="${POSTGRES_PASSWORD:-}"
  fi
  if [ ! -s "$PGDATA/PG_VERSION" ]; then
    if [ -z "$password" ]; then
      echo "POSTGRES_PASSWORD or POSTGRES_PASSWORD_FILE must be set for the first start." >&2
      exit 78
    fi
    echo "Making a new PostgreSQL cluster in $PGDATA for $user"
    pwfile=$(mktemp)
    printf '%s\n' "$password" >"$pwfile"
    initdb -D "$PGDATA" --username="$user" --pwfile="$pwfile" --auth-local=trust \
      --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    rm -f "$pwfile"
    echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
    db="${POSTGRES_DB:-$user}"
    if [ "$db" != postgres ]; then
      pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -c unix_socket_directories=/var/run/postgresql" -w start >/dev/null
      createdb -h /var/run/postgresql -U "$user" "$db"
      pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
    fi
  fi
  exec postgres -D "$PGDATA" -c unix_socket_directories=/var/run/postgresql "$@"
fi
exec "$@"
