#!/bin/bash
# Server-side cost of the ledger scripts, batch of 64 messages (usec per EVALSHA from INFO commandstats, redis-benchmark -c 8 -P 16):
# the reserve script of a base commit ("before"), the current reserve script (t + pending index), and the confirm script.
# Usage: bench/Redis/script-cost.sh [base-commit]   (default 46bd7a7, the commit before the pending index). Env: P (port), N (calls).
set -e
cd "$(dirname "$0")"
BASE=${1:-46bd7a7}
W=$(mktemp -d)
trap 'kill $(cat $W/redis.pid) 2>/dev/null; rm -rf $W' EXIT
git show "$BASE":src/Redis/Scripts/ledger-reserve.lua > $W/old-reserve.lua
cp ../../src/Redis/Scripts/ledger-reserve.lua $W/new-reserve.lua
cp ../../src/Redis/Scripts/ledger-confirm.lua $W/confirm.lua
cd $W
P=${P:-16399}
N=${N:-20000}
redis-server --port $P --save "" --appendonly no --bind 127.0.0.1 --daemonize yes --pidfile $W/redis.pid >/dev/null
sleep 0.5
C="redis-cli -p $P"
OLD=$($C SCRIPT LOAD "$(cat old-reserve.lua)")
NEW=$($C SCRIPT LOAD "$(cat new-reserve.lua)")
CONF=$($C SCRIPT LOAD "$(cat confirm.lua)")
$C HSET 'l:{u}' available 1000000000000000 >/dev/null
keys() { for i in $(seq 64); do printf "l:{u}:r:%s__rand_int__ " "$1"; done; }
ones() { for i in $(seq 64); do printf "1 "; done; }
members() { for i in $(seq 64); do printf "u|%s__rand_int__ " "$1"; done; }
FIX=$(for i in $(seq 64); do printf "l:{u}:r:fix%032d " $i; done)
FIXM=$(for i in $(seq 64); do printf "u|fix%032d " $i; done)
measure() { # label, then the command
  local label=$1; shift
  $C FLUSHALL >/dev/null
  $C HSET 'l:{u}' available 1000000000000000 >/dev/null
  $C EVALSHA $NEW 66 'l:{u}' $FIX 'l:pending' 1 $(ones) u >/dev/null
  $C CONFIG RESETSTAT >/dev/null
  redis-benchmark -p $P -n $N -c 8 -P 16 -r 1000000000 -q "$@" >/dev/null
  echo "$label: $($C INFO commandstats | grep cmdstat_evalsha | tr -d '\r')"
}
measure "reserve before (old script)" EVALSHA $OLD 65 'l:{u}' $(keys a) 1 $(ones)
measure "reserve after (t + pending ZADD; pending set grows to N*64, never confirmed)" EVALSHA $NEW 66 'l:{u}' $(keys b) 'l:pending' 1 $(ones) u
measure "reserve after (t + pending ZADD into a small set, as when confirms keep it short)" EVALSHA $NEW 66 'l:{u}' $(keys c) 'l:pending:__rand_int__' 1 $(ones) u
# confirm on held reservations: a fixed set of 64 reserved keys (reserved before each measure), confirmed repeatedly (HMGET + HSET k + ZREM)
measure "confirm of 64 held reservations" EVALSHA $CONF 65 'l:pending' $FIX $FIXM
