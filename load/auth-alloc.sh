#!/usr/bin/env bash
# Host bytes allocated per accepted /send on the client-key path (README "Security"): an embedded host with an admin key and
# limits set high enough never to refuse, as in load/auth-overhead.sh "on", where every load user sends with its own client
# API key (key lookup, ownership and the per-account limiter on each request). Primes with an 8-s closed run, then reads the
# host's dotnet_gc_heap_total_allocated_bytes_total (/metrics) around a 15-s closed run and divides by the accepted count.
# Allocation counts are steady where throughput on this machine is not (bench/README.md).
# Usage: load/auth-alloc.sh [host-dir]   host-dir: a folder with SmsGateway.Host.dll (default: this checkout's Release build,
#   built first). Env: DURATION (15 s), CONCURRENCY (32), PORT (27091).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${1:-$root/src/Host/bin/Release/net10.0}"
port="${PORT:-27091}"; key="auth-alloc-admin-key-0123456789"
[ -n "${1:-}" ] || dotnet build "$root/src/Host/SmsGateway.Host.csproj" -c Release -nologo -v q >/dev/null
dotnet build "$root/load/SmsGateway.Load.csproj" -c Release -nologo -v q >/dev/null
load="$root/load/bin/Release/net10.0/SmsGateway.Load.dll"
out="$(mktemp -d -t auth-alloc.XXXXXX)"
host_pid=""
stop_host() { if [ -n "$host_pid" ]; then kill "$host_pid" 2>/dev/null || true; wait "$host_pid" 2>/dev/null || true; fi; host_pid=""; }
trap stop_host EXIT
(cd "$dir" && exec dotnet SmsGateway.Host.dll --Gateway:BindAddress=127.0.0.1 --Gateway:Ports:0="$port" --Gateway:Ports:1="$port" \
   --Gateway:Ports:2="$port" --Logging:LogLevel:Default=Warning --Auth:AdminKeys:0="$key" --Auth:Limits:RequestsPerSecond=1000000 \
   --Auth:Limits:MessagesPerSecond=1000000 --Auth:Limits:MessagesPerDay=1000000000) >"$out/host.log" 2>&1 &
host_pid=$!
for _ in $(seq 1 60); do curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break; sleep 1; done
allocated() { curl -fs "http://127.0.0.1:$port/metrics" | awk '/^dotnet_gc_heap_total_allocated_bytes_total/ {s += $2} END {printf "%.0f", s}'; }
closed() { dotnet "$load" run -s closed --duration "$1" --warmup "$2" --concurrency "${CONCURRENCY:-32}" --url "http://127.0.0.1:$port" \
  --no-progress --out "$out/$3" --api-key "$key" --client-keys >"$out/load-$3.log" 2>&1 || true; }
closed 8 3 prime
before="$(allocated)"
closed "${DURATION:-15}" 0 run
after="$(allocated)"
stop_host
ok="$(python3 -c "import json, glob, sys; print(json.load(open(glob.glob(sys.argv[1])[0]))['scenarios'][0]['ok'])" "$out/run/*/results.json")"
echo "$dir: $ok accepted, host bytes allocated per request $(( (after - before) / (ok > 0 ? ok : 1) )) (logs: $out)"
