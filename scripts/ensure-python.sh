#!/usr/bin/env bash
# Creates a Python virtual environment in the cache directory with the official openai and
# anthropic SDKs (tools/sdk/requirements.txt, from the package index), for the gateway's SDK
# tests. Idempotent: nothing is installed when the installed copy of requirements.txt
# matches. Prints the environment's python.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

dest="$CACHE_DIR/python-sdk"
src="$ROOT/tools/sdk/requirements.txt"
python="$dest/bin/python"
if ! cmp -s "$src" "$dest/requirements.txt" 2>/dev/null || [ ! -x "$python" ]; then
  log "installing the openai and anthropic Python SDKs into $dest"
  command -v python3 >/dev/null || die "python3 is needed for the SDK tests"
  rm -f "$dest/requirements.txt"
  [ -x "$python" ] || python3 -m venv --clear "$dest" >&2 || die "could not create a virtual environment in $dest"
  "$python" -m pip install --quiet --disable-pip-version-check -r "$src" >&2
  cp "$src" "$dest/requirements.txt"
fi
"$python" -c 'import importlib.util as u, sys; sys.exit(not all(map(u.find_spec, ["openai", "anthropic"])))' \
  || die "the SDKs are missing from $dest"
echo "$python"
