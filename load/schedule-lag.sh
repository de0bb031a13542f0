#!/usr/bin/env bash
# Scheduling lag over the full stack (issue 16): the time from a message's send_at to its `sent` status. Starts Redis x3 +
# NATS JetStream + PostgreSQL and one host (scripts/stack-host.sh; all roles, so its scheduler releases the due messages),
# charges one user, POSTs N messages with send_at spread over SPREAD_MS starting LEAD_MS from now, waits until every one
# is due plus SETTLE_S, reads each message's history (GET /messages/{id}) and prints p50 / p99 / max of sent.at - send_at
# (server clocks on both sides) and how many were not sent.
#   load/schedule-lag.sh [host-dir]
# Env: N (200), LEAD_MS (3000), SPREAD_MS (5000), SETTLE_S (5), PORT (27290), STACK_DIR (/tmp/smsgw-schedule-stack),
#      HOST_ARGS (extra host arguments).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
host_dir="${1:-$root/src/Host/bin/Release/net10.0}"
port="${PORT:-27290}"
export STACK_DIR="${STACK_DIR:-/tmp/smsgw-schedule-stack}"
out="$(mktemp -d /tmp/smsgw-schedule.XXXXXX)"
# shellcheck source=scripts/stack-host.sh
source "$root/scripts/stack-host.sh"
stack_host_up
python3 - "http://127.0.0.1:$port" "${N:-200}" "${LEAD_MS:-3000}" "${SPREAD_MS:-5000}" "${SETTLE_S:-5}" <<'PY'
import datetime, json, os, sys, time, urllib.request
base, n, lead, spread, settle = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
headers = {"Content-Type": "application/json"}
if os.environ.get("SMSGW_API_KEY"):
    headers["Authorization"] = "Bearer " + os.environ["SMSGW_API_KEY"]
def call(method, path, body=None):
    req = urllib.request.Request(base + path, method=method, headers=headers,
                                 data=None if body is None else json.dumps(body).encode())
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read() or b"null")
user = "schedlag"
call("POST", f"/charge/{user}?amount=100000000")
start = datetime.datetime.now(datetime.timezone.utc)
due = {}
for i in range(n):
    at = start + datetime.timedelta(milliseconds=lead + spread * i / max(n - 1, 1))
    at = at.replace(microsecond=at.microsecond // 1000 * 1000)
    answer = call("POST", "/send", {"phone": "09121234567", "text": f"scheduled {i}", "type": "express",
                                    "user_id": user, "send_at": at.isoformat().replace("+00:00", "Z")})
    due[answer["id"]] = at
time.sleep(max(0.0, (max(due.values()) - datetime.datetime.now(datetime.timezone.utc)).total_seconds()) + settle)
lags, missing = [], 0
for mid, at in due.items():
    history = call("GET", f"/messages/{mid}?user_id={user}")["history"]
    sent = [datetime.datetime.fromisoformat(h["at"].replace("Z", "+00:00")) for h in history if h["status"] == "sent"]
    if sent:
        lags.append((min(sent) - at).total_seconds() * 1000)
    else:
        missing += 1
lags.sort()
pick = lambda q: lags[min(len(lags) - 1, int(q * len(lags)))] if lags else float("nan")
print(f"send_at -> sent over {len(lags)} messages: p50 {pick(0.5):.1f} ms, p99 {pick(0.99):.1f} ms, max {lags[-1] if lags else float('nan'):.1f} ms; not sent {missing}")
PY
