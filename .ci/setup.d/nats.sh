#!/usr/bin/env bash
# Installs the official NATS JavaScript client used by the NATS interop test
# (tests/SmsGateway.Tests.Nats/interop). Idempotent; needs Node.js/npm (apt: nodejs npm) and the npm registry.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dir="$here/tests/SmsGateway.Tests.Nats/interop"
if ! command -v npm >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm
fi
cd "$dir"
npm ci --no-audit --no-fund
