#!/usr/bin/env bash
# Cost of authentication + per-account limits at saturation (README "Security"): the closed-model scenario against an
# embedded host, alternating "off" (open development mode) and "on" (admin key configured; every load user sends with its
# own client API key, so API-key lookup, ownership and the GCRA limiter run on each /send; limits set high enough never to
# refuse). Same binaries, PAIRS alternating pairs; prints accepted/s of each run and the on/off ratio of the medians.
# Usage: load/auth-overhead.sh            Env: PAIRS (3), DURATION (15 s), WARMUP (5 s), CONCURRENCY (32), PORT (27071)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
pairs="${PAIRS:-3}"; port="${PORT:-27071}"; key="auth-overhead-admin-key-0123456789"
dotnet build "$root/src/Host/SmsGateway.Host.csproj" -c Release -nologo -v q >/dev/null
dotnet build "$root/load/SmsGateway.Load.csproj" -c Release -nologo -v q >/dev/null
out="$(mktemp -d -t auth-overhead.XXXXXX)"
host_pid=""
stop_host() { if [ -n "$host_pid" ]; then kill "$host_pid" 2>/dev/null || true; wait "$host_pid" 2>/dev/null || true; fi; host_pid=""; }
trap stop_host EXIT
run() { # mode: off|on
  local mode="$1" host_args=() load_args=()
  if [ "$mode" = on ]; then
    host_args=(--Auth:AdminKeys:0="$key" --Auth:Limits:RequestsPerSecond=1000000 --Auth:Limits:MessagesPerSecond=1000000 --Auth:Limits:MessagesPerDay=1000000000)
    load_args=(--api-key "$key" --client-keys)
  fi
  (cd "$root/src/Host/bin/Release/net10.0" && exec dotnet SmsGateway.Host.dll --Gateway:BindAddress=127.0.0.1 \
     --Gateway:Ports:0="$port" --Gateway:Ports:1="$port" --Gateway:Ports:2="$port" --Logging:LogLevel:Default=Warning "${host_args[@]}") >"$out/host-$mode.log" 2>&1 &
  host_pid=$!
  for _ in $(seq 1 60); do curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break; sleep 1; done
  dotnet "$root/load/bin/Release/net10.0/SmsGateway.Load.dll" run -s closed --duration "${DURATION:-15}" --warmup "${WARMUP:-5}" \
    --concurrency "${CONCURRENCY:-32}" --url "http://127.0.0.1:$port" --no-progress --out "$out/$mode" "${load_args[@]}" >"$out/load-$mode.log" 2>&1 || true
  stop_host
  grep -ho 'accepted ([0-9]*/s)' "$out"/"$mode"/*/report.md | tail -1 | tr -dc '0-9'
}
off=(); on=()
for i in $(seq 1 "$pairs"); do
  off+=("$(run off)"); on+=("$(run on)")
  echo "pair $i: off ${off[-1]} accepted/s, on ${on[-1]} accepted/s"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
mo="$(median "${off[@]}")"; mn="$(median "${on[@]}")"
echo "median off $mo/s, on $mn/s, ratio on/off $(awk -v a="$mn" -v b="$mo" 'BEGIN {printf "%.3f", a/b}') (logs and reports: $out)"
