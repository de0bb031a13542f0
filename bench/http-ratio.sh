#!/usr/bin/env bash
# Issue 15 item 3: embedded /send against the bare Kestrel baseline (bench/KestrelBaseline), same cores, same load runner
# (closed model), alternating baseline / gateway PAIRS times; prints accepted/s of each run and the ratio of the medians, and
# the server's CPU µs per request (utime+stime over warm-up + run; steadier than req/s on a shared machine) and its ratio.
# Usage: bench/http-ratio.sh            Env: PAIRS (3), DURATION (15 s), WARMUP (5 s), CONCURRENCY (64), PORT (27081),
#   COMPARE_HOST_DIR (optional: the bin/Release/net10.0 folder of another build of src/Host, e.g. main's; each round then
#   also runs that gateway, so a before/after comparison comes from one alternating run), COMPARE_HOST_ARGS and COMPARE_ENV
#   (optional, space-separated: extra command-line settings and VAR=value pairs for the compare gateway only; with
#   COMPARE_HOST_ARGS alone the compare gateway is this build with those settings), BASELINE_ARGS (optional, space-separated
#   command-line settings of the baseline, e.g. --Sockets:UnsafePreferInlineScheduling=true for the gateway's Kestrel setting)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
pairs="${PAIRS:-3}"; port="${PORT:-27081}"
for p in src/Host/SmsGateway.Host.csproj bench/KestrelBaseline/SmsGateway.KestrelBaseline.csproj load/SmsGateway.Load.csproj; do
  dotnet build "$root/$p" -c Release -nologo -v q >/dev/null
done
out="$(mktemp -d -t http-ratio.XXXXXX)"
server_pid=""
stop_server() { if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi; server_pid=""; }
trap stop_server EXIT
run() { # which: baseline|gateway|compare
  local which="$1" host_dir="$root/src/Host/bin/Release/net10.0"
  local extra_args=() extra_env=()
  if [ "$which" = compare ]; then
    host_dir="${COMPARE_HOST_DIR:-$host_dir}"; read -ra extra_args <<<"${COMPARE_HOST_ARGS:-}"; read -ra extra_env <<<"${COMPARE_ENV:-}"
  fi
  if [ "$which" = baseline ]; then
    read -ra extra_args <<<"${BASELINE_ARGS:-}"
    (cd "$root/bench/KestrelBaseline/bin/Release/net10.0" && exec dotnet SmsGateway.KestrelBaseline.dll --urls "http://127.0.0.1:$port" "${extra_args[@]}") >"$out/server-$which.log" 2>&1 &
  else
    (cd "$host_dir" && exec env "${extra_env[@]}" dotnet SmsGateway.Host.dll --Gateway:BindAddress=127.0.0.1 \
       --Gateway:Ports:0="$port" --Gateway:Ports:1="$port" --Gateway:Ports:2="$port" --Logging:LogLevel:Default=Warning "${extra_args[@]}") >"$out/server-$which.log" 2>&1 &
  fi
  server_pid=$!
  for _ in $(seq 1 60); do curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break; sleep 1; done
  local cpu0; cpu0="$(cpu_ticks "$server_pid")"
  dotnet "$root/load/bin/Release/net10.0/SmsGateway.Load.dll" run -s closed --duration "${DURATION:-15}" --warmup "${WARMUP:-5}" \
    --concurrency "${CONCURRENCY:-64}" --url "http://127.0.0.1:$port" --no-progress --out "$out/$which" >"$out/load-$which.log" 2>&1 || true
  local cpu1; cpu1="$(cpu_ticks "$server_pid")"
  stop_server
  # Server CPU per request over warm-up + run (less sensitive to a busy machine than req/s): µs = ticks × 10^6 / CLK_TCK / requests.
  local requests; requests="$(grep -oE 'closed( warm-up)?: [0-9,]+ requests' "$out/load-$which.log" | tr -dc '0-9\n' | awk '{s+=$1} END {print s+0}')"
  awk -v t=$((cpu1 - cpu0)) -v hz="$(getconf CLK_TCK)" -v n="$requests" 'BEGIN {printf "%.1f\n", (n > 0 ? t * 1e6 / hz / n : 0)}' >"$out/cpu-$which"
  grep -ho 'accepted ([0-9]*/s)' "$out"/"$which"/*/report.md | tail -1 | tr -dc '0-9'
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; } # utime + stime of the server process
base=(); gw=(); base_cpu=(); gw_cpu=(); cmp=(); cmp_cpu=()
for i in $(seq 1 "$pairs"); do
  base+=("$(run baseline)"); base_cpu+=("$(cat "$out/cpu-baseline")"); gw+=("$(run gateway)"); gw_cpu+=("$(cat "$out/cpu-gateway")")
  echo "pair $i: baseline ${base[-1]} accepted/s (${base_cpu[-1]} µs server CPU/request), gateway ${gw[-1]} accepted/s (${gw_cpu[-1]} µs server CPU/request)"
  if [ -n "${COMPARE_HOST_DIR:-}${COMPARE_HOST_ARGS:-}${COMPARE_ENV:-}" ]; then
    cmp+=("$(run compare)"); cmp_cpu+=("$(cat "$out/cpu-compare")")
    echo "pair $i: compare gateway (${COMPARE_HOST_DIR:-this build} ${COMPARE_HOST_ARGS:-} ${COMPARE_ENV:-}) ${cmp[-1]} accepted/s (${cmp_cpu[-1]} µs server CPU/request)"
  fi
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
mb="$(median "${base[@]}")"; mg="$(median "${gw[@]}")"
echo "median baseline $mb/s, gateway $mg/s, ratio gateway/baseline $(awk -v a="$mg" -v b="$mb" 'BEGIN {printf "%.3f", a/b}') (logs and reports: $out)"
mbc="$(median "${base_cpu[@]}")"; mgc="$(median "${gw_cpu[@]}")"
echo "median server CPU per request: baseline $mbc µs, gateway $mgc µs, ratio baseline/gateway $(awk -v a="$mbc" -v b="$mgc" 'BEGIN {printf "%.3f", a/b}')"
if [ -n "${COMPARE_HOST_DIR:-}${COMPARE_HOST_ARGS:-}${COMPARE_ENV:-}" ]; then
  mc="$(median "${cmp[@]}")"; mcc="$(median "${cmp_cpu[@]}")"
  echo "compare gateway: median $mc/s, ratio compare/baseline $(awk -v a="$mc" -v b="$mb" 'BEGIN {printf "%.3f", a/b}'), CPU $mcc µs/request, ratio baseline/compare $(awk -v a="$mbc" -v b="$mcc" 'BEGIN {printf "%.3f", a/b}')"
fi
