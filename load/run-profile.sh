#!/usr/bin/env bash
# One command per profile (issue 7): starts the host (and, for `full`, Redis x3 + NATS JetStream + PostgreSQL through
# scripts/full-stack.sh), runs the load scenarios with DESIGN.md's budgets, writes the reports to
# load/reports/<profile>-<time>/pass{1,2}/<time>/ plus summary.md, and stops what it started by PID.
# Exit code 1 when a budget is breached or a host failed to start.
#   load/run-profile.sh embedded|full
# Two passes:
#   1. zero-delay operator simulator: express, mixed, burst, ramp, closed, max-rate (the absolute budgets assume it);
#   2. simulator latency ${BACKLOG_LATENCY_MS:-200} ms so a 100,000-message normal backlog really waits in the broker:
#      express (the unloaded reference) then backlog (express while the backlog is queued; budget 2x the reference).
#      Express runs at BACKLOG_RATE (100 req/s) there: at 200 ms per send a lane serves 320 msg/s per operator, and the
#      reference must not be saturated by express alone.
# Each pass starts a fresh host. Pass 1 first primes it with PRIME seconds of closed-model traffic that is not reported: a fresh
# full-profile host needs ~25 s (JIT tiers, thread pool, connection pools) to reach its steady throughput. Pass 2 is not primed
# (at 200 ms per send that traffic would itself become a backlog), so its express reference includes the host's first minute.
# Host logs: <out>/host-run<N>-pass<P>.log. In the full profile each run starts on empty servers (STACK_DIR is wiped).
# The whole sequence runs RUNS times (default 3); load/reports/<profile>-<time>/summary.md then holds the medians over the runs
# (`load summarize`), which are the figures the README quotes.
# Env: RUNS (3), RATE (1000 req/s), DURATION (30 s), WARMUP (5 s), PRIME (25 s), BACKLOG (100000), BACKLOG_RATE (100), PASSES ("1 2"),
#      PORT (27070), LOAD_ARGS (extra `run` options).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
profile="${1:-embedded}"
port="${PORT:-27070}"
dotnet build "$root/src/Host/SmsGateway.Host.csproj" -c Release -nologo -v q >/dev/null
dotnet build "$root/load/SmsGateway.Load.csproj" -c Release -nologo -v q >/dev/null
load=(dotnet "$root/load/bin/Release/net10.0/SmsGateway.Load.dll")
host_pid=""
stop_host() { # never fails: a host that exits non-zero on shutdown must not abort the remaining runs or the summary
  if [ -n "$host_pid" ]; then kill "$host_pid" 2>/dev/null || true; wait "$host_pid" 2>/dev/null || true; fi
  host_pid=""
}
cleanup() { stop_host || true; [ "$profile" = full ] && "$root/scripts/full-stack.sh" down || true; }
trap cleanup EXIT

# Exported so the cleanup's `full-stack.sh down` stops the same servers.
export STACK_DIR="${STACK_DIR:-/tmp/smsgw-load-stack}"
# Each run of the full profile starts on empty servers. full-stack.sh keeps NATS's and PostgreSQL's data in STACK_DIR
# across down and up, and pass 2 ends with about 80,000 normal messages still queued: the next run's host drained them
# and their statuses while its express scenario was measured (HTTP accept p99 22-24 ms in the first express run after
# such a drain, 6-10 ms in the next ones; bench/README.md "Each run of run-profile.sh on empty servers").
fresh_stack() {
  "$root/scripts/full-stack.sh" down >/dev/null 2>&1 || true
  rm -rf "$STACK_DIR"
  "$root/scripts/full-stack.sh" up > /tmp/smsgw-load-stack.env
  # shellcheck disable=SC1091
  source /tmp/smsgw-load-stack.env
}

start_host() { # extra host arguments...
  (cd "$root/src/Host/bin/Release/net10.0" && exec dotnet SmsGateway.Host.dll --Gateway:Ports:0="$port" --Gateway:AllPathsOnEveryPort=true "$@") >"$host_log" 2>&1 &
  host_pid=$!
  for _ in $(seq 1 60); do
    curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && return 0
    kill -0 "$host_pid" 2>/dev/null || { cat "$host_log"; return 1; }
    sleep 1
  done
  return 1
}

prime() { # closed-model traffic that warms the fresh host; its report goes to a scratch folder
  "${load[@]}" run -s closed --duration "${PRIME:-25}" --warmup 0 --profile "$profile" --url "http://127.0.0.1:$port" --no-progress --out "$out/prime" >/dev/null || true
}

out="$root/load/reports/$profile-$(date -u +%Y%m%d-%H%M%S)"
mkdir -p "$out"
common=(--profile "$profile" --url "http://127.0.0.1:$port" --duration "${DURATION:-30}" --warmup "${WARMUP:-5}" --no-progress ${LOAD_ARGS:-})
status=0
for run in $(seq 1 "${RUNS:-3}"); do
  [ "$profile" = full ] && fresh_stack
  for pass in ${PASSES:-1 2}; do
    echo "== $profile: run $run, pass $pass"
    host_log="$out/host-run$run-pass$pass.log"
    if [ "$pass" = 1 ]; then
      start_host || { echo "host did not start (run $run, pass 1): $host_log"; status=1; stop_host; continue; }
      prime
      "${load[@]}" run -s express,mixed,burst,ramp,closed,max-rate --rate "${RATE:-1000}" "${common[@]}" --out "$out/pass1" || status=1
    else
      # The backlog pass is not primed with closed traffic: at 200 ms per send that traffic would itself become a backlog.
      start_host --Gateway:Simulator:LatencyMs="${BACKLOG_LATENCY_MS:-200}" ||
        { echo "host did not start (run $run, pass $pass): $host_log"; status=1; stop_host; continue; }
      "${load[@]}" run -s express,backlog --backlog "${BACKLOG:-100000}" --rate "${BACKLOG_RATE:-100}" "${common[@]}" --out "$out/pass$pass" || status=1
    fi
    stop_host
  done
done
rm -rf "$out/prime"
{
  for pass in ${PASSES:-1 2}; do
    echo "## Pass $pass"
    echo
    if [ -d "$out/pass$pass" ]; then
      "${load[@]}" summarize "$out/pass$pass" | sed 's/^# /### /' || echo "(summarize failed for pass $pass)"
    else
      echo "(no reports: every run of this pass failed before writing one)"
    fi
    echo
  done
} > "$out/summary.md"
echo "summary: $out/summary.md"
exit $status
