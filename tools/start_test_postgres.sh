#!/usr/bin/env bash
# Start (or reuse) a throw-away PostgreSQL server on 127.0.0.1 for the test suite and print its URL on stdout.
#   BACKSAFE_TEST_POSTGRES_URL=$(tools/start_test_postgres.sh) pytest ...
# Installs Debian's postgresql with apt-get when initdb/pg_ctl are missing (needs root). The cluster lives in
# .cache/pg (gitignored); as root it lives in /var/tmp/backsafe-pg-<checkout hash> instead, because the server runs
# as the postgres user, who cannot enter a checkout in a private (mode 700) folder. Idempotent: a running cluster is
# reused. Logs go to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
if [ "$(id -u)" = 0 ]; then
  DEFAULT_PGDIR="/var/tmp/backsafe-pg-$(printf '%s' "$ROOT" | sha1sum | cut -c1-12)"
else
  DEFAULT_PGDIR="$ROOT/.cache/pg"
fi
PGDIR="${BACKSAFE_TEST_PGDIR:-$DEFAULT_PGDIR}"
DATA="$PGDIR/data"
PORT_FILE="$PGDIR/port"
DBNAME=backsafe_test
log() { echo "start_test_postgres: $*" >&2; }

find_bin() {
  local name=$1 p
  if p=$(command -v "$name" 2>/dev/null); then echo "$p"; return 0; fi
  for p in /usr/lib/postgresql/*/bin/"$name"; do [ -x "$p" ] && { echo "$p"; return 0; }; done
  return 1
}

if ! find_bin initdb >/dev/null || ! find_bin pg_ctl >/dev/null; then
  [ "$(id -u)" = 0 ] || { log "initdb/pg_ctl not found and not root: install PostgreSQL"; exit 1; }
  log "installing postgresql with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q postgresql >&2; then
    apt-get update -q >&2
    apt-get install -y -q postgresql >&2
  fi
fi
INITDB=$(find_bin initdb); PG_CTL=$(find_bin pg_ctl); PSQL=$(find_bin psql); BINDIR=$(dirname "$PG_CTL")
PG_ISREADY=$BINDIR/pg_isready; [ -x "$PG_ISREADY" ] || PG_ISREADY=$(find_bin pg_isready)

# Run PostgreSQL tools as the postgres user when we are root (initdb refuses root).
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
  as_pg() { runuser -u postgres -- "$@"; }
  PGUSER_NAME=postgres
else
  as_pg() { "$@"; }
  PGUSER_NAME=$(id -un)
fi

mkdir -p "$PGDIR"
if [ "$(id -u)" = 0 ]; then
  chown postgres "$PGDIR"
  chmod 700 "$PGDIR"
  as_pg test -w "$PGDIR" || { log "the postgres user cannot write $PGDIR (set BACKSAFE_TEST_PGDIR to a folder it can reach)"; exit 1; }
fi

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
url() { echo "postgresql+psycopg://$PGUSER_NAME@127.0.0.1:$1/$DBNAME"; }

if [ -f "$DATA/PG_VERSION" ] && as_pg "$PG_CTL" -D "$DATA" status >/dev/null 2>&1; then
  PORT=$(cat "$PORT_FILE")
  log "reusing the running server on port $PORT"
else
  if [ ! -f "$DATA/PG_VERSION" ]; then
    log "initdb in $DATA"
    as_pg "$INITDB" -D "$DATA" --auth=trust --username="$PGUSER_NAME" --encoding=UTF8 >&2
  fi
  PORT=${BACKSAFE_TEST_PG_PORT:-54329}
  while ! port_free "$PORT"; do PORT=$((PORT + 1)); done
  echo "$PORT" > "$PORT_FILE"
  log "starting on 127.0.0.1:$PORT"
  as_pg "$PG_CTL" -D "$DATA" -l "$PGDIR/server.log" -w -t 60 \
    -o "-h 127.0.0.1 -p $PORT -k $PGDIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >&2
fi
for _ in $(seq 1 60); do
  "$PG_ISREADY" -h 127.0.0.1 -p "$PORT" -q && break
  sleep 0.5
done
if ! "$PSQL" -h 127.0.0.1 -p "$PORT" -U "$PGUSER_NAME" -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname='$DBNAME'" | grep -q 1; then
  "$PSQL" -h 127.0.0.1 -p "$PORT" -U "$PGUSER_NAME" -d postgres -qc "CREATE DATABASE $DBNAME" >&2
fi
url "$PORT"
