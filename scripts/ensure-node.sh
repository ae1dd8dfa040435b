#!/usr/bin/env bash
# Installs Node 22 (the npm package `node@22`), the official MCP conformance suite and the
# Claude Code CLI (`@anthropic-ai/claude-code`, for the CLI activation tests) into
# the cache directory, from tools/conformance/package-lock.json. Idempotent: nothing is
# downloaded when the installed lock file matches. Prints the directory.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

dest="$CACHE_DIR/node-tools"
src="$ROOT/tools/conformance"
if ! cmp -s "$src/package-lock.json" "$dest/package-lock.json" 2>/dev/null \
   || [ ! -x "$dest/node_modules/.bin/node" ] || [ ! -e "$dest/node_modules/.bin/conformance" ] \
   || [ ! -e "$dest/node_modules/.bin/claude" ]; then
  log "installing Node 22, the MCP conformance suite and the Claude Code CLI into $dest"
  mkdir -p "$dest"
  cp "$src/package.json" "$src/package-lock.json" "$dest/"
  (cd "$dest" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
"$dest/node_modules/.bin/node" --version | grep -q '^v22\.' || die "node in $dest is not version 22"
echo "$dest"
