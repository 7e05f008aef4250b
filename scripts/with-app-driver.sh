#!/usr/bin/env bash
# Runs a command with the real app reachable through WebDriver: starts Xvfb on a free display
# and tauri-driver (which starts WebKitWebDriver, which starts the app per session), runs the
# command with DISPLAY, TAURI_DRIVER_PORT, TAURI_DRIVER_PID and BULKHEAD_APP_DATA (a private
# data folder) set, then stops both by PID. Used by scripts/test.d/60-app-e2e.sh and scripts/bench-app.sh.
#
#   scripts/with-app-driver.sh node tests/e2e/bench.mjs
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)

DRIVER="$ROOT/.tools/bin/tauri-driver"
for tool in "$DRIVER" WebKitWebDriver Xvfb import; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "error: \`$tool\` is missing; run scripts/setup.sh" >&2
    exit 1
  fi
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/bulkhead-app-driver.XXXXXX")
XPID=""; DPID=""
cleanup() {
  if [ -n "$DPID" ]; then kill "$DPID" 2>/dev/null || true; wait "$DPID" 2>/dev/null || true; fi
  if [ -n "$XPID" ]; then kill "$XPID" 2>/dev/null || true; wait "$XPID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

# A display nobody uses: Xvfb exits at once on a taken one, so try the next.
for n in $(seq 90 130); do
  [ -e "/tmp/.X$n-lock" ] && continue
  Xvfb ":$n" -screen 0 1440x900x24 -nolisten tcp >"$WORK/xvfb.log" 2>&1 &
  XPID=$!
  sleep 1
  if kill -0 "$XPID" 2>/dev/null; then export DISPLAY=":$n"; break; fi
  wait "$XPID" 2>/dev/null || true
  XPID=""
done
if [ -z "$XPID" ]; then
  echo "error: could not start Xvfb" >&2; cat "$WORK/xvfb.log" >&2; exit 1
fi

# A free port for tauri-driver (it also uses port+1 for WebKitWebDriver).
PORT=${TAURI_DRIVER_PORT:-}
if [ -z "$PORT" ]; then
  for p in $(seq 4444 2 4540); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && ! (exec 3<>"/dev/tcp/127.0.0.1/$((p + 1)))") 2>/dev/null; then
      PORT=$p; break
    fi
  done
fi
export TAURI_DRIVER_PORT=$PORT
# Xvfb has no GPU: WebKitGTK's accelerated compositing then paints the first frame and never
# updates the window (the DOM changes, the screen does not). Software painting shows every frame.
export WEBKIT_DISABLE_COMPOSITING_MODE=${WEBKIT_DISABLE_COMPOSITING_MODE:-1}
export BULKHEAD_APP_DATA="${BULKHEAD_APP_DATA:-$WORK/app-data}"
# Everything the command and the app put in temp folders goes away with $WORK.
mkdir -p "$WORK/tmp"
export TMPDIR="$WORK/tmp"
"$DRIVER" --port "$PORT" --native-port "$((PORT + 1))" >"$WORK/tauri-driver.log" 2>&1 &
DPID=$!
for _ in $(seq 1 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
  kill -0 "$DPID" 2>/dev/null || { echo "error: tauri-driver exited" >&2; cat "$WORK/tauri-driver.log" >&2; exit 1; }
  sleep 0.2
done

# The tests find the app each session started below tauri-driver in the process tree
# (tests/e2e/harness.mjs, `appPid`), not by its name.
export TAURI_DRIVER_PID=$DPID
status=0
"$@" || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- tauri-driver log (last 40 lines)" >&2
  tail -40 "$WORK/tauri-driver.log" >&2 || true
fi
exit "$status"
