#!/usr/bin/env bash
# Runs the HTTP benchmark (release build) on SQLite and PostgreSQL; prints the figures that
# docs/PERFORMANCE.md records.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
"$ROOT/scripts/ensure-postgres.sh"
admin_url="postgres://postgres@127.0.0.1:5432/postgres"
run_id="b$(date +%s)$$"
cleanup() {
  psql "$admin_url" -Atqc "SELECT datname FROM pg_database WHERE datname LIKE 'aip_${run_id}_%'" 2>/dev/null |
    while read -r db; do psql "$admin_url" -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true; done
}
trap cleanup EXIT
echo "machine: $(nproc) cores, $(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
AIPROVIDERS_TEST_POSTGRES_URL="$admin_url" AIPROVIDERS_TEST_RUN_ID="$run_id" \
  cargo bench --locked -p aiproviders --bench mcp_http
