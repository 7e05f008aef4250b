#!/usr/bin/env bash
# End-to-end tests of the real desktop app: builds it if needed, then runs tests/e2e (WebdriverIO
# through tauri-driver and WebKitWebDriver, under Xvfb; see scripts/with-app-driver.sh).
# Screenshots go to a temp folder; with BULKHEAD_SCREENSHOTS=1 they go to docs/screenshots/
# (that is how the README's pictures are made).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

# The app embeds ui/dist; stage 05 builds it, but this stage may run alone.
[ -f ui/dist/index.html ] || bash scripts/test.d/05-ui-build.sh
# The CLI is the oracle the tests compare the app's numbers with.
# `cargo test --no-run` builds both binaries (the app and the CLI) with the same features as
# stage 10's `cargo test --workspace`, so nothing is compiled twice.
cargo test --workspace --locked --no-run

if [ ! -d tests/e2e/node_modules ] || [ tests/e2e/package-lock.json -nt tests/e2e/node_modules/.package-lock.json ]; then
  (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
fi

SHOTS=$(mktemp -d "${TMPDIR:-/tmp}/bulkhead-shots.XXXXXX")
trap 'rm -rf "$SHOTS"' EXIT
if [ "${BULKHEAD_SCREENSHOTS:-0}" = 1 ]; then SHOTS_DIR="$ROOT/docs/screenshots"; else SHOTS_DIR=$SHOTS; fi
mkdir -p "$SHOTS_DIR"

cd tests/e2e
BULKHEAD_SHOTS_DIR=$SHOTS_DIR "$ROOT/scripts/with-app-driver.sh" \
  timeout 1200 node --test --test-concurrency=1 --test-reporter=spec app.test.mjs
