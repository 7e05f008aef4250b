#!/usr/bin/env bash
# Benchmarks the real app (Tauri window under Xvfb, driven through tauri-driver) on generated
# designs: a baseline of BASE services and the big one of SERVICES, measured in the same run.
# Prints every sample, a table (median and max per interaction and size) and a JSON summary.
# Targets for 2,000 services: first complete render < 2 s, simulation click → highlight
# < 100 ms, no interaction stalling for seconds.
#
#   bash scripts/bench-app.sh [SERVICES] [BASE]      # default 2000 and 200
#   BENCH_LAUNCHES=3 BENCH_SAMPLES=12 bash scripts/bench-app.sh
#   BENCH_PHASES=1 bash scripts/bench-app.sh         # also where the time went (ui/src/perf.ts)
#   BENCH_INTERACTIONS=0 bash scripts/bench-app.sh   # the first complete render only (each launch)
#   BENCH_EDITS=6 bash scripts/bench-app.sh          # edits → re-simulated highlight (default 4, 0: none)
#   BENCH_RELEASE=1 bash scripts/bench-app.sh        # the release build, as users get it (a
#                                                    # cold release build takes 10+ minutes)
# By default the debug build is measured (the one the tests build): its Rust side (reading,
# validating and analysing the design, each IPC parse of it) is several times slower.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SERVICES=${1:-2000}
BASE=${2:-200}

# Always from the current sources: the app embeds ui/dist when it is compiled. Touching the
# crate that embeds it makes cargo re-embed for sure (a binary once served a stale asset map
# after an incremental build: a blank window).
bash scripts/test.d/05-ui-build.sh
touch src-tauri/src/lib.rs
# `cargo test --no-run` builds both binaries (the app and the CLI) with the same features as
# stage 10's `cargo test --workspace`, so nothing is compiled twice.
if [ "${BENCH_RELEASE:-0}" = 1 ]; then
  cargo build --release --locked -p bulkhead-app -p bulkhead
  export BULKHEAD_APP_BIN="$ROOT/target/release/bulkhead-app"
  BIN=target/release
else
  cargo test --workspace --locked --no-run
  BIN=target/debug
fi
echo "app: ${BULKHEAD_APP_BIN:-$ROOT/target/debug/bulkhead-app}"
if [ ! -d tests/e2e/node_modules ]; then (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error); fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/bulkhead-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
designs=()
for n in "$BASE" "$SERVICES"; do
  d="$WORK/generated-$n.bulkhead.json"
  "./$BIN/bulkhead" generate --services "$n" --peers 10 --seed 7 > "$d"
  echo "design: $n services, $(wc -c < "$d") bytes"
  designs+=("$d")
done

cd tests/e2e
"$ROOT/scripts/with-app-driver.sh" timeout 1800 node bench.mjs "${designs[@]}"
