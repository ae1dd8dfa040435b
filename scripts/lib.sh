# Shared by the scripts: where caches live (outside the clone, so a fresh clone in CI
# reuses them) and small helpers.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_DIR="${AIPROVIDERS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/aiproviders}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$CACHE_DIR/target}"
BIN="$CARGO_TARGET_DIR/debug/aiproviders"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
