# Shared by the scripts: where caches live (outside the clone, so a fresh clone in CI
# reuses them) and small helpers.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_DIR="${AIPROVIDERS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/aiproviders}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$CACHE_DIR/target}"
BIN="$CARGO_TARGET_DIR/debug/aiproviders"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

PG_ADMIN_URL="postgres://postgres@127.0.0.1:5432/postgres"

# Starts PostgreSQL if needed and points the test harness at it. Every test creates its own
# database named aip_<run id>_<random>; whatever is left of this run's databases (a test
# that died before dropping its own) is dropped when the calling script exits.
use_test_postgres() {
  "$ROOT/scripts/ensure-postgres.sh"
  export AIPROVIDERS_TEST_POSTGRES_URL="$PG_ADMIN_URL"
  export AIPROVIDERS_TEST_RUN_ID="r$(date +%s)$$"
  trap drop_test_databases EXIT
}

drop_test_databases() {
  psql "$PG_ADMIN_URL" -Atqc "SELECT datname FROM pg_database WHERE datname LIKE 'aip_${AIPROVIDERS_TEST_RUN_ID}_%'" 2>/dev/null |
    while read -r db; do
      psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
    done
}
