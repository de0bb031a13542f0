#!/usr/bin/env bash
# PostgreSQL refuses to run as root: the Postgres tests and benchmarks run initdb/postgres as the unprivileged OS user
# 'postgres' (created by the Debian postgresql package). Make sure it exists even when the package was installed oddly.
# Idempotent; needs no network.
set -euo pipefail
if ! id -u postgres >/dev/null 2>&1; then
  useradd --system --home-dir /var/lib/postgresql --no-create-home --shell /usr/sbin/nologin postgres
fi
