#!/usr/bin/env bash
# Bulk-send throughput over the full stack (issue 16): starts Redis x3 + NATS JetStream + PostgreSQL (scripts/full-stack.sh),
# one host in the full profile over NATS (all roles), then runs the load runner's `batch` scenario (closed model, /send/batch
# of BATCH_SIZE phones) and prints the queued msg/s, the money check, and CPU seconds per process over the measured phase.
#   load/batch-throughput.sh [host-dir] [load-dll]
# Env: DURATION (20 s), WARMUP (5 s), CONCURRENCY (8 batch requests in flight), BATCH_SIZE (1000), PORT (27270),
#      STACK_DIR (/tmp/smsgw-batch-stack), HOST_ARGS (extra host arguments), API_KEY (admin key; default a local one).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
host_dir="${1:-$root/src/Host/bin/Release/net10.0}"
load_dll="${2:-$root/load/bin/Release/net10.0/SmsGateway.Load.dll}"
port="${PORT:-27270}"
export STACK_DIR="${STACK_DIR:-/tmp/smsgw-batch-stack}"
export SMSGW_API_KEY="${API_KEY:-local-batch-throughput-admin-key}"
rm -rf "$STACK_DIR"
out="$(mktemp -d /tmp/smsgw-batch.XXXXXX)"
host_pid=""
cleanup() {
  [ -n "$host_pid" ] && { kill "$host_pid" 2>/dev/null || true; wait "$host_pid" 2>/dev/null || true; }
  "$root/scripts/full-stack.sh" down >/dev/null 2>&1 || true
}
trap cleanup EXIT

"$root/scripts/full-stack.sh" up > "$out/stack.env"
# shellcheck disable=SC1091
source "$out/stack.env"
(cd "$host_dir" && exec dotnet SmsGateway.Host.dll --Gateway:Ports:0="$port" --Gateway:AllPathsOnEveryPort=true ${HOST_ARGS:-}) > "$out/host.log" 2>&1 &
host_pid=$!
for _ in $(seq 1 90); do
  curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break
  kill -0 "$host_pid" 2>/dev/null || { cat "$out/host.log"; exit 1; }
  sleep 1
done

ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
procs() {
  echo "host $host_pid"
  echo "nats-server $(cat "$STACK_DIR/nats.pid")"
  for f in "$STACK_DIR"/redis-*.pid; do echo "redis-server $(cat "$f")"; done
  local pm; pm=$(head -1 "$STACK_DIR/pg/postmaster.pid")
  echo "postgresql $pm"
  for c in $(pgrep -P "$pm"); do echo "postgresql $c"; done
}
snapshot() { procs | while read -r name pid; do echo "$name $pid $(ticks "$pid")"; done; }

snapshot > "$out/before"
set +e
dotnet "$load_dll" run -s batch --profile full --url "http://127.0.0.1:$port" --batch-size "${BATCH_SIZE:-1000}" \
  --concurrency "${CONCURRENCY:-8}" --duration "${DURATION:-20}" --warmup "${WARMUP:-5}" --no-progress --out "$out/run" | tee "$out/load.log"
rc=${PIPESTATUS[0]}
set -e
snapshot > "$out/after"
echo "CPU seconds during warm-up + measured phase + money check (clock ticks / $(getconf CLK_TCK)):"
python3 - "$out/before" "$out/after" "$(getconf CLK_TCK)" <<'PY'
import sys
def read(p):
    d = {}
    for line in open(p):
        name, pid, t = line.split()
        d[(name, pid)] = int(t)
    return d
b, a, hz = read(sys.argv[1]), read(sys.argv[2]), int(sys.argv[3])
per = {}
for k, t in a.items():
    per[k[0]] = per.get(k[0], 0) + t - b.get(k, 0)
for name, t in per.items():
    print(f"  {name}: {t / hz:.1f} s")
PY
echo "host log: $out/host.log; report: $out/run"
exit "$rc"
