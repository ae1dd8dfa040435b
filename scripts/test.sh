#!/usr/bin/env bash
# Runs every test: formatting and lints, the unit and integration tests on SQLite and again
# on PostgreSQL (started here if it is not running), and the official MCP conformance suite
# (Node 22, the suite and the Claude Code CLI installed here from the npm registry if
# missing; the openai and anthropic Python SDKs, for the gateway's SDK tests, from the
# package index). This is what `.ci/run` runs.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

if ! cargo nextest --version >/dev/null 2>&1; then
  log "installing cargo-nextest"
  cargo install --locked cargo-nextest
fi

log "cargo fmt --check"
cargo fmt --all -- --check

log "cargo clippy"
cargo clippy --all-targets --locked -- -D warnings

log "Node 22, the MCP conformance suite and the Claude Code CLI"
node_tools="$("$ROOT/scripts/ensure-node.sh")"
# The CLI activation tests run the real `claude` from here.
export AIPROVIDERS_TEST_NODE_BIN="$node_tools/node_modules/.bin"

log "Python with the official openai and anthropic SDKs"
# The gateway's SDK tests run the SDKs with this Python.
sdk_python="$("$ROOT/scripts/ensure-python.sh")"
export AIPROVIDERS_TEST_PYTHON="$sdk_python"

log "tests on SQLite"
cargo nextest run --locked --no-fail-fast

log "integration tests on PostgreSQL"
use_test_postgres
AIPROVIDERS_TEST_BACKEND=postgres cargo nextest run --locked --no-fail-fast -E 'binary(it)'

log "MCP conformance suite"
"$ROOT/scripts/conformance.sh"
