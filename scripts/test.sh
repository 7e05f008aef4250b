#!/usr/bin/env bash
# Sets everything up, then runs every test stage in scripts/test.d/ in order. Each stage is a
# script that exits 0 on success. The last line of output is the summary.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || { echo "test summary: setup failed; 0 stages run"; exit 2; }

passed=(); failed=()
for stage in scripts/test.d/*.sh; do
  name=$(basename "$stage" .sh)
  printf '\n\033[1m==> stage %s\033[0m\n' "$name"
  start=$(date +%s)
  if bash "$stage"; then
    passed+=("$name"); r=ok
  else
    failed+=("$name"); r=FAILED
  fi
  printf '==> stage %s: %s (%ss)\n' "$name" "$r" "$(( $(date +%s) - start ))"
done
echo
[ ${#failed[@]} -eq 0 ] || echo "failed stages: ${failed[*]}"
echo "test summary: ${#passed[@]} stages passed, ${#failed[@]} failed (${passed[*]:-none} ${failed[*]:+| FAILED: ${failed[*]}})"
[ ${#failed[@]} -eq 0 ]
