#!/usr/bin/env bash
# Checks that the breach simulation answers exactly what it answered at BASE (a commit): the
# JSON of `bulkhead simulate --format json` and of the app's `simulate` command, byte for byte,
# for every origin (the internet and every service) and assumption, on the examples and on
# generated estates of 200 and 2,000 services. For changes meant to make the simulation faster
# without changing what it says (issue #7).
#
#   bash scripts/simulate-same.sh [BASE] [SIZES...]     # default: main, 200 2000
#
# Builds the core's `simulate_digest` example (one digest line per origin and assumption) at
# BASE, in a temporary worktree sharing this target directory (only the core is compiled again),
# and here, then compares their output. The 2,000-service estate takes about 3 minutes per build
# on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BASE=${1:-main}
shift || true
if [ $# -gt 0 ]; then SIZES=("$@"); else SIZES=(200 2000); fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bulkhead-simulate-same.XXXXXX")
cleanup() {
  git -C "$ROOT" worktree remove --force "$WORK/base" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

digest_bin() {
  # $1: source tree, $2: where to copy the binary
  (cd "$1" && CARGO_TARGET_DIR="$ROOT/target" cargo build --release --locked -q -p bulkhead-core --example simulate_digest)
  cp "$ROOT/target/release/examples/simulate_digest" "$2"
}

git worktree add -q --detach "$WORK/base" "$BASE"
# The example may be newer than BASE: the same example, built against BASE's core.
cp crates/bulkhead-core/examples/simulate_digest.rs "$WORK/base/crates/bulkhead-core/examples/"
digest_bin "$WORK/base" "$WORK/old"
digest_bin "$ROOT" "$WORK/new"

status=0
compare() {
  # $1: label, then the example's arguments
  local label=$1
  shift
  "$WORK/old" "$@" > "$WORK/old.txt" 2> /dev/null
  "$WORK/new" "$@" > "$WORK/new.txt" 2> /dev/null
  if cmp -s "$WORK/old.txt" "$WORK/new.txt"; then
    echo "same: $label ($(wc -l < "$WORK/new.txt") origin x assumption answers)"
  else
    echo "DIFFERENT: $label"
    diff "$WORK/old.txt" "$WORK/new.txt" | head -20
    status=1
  fi
}
for f in examples/*.bulkhead.json; do compare "$f" "$f"; done
for n in "${SIZES[@]}"; do compare "generated $n services" --generate "$n"; done
exit $status
