#!/usr/bin/env bash
# Two host builds compared in one sitting: runs scripts/cpu-per-message.sh on each in the order base, new, new, base
# (repeated PAIRS/2 times, so that a machine that speeds up or slows down during the sitting favours neither build), then
# prints each run and the medians: accepted msg/s, and CPU µs per accepted message of the host, nats-server and all
# gateway-side processes, with the ratio new/base of each median. A noisy machine changes speed by a third within minutes
# (bench/README.md), so only a ratio from one sitting says anything about a change.
#   scripts/cpu-ab.sh <base-host-dir> <new-host-dir> [load-dll]
# host dirs: folders with SmsGateway.Host.dll (build a second checkout with `git worktree add`); load-dll as in
# cpu-per-message.sh. Env: PAIRS (4: base, new, new, base, base, new, new, base), PAUSE (10 s between runs), and every
# variable of cpu-per-message.sh (DURATION, PRIME, CONCURRENCY, TRANSPORT, ...).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
base_dir="${1:?usage: scripts/cpu-ab.sh <base-host-dir> <new-host-dir> [load-dll]}"
new_dir="${2:?usage: scripts/cpu-ab.sh <base-host-dir> <new-host-dir> [load-dll]}"
load_dll="${3:-$root/load/bin/Release/net10.0/SmsGateway.Load.dll}"
pairs="${PAIRS:-4}"
for dir in "$base_dir" "$new_dir"; do
  [ -f "$dir/SmsGateway.Host.dll" ] || { echo "no SmsGateway.Host.dll in $dir: build it with dotnet build -c Release src/Host" >&2; exit 2; }
done

order=()
for ((i = 0; i < pairs; i++)); do
  if (( i % 2 == 0 )); then order+=(base new); else order+=(new base); fi
done

results="$(mktemp /tmp/smsgw-cpu-ab.XXXXXX)"
for build in "${order[@]}"; do
  sleep "${PAUSE:-10}"
  dir="$base_dir"; [ "$build" = new ] && dir="$new_dir"
  log="$(mktemp /tmp/smsgw-cpu-ab-run.XXXXXX)"
  bash "$root/scripts/cpu-per-message.sh" "$dir" "$load_dll" > "$log" 2>&1 || { echo "run of $build failed; its output: $log" >&2; exit 1; }
  # "closed model: N accepted in T s = X msg/s" and the rows "| host | s | µs |", "| nats-server | ...", "| **total ... | **µs** |"
  awk -v build="$build" -v at="$(date +%T)" '
    /^closed model:/ { for (i = 1; i <= NF; i++) if ($i == "msg/s,") { rate = $(i - 1) } }
    /^\| host \|/ { host = $6 }
    /^\| nats-server \|/ { nats = $6 }
    /^\| \*\*total/ { total = $(NF - 1) }
    END { gsub(/[,*]/, "", rate); gsub(/\*/, "", total); print build, at, rate, host, nats, total }' "$log" >> "$results"
  tail -1 "$results"
done

echo
python3 - "$results" <<'EOF'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1]) if line.strip()]
cols = ["accepted msg/s", "host µs/msg", "nats-server µs/msg", "gateway-side µs/msg"]
med = {b: [statistics.median(float(r[2 + c]) for r in rows if r[0] == b) for c in range(4)] for b in ("base", "new")}
print("| build | run at | " + " | ".join(cols) + " |")
print("|---|---|" + "---:|" * len(cols))
for r in rows:
    print(f"| {r[0]} | {r[1]} | " + " | ".join(r[2:6]) + " |")
for b in ("base", "new"):
    print(f"| **{b}, median** | | " + " | ".join(f"{v:,.0f}" for v in med[b]) + " |")
print("| **new / base** | | " + " | ".join(f"{n / o:.2f}" for n, o in zip(med["new"], med["base"])) + " |")
EOF
