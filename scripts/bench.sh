#!/usr/bin/env bash
# Runs the benchmarks (release build) and prints the figures that docs/PERFORMANCE.md records:
# the HTTP benchmarks (key create/list, model discovery) on SQLite and PostgreSQL, the
# inference gateway (added latency, throughput against a bare proxy, memory; SQLite), and the
# enrichment benchmark.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
use_test_postgres
echo "machine: $(nproc) cores, $(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
cargo bench --locked -p aiproviders --bench mcp_http
cargo bench --locked -p aiproviders --bench models_http
cargo bench --locked -p aiproviders --bench gateway_http
cargo bench --locked -p aiproviders-catalog --bench enrich
