#!/usr/bin/env bash
# UI stage: type check (strict), unit tests of every action and UI helper (Vitest), the drift
# check of the TS types generated from schema/*.schema.json, and the UI flows in Debian's
# Chromium against a mocked backend (playwright-core, no browser download).
set -euo pipefail
cd "$(dirname "$0")/../../ui"

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

echo "--- tsc --noEmit"
npx --no-install tsc --noEmit -p .

echo "--- generated types are fresh"
node scripts/gen-types.mjs --check

echo "--- vitest"
npx --no-install vitest run --reporter=dot

if [ -f e2e/run.mjs ]; then
  echo "--- UI flows in Chromium (mocked IPC)"
  if [ ! -x /usr/bin/chromium ]; then
    if [ -n "${CI:-}" ]; then echo "error: /usr/bin/chromium is missing (scripts/setup.sh installs it)" >&2; exit 1; fi
    echo "SKIPPED: /usr/bin/chromium not installed; run scripts/setup.sh" >&2
    exit 0
  fi
  node e2e/run.mjs
fi
