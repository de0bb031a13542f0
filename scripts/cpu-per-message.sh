#!/usr/bin/env bash
# Full-stack cost model: closed-model saturation throughput and CPU microseconds per accepted message, per process.
# Starts Redis x3 + NATS JetStream + PostgreSQL (scripts/full-stack.sh), one host in the full profile over NATS, primes it,
# then runs the load runner's `closed` scenario and reads utime+stime of every process from /proc/<pid>/stat before and
# after the measured phase. Prints a Markdown table: process | CPU s | µs per message.
#   scripts/cpu-per-message.sh [host-dir] [load-dll]
# host-dir: folder with SmsGateway.Host.dll (default: this checkout's Release build); load-dll: SmsGateway.Load.dll.
# Building two checkouts and pointing this script at each gives before/after figures from one machine in one sitting.
# Env: DURATION (20 s), PRIME (20 s), CONCURRENCY (32), PORT (27170), API_KEY (sent as Bearer when set; the host then gets
#      it as its admin key), STACK_DIR (/tmp/smsgw-cpu-stack), HOST_ARGS (extra host arguments), TRANSPORT (nats | kafka:
#      librdkafka's mock cluster in a process of its own, see scripts/stack-host.sh).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
host_dir="${1:-$root/src/Host/bin/Release/net10.0}"
load_dll="${2:-$root/load/bin/Release/net10.0/SmsGateway.Load.dll}"
port="${PORT:-27170}"
export STACK_DIR="${STACK_DIR:-/tmp/smsgw-cpu-stack}"
out="$(mktemp -d /tmp/smsgw-cpu.XXXXXX)"
# shellcheck source=scripts/stack-host.sh
source "$root/scripts/stack-host.sh"
key_args=()
if [ -n "${API_KEY:-}" ]; then
  export Auth__AdminKeys__0="$API_KEY"
  key_args=(--api-key "$API_KEY")
fi
stack_host_up

load=(dotnet "$load_dll" run -s closed --profile full --url "http://127.0.0.1:$port" --concurrency "${CONCURRENCY:-32}" --no-progress "${key_args[@]}")
"${load[@]}" --duration "${PRIME:-20}" --warmup 0 --out "$out/prime" > /dev/null || true

# CPU seconds of this script's reaped children (bash `times`, second line): the load client is the only one reaped in between.
# (`times` must run in this shell, not in a command substitution, whose own children would be counted instead.)
seconds() { tail -1 "$1" | awk '{ split($1, u, "m"); split($2, s, "m"); printf "%.2f", u[1] * 60 + u[2] + s[1] * 60 + s[2] }'; }
# JetStream messages per stream so far (last_seq: work-queue streams delete acked messages, their sequence keeps counting).
jsz() { curl -fs "http://127.0.0.1:${NATS_MONITOR_PORT:-18222}/jsz?streams=true" || echo '{}'; }
ledger_port="${Redis__LedgerEndpoint##*:}" # the ledger node (also lock node 0): its command counts are free of machine noise
redis-cli -p "$ledger_port" info commandstats > "$out/cmd0"
# Host runtime counters (noise-free per message, unlike CPU time): its /metrics and its context switches.
# (Context switches summed over the host's live threads: those of threads that ended in between are missed.)
host_counters() { curl -fs "http://127.0.0.1:$port/metrics" || true; cat /proc/"$host_pid"/task/*/status 2>/dev/null | grep ctxt_switches || true; }
host_counters > "$out/host0"
snapshot > "$out/before"
jsz > "$out/jsz0"
times > "$out/times0"
"${load[@]}" --duration "${DURATION:-20}" --warmup 0 --out "$out/run" > "$out/load.log" 2>&1 || true
times > "$out/times1"
c0=$(seconds "$out/times0"); c1=$(seconds "$out/times1")
snapshot > "$out/after"
jsz > "$out/jsz1"
redis-cli -p "$ledger_port" info commandstats > "$out/cmd1"
host_counters > "$out/host1"
results=$(find "$out/run" -name results.json | head -1)
cpu_seconds "$out/before" "$out/after" > "$out/cpu"
python3 - "$out/cpu" "$results" "$(echo "$c1 - $c0" | bc)" "$out/jsz0" "$out/jsz1" "$out/cmd0" "$out/cmd1" "$out/host0" "$out/host1" <<'PY'
import json, re, sys
def commands(path):
    d = {}
    for line in open(path):
        if line.startswith("cmdstat_"):
            name, rest = line.strip()[8:].split(":", 1)
            d[name] = int(dict(kv.split("=") for kv in rest.split(","))["calls"])
    return d
cpu, results, client = sys.argv[1], sys.argv[2], float(sys.argv[3])
sc = json.load(open(results))["scenarios"][0]
ok, secs = sc["ok"], sc["seconds"]
print(f"closed model: {ok} accepted in {secs:.1f} s = {ok / secs:,.0f} msg/s, errors {sc['failed']}")
print("| process | CPU s | µs per message |\n|---|---:|---:|")
total = 0
for line in open(cpu):
    name, s = line.split()
    s = float(s)
    total += s
    print(f"| {name} | {s:.1f} | {s * 1e6 / max(ok, 1):.0f} |")
print(f"| **total (gateway side)** | {total:.1f} | **{total * 1e6 / max(ok, 1):.0f}** |")
print(f"| load client | {client:.1f} | {client * 1e6 / max(ok, 1):.0f} |")
def streams(path):
    try:
        d = json.load(open(path))
    except ValueError:
        return {}
    return {s["name"]: (s["state"]["last_seq"], s["state"]["bytes"]) for a in d.get("account_details", [])
            for s in (a.get("stream_detail") or [])}
j0, j1 = streams(sys.argv[4]), streams(sys.argv[5])
if j1:
    print("| JetStream stream | messages | per accepted message |\n|---|---:|---:|")
    for name in sorted(j1):
        n = j1[name][0] - j0.get(name, (0, 0))[0]
        print(f"| {name} | {n} | {n / max(ok, 1):.2f} |")
c0, c1 = commands(sys.argv[6]), commands(sys.argv[7])
calls = {k: v - c0.get(k, 0) for k, v in c1.items() if v - c0.get(k, 0) > 0}
print("\nledger node (Redis 0, also lock node 0), commands per accepted message: "
      + ", ".join(f"{k} {v / max(ok, 1):.2f}" for k, v in sorted(calls.items(), key=lambda kv: -kv[1]))
      + f"; total {sum(calls.values()) / max(ok, 1):.2f}")
def counters(path):
    d = {}
    for line in open(path):
        m = re.match(r"([a-z_]+)(?:\{[^}]*\})? ([0-9.e+]+)", line.replace(":\t", " ").replace(": ", " ").strip())
        if m:
            d[m.group(1)] = d.get(m.group(1), 0) + float(m.group(2))
    return d
h0, h1 = counters(sys.argv[8]), counters(sys.argv[9])
def per(*names):
    for name in names:
        if name in h1:
            return f"{(h1[name] - h0.get(name, 0)) / max(ok, 1):,.2f}"
    return "n/a"
print("host per accepted message: thread-pool work items " + per("dotnet_thread_pool_work_item_count_total")
      + ", bytes allocated " + per("dotnet_gc_heap_total_allocated_bytes_total")
      + ", context switches voluntary " + per("voluntary_ctxt_switches") + " / involuntary " + per("nonvoluntary_ctxt_switches"))
PY
echo "host log: $out/host.log; load log: $out/load.log"
