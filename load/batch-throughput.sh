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
out="$(mktemp -d /tmp/smsgw-batch.XXXXXX)"
# shellcheck source=scripts/stack-host.sh
source "$root/scripts/stack-host.sh"
stack_host_up

snapshot > "$out/before"
set +e
dotnet "$load_dll" run -s batch --profile full --url "http://127.0.0.1:$port" --batch-size "${BATCH_SIZE:-1000}" \
  --concurrency "${CONCURRENCY:-8}" --duration "${DURATION:-20}" --warmup "${WARMUP:-5}" --no-progress --out "$out/run" | tee "$out/load.log"
rc=${PIPESTATUS[0]}
set -e
snapshot > "$out/after"
echo "CPU seconds during warm-up + measured phase + money check (clock ticks / $(getconf CLK_TCK)):"
cpu_seconds "$out/before" "$out/after" | while read -r name secs; do echo "  $name: $secs s"; done
echo "host log: $out/host.log; report: $out/run"
exit "$rc"
