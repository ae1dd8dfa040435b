#!/usr/bin/env bash
# Makes sure PostgreSQL listens on 127.0.0.1:5432 (starting the local cluster if needed).
# Idempotent and quick when it already runs.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
if ready; then exit 0; fi
command -v pg_ctlcluster >/dev/null || die "PostgreSQL is not running on 127.0.0.1:5432 and pg_ctlcluster is not installed"
log "starting PostgreSQL"
pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n1)" main start || true
for _ in $(seq 1 50); do ready && exit 0; sleep 0.2; done
die "PostgreSQL did not become ready on 127.0.0.1:5432"
