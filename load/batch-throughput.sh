#!/usr/bin/env bash
# Bulk-send throughput over the full stack (issue 16): starts Redis x3 + NATS JetStream + PostgreSQL (scripts/full-stack.sh),
# one host in the full profile over NATS (all roles), then runs the load runner's `batch` scenario (closed model, /send/batch
# of BATCH_SIZE phones) and prints the queued msg/s, the money check, and CPU seconds per process over the measured phase.
# Then it waits (at most SENT_WAIT s, default 300) until the operators have accepted every accepted message, read from the
# host's /metrics (sms_accepted_total against sms_operator_sends_total{outcome="accepted"}), and prints the end-to-end
# rate: messages sent from the load's start (warm-up included) to the last send. CPU seconds are taken at that point too.
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

# "<accepted> <sent>" from the host's counters
counts() {
  curl -fs "http://127.0.0.1:$port/metrics" | awk '
    /^sms_accepted_total[{ ]/ { a += $NF }
    /^sms_operator_sends_total[{]/ && /outcome="accepted"/ { s += $NF }
    END { printf "%d %d\n", a, s }'
}

snapshot > "$out/before"
load_started=$(date +%s.%N)
set +e
dotnet "$load_dll" run -s batch --profile full --url "http://127.0.0.1:$port" --batch-size "${BATCH_SIZE:-1000}" \
  --concurrency "${CONCURRENCY:-8}" --duration "${DURATION:-20}" --warmup "${WARMUP:-5}" --no-progress --out "$out/run" | tee "$out/load.log"
rc=${PIPESTATUS[0]}
set -e
load_ended=$(date +%s.%N)
last=-1; still=0
for _ in $(seq 1 "${SENT_WAIT:-300}"); do
  read -r accepted sent < <(counts)
  [ "$sent" -ge "$accepted" ] && break
  # a message the simulator fails for good is never "accepted": stop once sends stand still for 5 s
  if [ "$sent" -eq "$last" ]; then still=$((still + 1)); [ "$still" -ge 5 ] && break; else still=0; fi
  last=$sent
  sleep 1
done
sent_at=$(date +%s.%N)
python3 - "$accepted" "$sent" "$load_started" "$load_ended" "$sent_at" <<'PY'
import sys
accepted, sent = int(sys.argv[1]), int(sys.argv[2])
start, ended, done = map(float, sys.argv[3:6])
print(f"   dispatch: {sent:,} of {accepted:,} accepted messages sent; the last {done - ended:.1f} s after the load ended;"
      f" end to end {sent / (done - start):,.0f} msg/s from the load's start (warm-up included)")
PY
# Hand-back churn of frames that met full lanes (docs/architecture.md "Message frames"): redeliveries and messages published back.
curl -fs "http://127.0.0.1:$port/metrics" | awk '
  /^sms_redeliveries_total[{]/ && /topic="sms-(express|normal)"/ { r += $NF }
  /^sms_dispatch_frame_requeued_total[{ ]/ { q += $NF }
  END { printf "   frames: %d redeliveries on sms-express/sms-normal, %d messages published back\n", r, q }' || true
snapshot > "$out/after"
echo "CPU seconds during warm-up + measured phase + money check + the wait for the last send (clock ticks / $(getconf CLK_TCK)):"
cpu_seconds "$out/before" "$out/after" | while read -r name secs; do echo "  $name: $secs s"; done
echo "host log: $out/host.log; report: $out/run"
exit "$rc"
