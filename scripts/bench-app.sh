#!/usr/bin/env bash
# Benchmarks the real app on a generated 2,000-service design: time to the first complete render
# and time from a simulation click to the highlight (targets: < 2 s and < 100 ms). Prints every
# sample and a JSON summary.
#
#   bash scripts/bench-app.sh [SERVICES]      # default 2000
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SERVICES=${1:-2000}

[ -f ui/dist/index.html ] || bash scripts/test.d/05-ui-build.sh
# `cargo test --no-run` builds both binaries (the app and the CLI) with the same features as
# stage 10's `cargo test --workspace`, so nothing is compiled twice.
cargo test --workspace --locked --no-run
if [ ! -d tests/e2e/node_modules ]; then (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error); fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/bulkhead-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
DESIGN="$WORK/generated-$SERVICES.bulkhead.json"
./target/debug/bulkhead generate --services "$SERVICES" --peers 10 --seed 7 > "$DESIGN"
echo "design: $SERVICES services, $(wc -c < "$DESIGN") bytes"

cd tests/e2e
"$ROOT/scripts/with-app-driver.sh" timeout 900 node bench.mjs "$DESIGN"
