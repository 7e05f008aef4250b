#!/usr/bin/env bash
# Builds the UI into ui/dist. The desktop app (src-tauri) embeds ui/dist at compile time, so this
# runs before stage 10, which compiles the whole workspace.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -f ui/package.json ]; then
  echo "error: ui/package.json is missing; the app cannot be built without its UI" >&2
  exit 1
fi
if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  (cd ui && npm ci --no-audit --no-fund --loglevel=error)
fi
(cd ui && npm run build)
test -f ui/dist/index.html
