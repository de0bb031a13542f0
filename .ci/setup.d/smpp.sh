#!/usr/bin/env bash
# Installs the npm `smpp` package (0.5.1) behind the scriptable SMSC of the SMPP client tests and benchmark
# (tests/SmsGateway.Tests.Smpp/smsc). Idempotent; needs Node.js/npm (apt: nodejs npm) and the npm registry.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dir="$here/tests/SmsGateway.Tests.Smpp/smsc"
if ! command -v npm >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm
fi
cd "$dir"
npm ci --no-audit --no-fund
