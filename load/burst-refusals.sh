#!/usr/bin/env bash
# How a burst is refused over the full stack (issue 15: overload is 429, an outage is 503): starts Redis x3 + NATS
# JetStream + PostgreSQL and one host over NATS (scripts/stack-host.sh), primes it with PRIME s of closed-model traffic,
# then runs the load runner's `burst` scenario (RATE req/s, a 3-s burst at 10x, then back) and prints its answers by
# kind, counted by the load runner ("HTTP 429", "HTTP 503", ...) and by the host (sms_refused_total by reason).
# With RUNS > 1 the burst runs that many times on the same primed host, 3 s apart, and the last line counts the runs
# that had a 5xx (a rare event needs many runs: bench/README.md "Blame needs a silent dependency").
#   load/burst-refusals.sh [host-dir] [load-dll]
# Env: RATE (1000 req/s), DURATION (15 s), WARMUP (3 s), PRIME (10 s), RUNS (1), PORT (27370),
#      STACK_DIR (/tmp/smsgw-burst-stack), API_KEY (admin key; default a local one).
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
runs="${RUNS:-1}"
rc=0
with_5xx=0
for run in $(seq 1 "$runs"); do
  [ "$run" -gt 1 ] && sleep 3
  refused > "$out/refused-before"
  set +e
  dotnet "$load_dll" run -s burst --profile full --url "$url" --rate "${RATE:-1000}" --duration "${DURATION:-15}" \
    --warmup "${WARMUP:-3}" --no-progress --out "$out/run$run" > "$out/load$run.log"
  run_rc=$?
  set -e
  [ "$run_rc" -ne 0 ] && rc=$run_rc
  refused > "$out/refused-after"
  echo "run $run of $runs, load runner (exit $run_rc):"
  grep -E "^ +burst: " "$out/load$run.log" || true
  echo "failed answers by kind:"
  answers="$(grep -h -i -E "HTTP [0-9]{3}|transport:" "$out/load$run.log" "$out/run$run"/*/*.md 2>/dev/null | sort -u || true)"
  [ -n "$answers" ] && echo "$answers" | sed 's/^/  /'
  echo "$answers" | grep -q -E "HTTP 5[0-9]{2}" && with_5xx=$((with_5xx + 1))
  echo "host, sms_refused_total during the burst run (after - before):"
  join -j 1 -a 2 -e 0 -o 2.1,1.2,2.2 <(awk '{ print $1, $2 }' "$out/refused-before") <(awk '{ print $1, $2 }' "$out/refused-after") |
    awk '{ d = $3 - $2; if (d > 0) printf "  %s %d\n", $1, d }'
done
echo "host log: $out/host.log; reports: $out/run*"
echo "runs with a 5xx: $with_5xx of $runs"
exit "$rc"
