#!/usr/bin/env bash
# Memory under a flood (issue 12 item 6): starts the embedded host, samples its RSS (VmRSS) once a second, runs an open-model
# express flood far above capacity, then keeps sampling while the host idles, and prints RSS before / peak during / at the end.
# The load report (accepted/s, errors by status, latencies) goes to load/reports/flood-<time>/.
#   load/flood-rss.sh [host-dir]     host-dir: a built src/Host/bin/Release/net10.0 (default: this checkout's)
# Env: RATE (4000 req/s), DURATION (20 s), IDLE (30 s after the flood), PORT (27170), HOST_ARGS (extra host arguments),
#      GCDUMP=1: at the end, also a heap dump (dotnet-gcdump, `dotnet tool install -g dotnet-gcdump`; it forces a full GC, so the
#      RSS printed after it is what a collection gives back) with its largest types in gcdump-report.txt.
# The GC's own figures at the end (heap, committed, fragmentation from /metrics) go to gc-metrics.txt.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
host_dir="${1:-$root/src/Host/bin/Release/net10.0}"
port="${PORT:-27170}"
out="$root/load/reports/flood-$(date -u +%Y%m%d-%H%M%S)"
mkdir -p "$out"
[ -f "$root/load/bin/Release/net10.0/SmsGateway.Load.dll" ] || dotnet build "$root/load/SmsGateway.Load.csproj" -c Release -nologo -v q >/dev/null
(cd "$host_dir" && exec dotnet SmsGateway.Host.dll --Gateway:Ports:0="$port" --Gateway:AllPathsOnEveryPort=true ${HOST_ARGS:-}) >"$out/host.log" 2>&1 &
host_pid=$!
trap 'kill "$host_pid" 2>/dev/null || true; wait "$host_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break; sleep 1; done
rss() { awk '/VmRSS/ {print int($2/1024)}' "/proc/$host_pid/status"; }
sample() { while kill -0 "$host_pid" 2>/dev/null; do echo "$(date +%s) $(rss)"; sleep 1; done; }
sample >"$out/rss.txt" &
sampler=$!
sleep 5
before=$(rss)
dotnet "$root/load/bin/Release/net10.0/SmsGateway.Load.dll" run -s express --rate "${RATE:-4000}" --duration "${DURATION:-20}" --warmup 0 \
  --profile embedded --url "http://127.0.0.1:$port" --no-progress --out "$out" >"$out/load.txt" 2>&1 || true
after_flood=$(rss)
sleep "${IDLE:-30}"
end=$(rss)
kill "$sampler" 2>/dev/null || true
curl -fs "http://127.0.0.1:$port/metrics" | grep -E '^(dotnet_gc|dotnet_process_memory|process_memory)' | grep -v '^#' >"$out/gc-metrics.txt" || true
after_dump=""
if [ "${GCDUMP:-0}" = 1 ]; then
  "$HOME/.dotnet/tools/dotnet-gcdump" collect -p "$host_pid" -o "$out/idle.gcdump" >/dev/null 2>&1 || true
  "$HOME/.dotnet/tools/dotnet-gcdump" report "$out/idle.gcdump" 2>/dev/null | head -40 >"$out/gcdump-report.txt" || true
  sleep 2
  after_dump=", after the heap dump's full GC $(rss)"
fi
peak=$(awk '{ if ($2 > m) m = $2 } END { print m }' "$out/rss.txt")
echo "RSS MiB: before $before, peak $peak, right after the flood $after_flood, after ${IDLE:-30} s idle $end$after_dump" | tee "$out/rss-summary.txt"
grep -E "express|errors|429|503" "$out/load.txt" | head -20 || true
cat "$out/gc-metrics.txt" 2>/dev/null | grep -E 'heap_size|committed|fragmentation|last_collection' | head -20 || true
echo "reports: $out"
