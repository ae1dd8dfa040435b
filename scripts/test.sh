#!/usr/bin/env bash
# Runs every test: formatting and lints, the unit and integration tests on SQLite and again
# on PostgreSQL (started here if it is not running), and the official MCP conformance suite
# (Node 22 installed here if missing). This is what `.ci/run` runs.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

log "cargo fmt --check"
cargo fmt --all -- --check

log "cargo clippy"
cargo clippy --all-targets --locked -- -D warnings

log "tests on SQLite"
cargo nextest run --locked --no-fail-fast

log "integration tests on PostgreSQL"
"$ROOT/scripts/ensure-postgres.sh"
run_id="r$(date +%s)$$"
admin_url="postgres://postgres@127.0.0.1:5432/postgres"
drop_test_databases() {
  psql "$admin_url" -Atqc "SELECT datname FROM pg_database WHERE datname LIKE 'aip_${run_id}_%'" 2>/dev/null |
    while read -r db; do psql "$admin_url" -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true; done
}
trap drop_test_databases EXIT
AIPROVIDERS_TEST_BACKEND=postgres AIPROVIDERS_TEST_POSTGRES_URL="$admin_url" AIPROVIDERS_TEST_RUN_ID="$run_id" \
  cargo nextest run --locked --no-fail-fast -E 'binary(it)'

log "MCP conformance suite"
"$ROOT/scripts/conformance.sh"
