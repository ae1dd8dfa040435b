#!/usr/bin/env bash
# Runs the HTTP benchmark (release build) on SQLite and PostgreSQL; prints the figures that
# docs/PERFORMANCE.md records.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
use_test_postgres
echo "machine: $(nproc) cores, $(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
cargo bench --locked -p aiproviders --bench mcp_http
