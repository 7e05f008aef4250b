#!/usr/bin/env bash
# The README's first command: sets everything up, builds the UI and the desktop app, and opens
# the app on an example design (or on the design file given as the first argument).
#
#   bash scripts/run-app.sh                      # opens examples/fintech.bulkhead.json
#   bash scripts/run-app.sh path/to/x.bulkhead.json
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

bash scripts/setup.sh

design=${1:-}
if [ -z "$design" ]; then
  for candidate in examples/fintech.bulkhead.json examples/online-boutique.bulkhead.json; do
    if [ -f "$candidate" ]; then design=$candidate; break; fi
  done
fi

printf '\033[1m==> building the UI and the app\033[0m\n'
bash scripts/test.d/05-ui-build.sh
# `custom-protocol` is a default feature of bulkhead-app, so the window loads the embedded UI.
cargo build -p bulkhead-app

app="$ROOT/target/debug/bulkhead-app"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "error: no display (DISPLAY is unset). Run it on a desktop, or under Xvfb:" >&2
  echo "  WEBKIT_DISABLE_COMPOSITING_MODE=1 xvfb-run -a -s '-screen 0 1440x900x24' $app ${design:-}" >&2
  exit 2
fi
printf '\033[1m==> opening %s\033[0m\n' "${design:-a new design}"
exec "$app" ${design:+"$design"}
