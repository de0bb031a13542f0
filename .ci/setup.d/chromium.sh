#!/usr/bin/env bash
# Installs Debian's chromium for the /docs test (tests/SmsGateway.Tests.EndToEnd/Verify/ApiDocsTests.cs): Playwright drives
# /usr/bin/chromium through ExecutablePath, so no browser is downloaded. Idempotent.
set -euo pipefail
if [ ! -x /usr/bin/chromium ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
fi
