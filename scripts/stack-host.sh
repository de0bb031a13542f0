# Sourced (not run) by scripts/cpu-per-message.sh and load/batch-throughput.sh: starts the full-profile servers
# (scripts/full-stack.sh) and one host over NATS on $port from $host_dir, stops both on exit, and reads the CPU time of
# every process of the stack from /proc/<pid>/stat.
# Before sourcing, set: root (repository), host_dir (folder with SmsGateway.Host.dll), port, STACK_DIR, out (scratch dir).
# TRANSPORT=kafka runs the host over librdkafka's mock cluster, hosted by `dotnet bench/bin/Release/net10.0/SmsGateway.Bench.dll
# kafka-mock` (build bench in Release first); its process is "kafka-mock" in the CPU figures. Default: NATS JetStream.
# After stack_host_up: host_pid is set; `snapshot > FILE` records clock ticks per process; `cpu_seconds BEFORE AFTER`
# prints "name seconds" per process name (PostgreSQL: the postmaster and all its backends, summed).
host_pid=""
kafka_pid=""
stack_host_cleanup() {
  [ -n "$host_pid" ] && { kill "$host_pid" 2>/dev/null || true; wait "$host_pid" 2>/dev/null || true; }
  [ -n "$kafka_pid" ] && { kill "$kafka_pid" 2>/dev/null || true; wait "$kafka_pid" 2>/dev/null || true; }
  "$root/scripts/full-stack.sh" down >/dev/null 2>&1 || true
}

stack_host_up() {
  exec 9>/tmp/smsgw-fullstack.lock
  flock 9 # one full stack at a time on this machine: scripts/full-stack.sh uses fixed ports
  rm -rf "$STACK_DIR"
  trap stack_host_cleanup EXIT
  "$root/scripts/full-stack.sh" up > "$out/stack.env"
  # shellcheck disable=SC1091
  source "$out/stack.env"
  if [ "${TRANSPORT:-nats}" = kafka ]; then
    local bench_dll="$root/bench/bin/Release/net10.0/SmsGateway.Bench.dll"
    [ -f "$bench_dll" ] || { echo "TRANSPORT=kafka needs $bench_dll: dotnet build -c Release $root/bench" >&2; exit 1; }
    dotnet "$bench_dll" kafka-mock > "$out/kafka-mock.log" 2>&1 &
    kafka_pid=$!
    for _ in $(seq 1 60); do grep -q '^bootstrap=' "$out/kafka-mock.log" && break; sleep 0.5; done
    grep -q '^bootstrap=' "$out/kafka-mock.log" || { cat "$out/kafka-mock.log" >&2; exit 1; }
    export Gateway__Transport=kafka
    Kafka__BootstrapServers="$(sed -n 's/^bootstrap=//p' "$out/kafka-mock.log")"
    export Kafka__BootstrapServers
  fi
  (cd "$host_dir" && exec dotnet SmsGateway.Host.dll --Gateway:Ports:0="$port" --Gateway:AllPathsOnEveryPort=true ${HOST_ARGS:-}) > "$out/host.log" 2>&1 &
  host_pid=$!
  for _ in $(seq 1 90); do
    curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && return 0
    kill -0 "$host_pid" 2>/dev/null || { cat "$out/host.log"; exit 1; }
    sleep 1
  done
  echo "the host did not turn ready within 90 s; log: $out/host.log" >&2
  exit 1
}

stack_procs() {
  echo "host $host_pid"
  echo "nats-server $(cat "$STACK_DIR/nats.pid")"
  [ -n "$kafka_pid" ] && echo "kafka-mock $kafka_pid"
  for f in "$STACK_DIR"/redis-*.pid; do echo "redis-server $(cat "$f")"; done
  local pm; pm=$(head -1 "$STACK_DIR/pg/postmaster.pid")
  echo "postgresql $pm"
  for c in $(pgrep -P "$pm"); do echo "postgresql $c"; done
}

snapshot() {
  stack_procs | while read -r name pid; do echo "$name $pid $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)"; done
}

cpu_seconds() {
  python3 - "$1" "$2" "$(getconf CLK_TCK)" <<'PY'
import sys
def read(path):
    d = {}
    for line in open(path):
        name, pid, t = line.split()
        d[(name, pid)] = int(t)
    return d
b, a, hz = read(sys.argv[1]), read(sys.argv[2]), int(sys.argv[3])
per = {}
for key, t in a.items():
    per[key[0]] = per.get(key[0], 0) + t - b.get(key, 0)
for name, t in per.items():
    print(f"{name} {t / hz:.2f}")
PY
}
