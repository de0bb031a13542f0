#!/usr/bin/env bash
# Starts (or stops) the servers of the full profile on loopback for local runs and load tests:
# three redis-server (Redlock + ledger), nats-server with JetStream, PostgreSQL, and optionally a kcat-hosted Kafka
# mock cluster. Everything lives under $STACK_DIR (default /tmp/smsgw-stack) and is stopped by PID.
#   scripts/full-stack.sh up      -> prints the environment for the host (source it or copy it)
#   scripts/full-stack.sh down
set -euo pipefail
STACK_DIR=${STACK_DIR:-/tmp/smsgw-stack}
REDIS_PORTS=(${REDIS_PORTS:-16379 16380 16381})
NATS_PORT=${NATS_PORT:-14222}
NATS_MONITOR_PORT=${NATS_MONITOR_PORT:-18222} # HTTP monitoring (/jsz): scripts/cpu-per-message.sh counts JetStream messages there
PG_PORT=${PG_PORT:-15432}
PG_BIN=/usr/lib/postgresql/15/bin

down() {
  for f in "$STACK_DIR"/*.pid; do
    [ -e "$f" ] || continue
    kill "$(cat "$f")" 2>/dev/null || true
    rm -f "$f"
  done
  if [ -f "$STACK_DIR/pg/postmaster.pid" ]; then
    local pg_pid
    pg_pid="$(head -1 "$STACK_DIR/pg/postmaster.pid")"
    kill -INT "$pg_pid" 2>/dev/null || true
    # Fast shutdown writes a checkpoint first: wait (up to 15 s) so a following `up` or a wipe of STACK_DIR finds it gone.
    for _ in $(seq 1 75); do kill -0 "$pg_pid" 2>/dev/null || break; sleep 0.2; done
  fi
  sleep 1
}

up() {
  "$(dirname "$0")/../.ci/install-servers" >/dev/null
  mkdir -p "$STACK_DIR"
  for p in "${REDIS_PORTS[@]}"; do
    redis-server --port "$p" --bind 127.0.0.1 --save "" --appendonly no --daemonize no >"$STACK_DIR/redis-$p.log" 2>&1 &
    echo $! >"$STACK_DIR/redis-$p.pid"
  done
  mkdir -p "$STACK_DIR/nats"
  nats-server -js -a 127.0.0.1 -p "$NATS_PORT" -m "$NATS_MONITOR_PORT" -sd "$STACK_DIR/nats" >"$STACK_DIR/nats.log" 2>&1 &
  echo $! >"$STACK_DIR/nats.pid"
  if [ ! -d "$STACK_DIR/pg" ]; then
    mkdir -p "$STACK_DIR/pg" && chown postgres "$STACK_DIR/pg" "$STACK_DIR"
    runuser -u postgres -- "$PG_BIN/initdb" -D "$STACK_DIR/pg" -U postgres --auth=trust >"$STACK_DIR/initdb.log" 2>&1
  fi
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$STACK_DIR/pg" -l "$STACK_DIR/pg.log" \
    -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $STACK_DIR -c fsync=off -c synchronous_commit=off" start >/dev/null
  for i in $(seq 1 50); do
    runuser -u postgres -- "$PG_BIN/pg_isready" -h 127.0.0.1 -p "$PG_PORT" >/dev/null 2>&1 && break
    sleep 0.2
  done
  runuser -u postgres -- psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -tc "SELECT 1 FROM pg_database WHERE datname='smsgw'" | grep -q 1 ||
    runuser -u postgres -- psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -c "CREATE DATABASE smsgw" >/dev/null
  cat <<ENV
export Gateway__Profile=full
export Gateway__Transport=nats
export Redis__LedgerEndpoint=127.0.0.1:${REDIS_PORTS[0]}
export Redis__LockEndpoints__0=127.0.0.1:${REDIS_PORTS[0]}
export Redis__LockEndpoints__1=127.0.0.1:${REDIS_PORTS[1]}
export Redis__LockEndpoints__2=127.0.0.1:${REDIS_PORTS[2]}
export Nats__Url=nats://127.0.0.1:$NATS_PORT
export Postgres__ConnectionString="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=smsgw"
export Auth__AdminKeys__0=${SMSGW_API_KEY:-local-full-stack-admin-key-change-me}
export SMSGW_API_KEY=${SMSGW_API_KEY:-local-full-stack-admin-key-change-me}
ENV
}

case "${1:-up}" in
  up) up ;;
  down) down ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
