#!/usr/bin/env bash
# Full-stack cost model: closed-model saturation throughput and CPU microseconds per accepted message, per process.
# Starts Redis x3 + NATS JetStream + PostgreSQL (scripts/full-stack.sh), one host in the full profile over NATS, primes it,
# then runs the load runner's `closed` scenario and reads utime+stime of every process from /proc/<pid>/stat before and
# after the measured phase. Prints a Markdown table: process | CPU s | µs per message.
#   scripts/cpu-per-message.sh [host-dir] [load-dll]
# host-dir: folder with SmsGateway.Host.dll (default: this checkout's Release build); load-dll: SmsGateway.Load.dll.
# Building two checkouts and pointing this script at each gives before/after figures from one machine in one sitting.
# Env: DURATION (20 s), PRIME (20 s), CONCURRENCY (32), PORT (27170), API_KEY (sent as Bearer when set; the host then gets
#      it as its admin key), STACK_DIR (/tmp/smsgw-cpu-stack), HOST_ARGS (extra host arguments).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
host_dir="${1:-$root/src/Host/bin/Release/net10.0}"
load_dll="${2:-$root/load/bin/Release/net10.0/SmsGateway.Load.dll}"
port="${PORT:-27170}"
export STACK_DIR="${STACK_DIR:-/tmp/smsgw-cpu-stack}"
rm -rf "$STACK_DIR"
out="$(mktemp -d /tmp/smsgw-cpu.XXXXXX)"
host_pid=""
cleanup() {
  [ -n "$host_pid" ] && { kill "$host_pid" 2>/dev/null || true; wait "$host_pid" 2>/dev/null || true; }
  "$root/scripts/full-stack.sh" down >/dev/null 2>&1 || true
}
trap cleanup EXIT

"$root/scripts/full-stack.sh" up > "$out/stack.env"
# shellcheck disable=SC1091
source "$out/stack.env"
key_args=()
if [ -n "${API_KEY:-}" ]; then
  export Auth__AdminKeys__0="$API_KEY"
  key_args=(--api-key "$API_KEY")
fi
(cd "$host_dir" && exec dotnet SmsGateway.Host.dll --Gateway:Ports:0="$port" --Gateway:AllPathsOnEveryPort=true ${HOST_ARGS:-}) > "$out/host.log" 2>&1 &
host_pid=$!
for _ in $(seq 1 60); do
  curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break
  kill -0 "$host_pid" 2>/dev/null || { cat "$out/host.log"; exit 1; }
  sleep 1
done

load=(dotnet "$load_dll" run -s closed --profile full --url "http://127.0.0.1:$port" --concurrency "${CONCURRENCY:-32}" --no-progress "${key_args[@]}")
"${load[@]}" --duration "${PRIME:-20}" --warmup 0 --out "$out/prime" > /dev/null || true

# pid -> name of every process of the stack (PostgreSQL: the postmaster and all its backends, summed).
procs() {
  echo "host $host_pid"
  echo "nats-server $(cat "$STACK_DIR/nats.pid")"
  for f in "$STACK_DIR"/redis-*.pid; do echo "redis-server $(cat "$f")"; done
  local pm; pm=$(head -1 "$STACK_DIR/pg/postmaster.pid")
  echo "postgresql $pm"
  for c in $(pgrep -P "$pm"); do echo "postgresql $c"; done
}
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
snapshot() { procs | while read -r name pid; do echo "$name $pid $(ticks "$pid")"; done; }

# CPU seconds of this script's reaped children (bash `times`, second line): the load client is the only one reaped in between.
# (`times` must run in this shell, not in a command substitution, whose own children would be counted instead.)
seconds() { tail -1 "$1" | awk '{ split($1, u, "m"); split($2, s, "m"); printf "%.2f", u[1] * 60 + u[2] + s[1] * 60 + s[2] }'; }
ledger_port="${Redis__LedgerEndpoint##*:}" # the ledger node (also lock node 0): its command counts are free of machine noise
redis-cli -p "$ledger_port" info commandstats > "$out/cmd0"
snapshot > "$out/before"
times > "$out/times0"
"${load[@]}" --duration "${DURATION:-20}" --warmup 0 --out "$out/run" > "$out/load.log" 2>&1 || true
times > "$out/times1"
c0=$(seconds "$out/times0"); c1=$(seconds "$out/times1")
snapshot > "$out/after"
redis-cli -p "$ledger_port" info commandstats > "$out/cmd1"
results=$(find "$out/run" -name results.json | head -1)
python3 - "$out/before" "$out/after" "$results" "$(getconf CLK_TCK)" "$(echo "$c1 - $c0" | bc)" "$out/cmd0" "$out/cmd1" <<'PY'
import json, sys
before, after, results, hz, client = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
def commands(path):
    d = {}
    for line in open(path):
        if line.startswith("cmdstat_"):
            name, rest = line.strip()[8:].split(":", 1)
            d[name] = int(dict(kv.split("=") for kv in rest.split(","))["calls"])
    return d
def read(path):
    d = {}
    for line in open(path):
        name, pid, t = line.split()
        d[(name, pid)] = int(t)
    return d
b, a = read(before), read(after)
sc = json.load(open(results))["scenarios"][0]
ok, secs = sc["ok"], sc["seconds"]
per = {}
for key, t in a.items():
    per[key[0]] = per.get(key[0], 0) + t - b.get(key, 0)
print(f"closed model: {ok} accepted in {secs:.1f} s = {ok / secs:,.0f} msg/s, errors {sc['failed']}")
print("| process | CPU s | µs per message |\n|---|---:|---:|")
total = 0
for name, t in per.items():
    s = t / hz
    total += s
    print(f"| {name} | {s:.1f} | {s * 1e6 / max(ok, 1):.0f} |")
print(f"| **total (gateway side)** | {total:.1f} | **{total * 1e6 / max(ok, 1):.0f}** |")
print(f"| load client | {client:.1f} | {client * 1e6 / max(ok, 1):.0f} |")
c0, c1 = commands(sys.argv[6]), commands(sys.argv[7])
calls = {k: v - c0.get(k, 0) for k, v in c1.items() if v - c0.get(k, 0) > 0}
print("\nledger node (Redis 0, also lock node 0), commands per accepted message: "
      + ", ".join(f"{k} {v / max(ok, 1):.2f}" for k, v in sorted(calls.items(), key=lambda kv: -kv[1]))
      + f"; total {sum(calls.values()) / max(ok, 1):.2f}")
PY
echo "host log: $out/host.log; load log: $out/load.log"
