#!/usr/bin/env bash
# How a burst is refused over the full stack (issue 15: overload is 429, an outage is 503): starts Redis x3 + NATS
# JetStream + PostgreSQL and one host over NATS (scripts/stack-host.sh), primes it with PRIME s of closed-model traffic,
# then runs the load runner's `burst` scenario (RATE req/s, a 3-s burst at 10x, then back) and prints its answers by
# kind, counted by the load runner ("HTTP 429", "HTTP 503", ...) and by the host (sms_refused_total by reason).
#   load/burst-refusals.sh [host-dir] [load-dll]
# Env: RATE (1000 req/s), DURATION (15 s), WARMUP (3 s), PRIME (10 s), PORT (27370), STACK_DIR (/tmp/smsgw-burst-stack),
#      API_KEY (admin key; default a local one).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
host_dir="${1:-$root/src/Host/bin/Release/net10.0}"
load_dll="${2:-$root/load/bin/Release/net10.0/SmsGateway.Load.dll}"
port="${PORT:-27370}"
export STACK_DIR="${STACK_DIR:-/tmp/smsgw-burst-stack}"
export SMSGW_API_KEY="${API_KEY:-local-burst-refusals-admin-key}"
out="$(mktemp -d /tmp/smsgw-burst.XXXXXX)"
# shellcheck source=scripts/stack-host.sh
source "$root/scripts/stack-host.sh"
stack_host_up

url="http://127.0.0.1:$port"
dotnet "$load_dll" run -s closed --profile full --url "$url" --duration "${PRIME:-10}" --warmup 0 --no-progress --out "$out/prime" > /dev/null || true
refused() { curl -fs "$url/metrics" | awk '/^sms_refused_total[{]/ { print }' | sort; }
refused > "$out/refused-before"
set +e
dotnet "$load_dll" run -s burst --profile full --url "$url" --rate "${RATE:-1000}" --duration "${DURATION:-15}" \
  --warmup "${WARMUP:-3}" --no-progress --out "$out/run" > "$out/load.log"
rc=$?
set -e
refused > "$out/refused-after"
echo "load runner (exit $rc):"
grep -E "^ +burst: " "$out/load.log" || true
echo "failed answers by kind:"
grep -h -i -E "HTTP [0-9]{3}|transport:" "$out/load.log" "$out"/run/*/*.md 2>/dev/null | sort -u | sed 's/^/  /' || true
echo "host, sms_refused_total during the burst run (after - before):"
join -j 1 -a 2 -e 0 -o 2.1,1.2,2.2 <(awk '{ print $1, $2 }' "$out/refused-before") <(awk '{ print $1, $2 }' "$out/refused-after") |
  awk '{ d = $3 - $2; if (d > 0) printf "  %s %d\n", $1, d }'
echo "host log: $out/host.log; report: $out/run"
exit "$rc"
