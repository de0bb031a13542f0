#!/usr/bin/env bash
# CI smoke for the load runner (issue 7 item 6): builds the host and load/, starts the host on the embedded profile
# (HTTP on 7070/8081/6070 by default), runs the tool's selftest, waits until the host answers, runs `smoke` (~30 s), stops the host by its PID.
# Exit code: 1 when a selftest case fails, else the smoke run's (1 when errors > 0, throughput < half the rate, or a sampled
# message never became final).
# Env: SMOKE_PORT (default 7070), SMOKE_RATE (default 200), SMOKE_SECONDS (default 30), SMOKE_HOST_ARGS (extra host arguments).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
port="${SMOKE_PORT:-7070}"
dotnet build "$root/src/Host/SmsGateway.Host.csproj" -c Release -nologo -v q
dotnet build "$root/load/SmsGateway.Load.csproj" -c Release -nologo -v q
# The tool's own tests first (histogram, summary, scheduler, replay checks, runner against an in-process fake gateway; ~30 s).
dotnet "$root/load/bin/Release/net10.0/SmsGateway.Load.dll" selftest
log="$(mktemp -t smoke-host.XXXXXX.log)"
# Run the built host directly (not `dotnet run`) so the PID we stop is the host itself.
(cd "$root/src/Host/bin/Release/net10.0" && exec dotnet SmsGateway.Host.dll --Gateway:AllPathsOnEveryPort=true ${SMOKE_HOST_ARGS:-}) >"$log" 2>&1 &
host=$!
trap 'kill "$host" 2>/dev/null || true; wait "$host" 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  if curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 || curl -fs "http://127.0.0.1:$port/balance/smoke-probe" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$host" 2>/dev/null; then echo "host exited early:"; cat "$log"; exit 1; fi
  sleep 1
done
dotnet "$root/load/bin/Release/net10.0/SmsGateway.Load.dll" smoke --url "http://127.0.0.1:$port" --profile embedded \
  --rate "${SMOKE_RATE:-200}" --seconds "${SMOKE_SECONDS:-30}" --no-progress
