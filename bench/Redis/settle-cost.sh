#!/bin/bash
# Server-side cost of ledger-settle-many.lua and ledger-reserve.lua, base commit against this checkout, alternating:
# each round reserves 64 fresh messages (of one user, or spread over 16 users) and settles them (half captures, half
# refunds) with the base scripts, then the same with this checkout's; the server's own duration of every call comes from
# SLOWLOG (threshold 0 µs), and the commands inside from INFO commandstats.
# Usage: bench/Redis/settle-cost.sh [base-commit]   (default HEAD). Env: P (port, 16398), ROUNDS (60; SLOWLOG answers are cut short above about 2,800 entries), USERS (1).
set -e
cd "$(dirname "$0")"
BASE=${1:-HEAD}
W=$(mktemp -d)
trap 'kill $(cat $W/redis.pid) 2>/dev/null; rm -rf $W' EXIT
for s in reserve settle-many; do
  git show "$BASE":src/Redis/Scripts/ledger-$s.lua > "$W/old-$s.lua"
  cp ../../src/Redis/Scripts/ledger-$s.lua "$W/new-$s.lua"
done
P=${P:-16398}; ROUNDS=${ROUNDS:-60}; USERS=${USERS:-1}
redis-server --port $P --save "" --appendonly no --bind 127.0.0.1 --daemonize yes --pidfile $W/redis.pid >/dev/null
sleep 0.5
C="redis-cli -p $P"
declare -A SHA
for v in old new; do for s in reserve settle-many; do SHA[$v-$s]=$($C SCRIPT LOAD "$(cat $W/$v-$s.lua)"); done; done
python3 - "$ROUNDS" "$USERS" "${SHA[old-reserve]}" "${SHA[old-settle-many]}" "${SHA[new-reserve]}" "${SHA[new-settle-many]}" > $W/commands <<'PY'
import sys, uuid
rounds, users = int(sys.argv[1]), int(sys.argv[2])
sha = {"old": (sys.argv[3], sys.argv[4]), "new": (sys.argv[5], sys.argv[6])}
for u in range(users):
    print(f"HSET l:{{u{u}}} available 1000000000000")
for r in range(rounds):
    for v in ("old", "new"):
        reserve, settle = sha[v]
        ids = [uuid.uuid4().hex for _ in range(64)]
        by_user = {}
        for i, m in enumerate(ids):
            by_user.setdefault(i % users, []).append(m)
        for u, ms in by_user.items():
            keys = " ".join(f"l:{{u{u}}}:r:{m}" for m in ms)
            print(f"EVALSHA {reserve} {len(ms) + 2} l:{{u{u}}} {keys} l:pending {r + 1} {' '.join('7' for _ in ms)} u{u}")
        items = [(i % users, m, "C" if i % 2 == 0 else "F") for i, m in enumerate(ids)]
        keys = " ".join(f"l:{{u{u}}} l:{{u{u}}}:r:{m}" for u, m, _ in items)
        args = " ".join(f"{how} u{u}|{m} {'smsc-' + m[:8] if how == 'C' else chr(34) * 2}" for u, m, how in items)
        print(f"EVALSHA {settle} {2 * len(items) + 1} l:pending {keys} 604800 {args}")
PY
$C CONFIG SET slowlog-log-slower-than 0 >/dev/null
$C CONFIG SET slowlog-max-len 100000 >/dev/null
$C SLOWLOG RESET >/dev/null
$C CONFIG RESETSTAT >/dev/null
$C < $W/commands > $W/replies
if grep -q "ERR" $W/replies; then echo "a script call failed:"; grep -m3 "ERR" $W/replies; exit 1; fi
$C INFO commandstats | tr -d '\r' | grep -E 'cmdstat_(hget|hmget|hset|hincrby|zrem|zadd|expire|exists|time):' > $W/stats
$C --json SLOWLOG GET 100000 > $W/slowlog 2>/dev/null || $C SLOWLOG GET 100000 > $W/slowlog
python3 - $W/slowlog "${SHA[old-reserve]}" "${SHA[old-settle-many]}" "${SHA[new-reserve]}" "${SHA[new-settle-many]}" "$USERS" <<'PY'
import json, statistics, sys
entries = json.load(open(sys.argv[1]))
name = {sys.argv[2]: "reserve, base", sys.argv[3]: "settle-many, base", sys.argv[4]: "reserve, this checkout", sys.argv[5]: "settle-many, this checkout"}
if sys.argv[2] == sys.argv[4]: name[sys.argv[2]] = "reserve (unchanged)"
if sys.argv[3] == sys.argv[5]: name[sys.argv[3]] = "settle-many (unchanged)"
times = {}
for e in entries:
    args = e[3]
    if args and args[0].upper() == "EVALSHA" and args[1] in name:
        times.setdefault(name[args[1]], []).append(int(e[2]))
print(f"64 messages per round over {sys.argv[6]} user(s); server µs per call (SLOWLOG), median [p10-p90] of n calls:")
for k in sorted(times):
    t = sorted(times[k]); n = len(t)
    print(f"  {k}: {statistics.median(t):.0f} µs [{t[n // 10]}-{t[9 * n // 10]}], n={n}")
PY
echo "commands inside the scripts, both versions together (INFO commandstats):"; sed 's/^/  /' $W/stats
