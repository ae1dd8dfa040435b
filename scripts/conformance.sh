#!/usr/bin/env bash
# Runs the official MCP conformance suite against a freshly started `aiproviders serve`
# (embedded SQLite in a temporary directory). The runner cannot send an Authorization
# header, so it talks to a small header-adding proxy (tools/conformance/auth-proxy.mjs)
# that forwards everything else, Host and Origin included, untouched.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

SCENARIOS=(server-initialize ping tools-list dns-rebinding-protection server-sse-multiple-streams)
[ -x "$BIN" ] || die "build the binary first (cargo build)"
tools="$("$ROOT/scripts/ensure-node.sh")"
node="$tools/node_modules/.bin/node"
conformance="$tools/node_modules/@modelcontextprotocol/conformance/dist/index.js"

work="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

export AIPROVIDERS_DATA_DIR="$work/data" AIPROVIDERS_LOG_FORMAT=json
unset DATABASE_URL AIPROVIDERS_MASTER_KEY AIPROVIDERS_MASTER_KEY_FILE
"$BIN" org create conformance >/dev/null 2>&1
token="$("$BIN" token create --org conformance --user conformance --role member 2>/dev/null | head -n1)"

"$BIN" serve --listen 127.0.0.1:0 2>"$work/serve.log" &
pids+=($!)
wait_for() { for _ in $(seq 1 100); do grep -q "$1" "$2" 2>/dev/null && return 0; sleep 0.1; done; return 1; }
wait_for '"message":"listening"' "$work/serve.log" || { cat "$work/serve.log" >&2; die "server did not start"; }
addr="$(grep -o '"addr":"[^"]*"' "$work/serve.log" | head -n1 | cut -d'"' -f4)"

TARGET="http://$addr" AIPROVIDERS_TOKEN="$token" "$node" "$ROOT/tools/conformance/auth-proxy.mjs" >"$work/proxy.log" 2>&1 &
pids+=($!)
wait_for '^listening' "$work/proxy.log" || die "proxy did not start"
port="$(awk '/^listening/ {print $2}' "$work/proxy.log")"

passed=0; failed=0
for scenario in "${SCENARIOS[@]}"; do
  if (cd "$work" && "$node" "$conformance" server --url "http://localhost:$port/mcp" --scenario "$scenario") >"$work/$scenario.out" 2>&1; then
    log "conformance $scenario: passed"; passed=$((passed + 1))
  else
    cat "$work/$scenario.out" >&2
    log "conformance $scenario: FAILED"; failed=$((failed + 1))
  fi
done
echo "conformance: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
