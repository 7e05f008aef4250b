#!/usr/bin/env bash
# Benchmarks exporting generated estates to every target (issue #6's budget: 10,000 services,
# all six targets, under 1 s in total), beside a baseline built from an earlier commit and run in
# the same invocation, so both see the same machine.
#
# Prints the machine's load, then for the baseline and for this checkout, per size, each phase's
# wall and CPU time and output bytes, the total's wall and CPU time (compare CPU time on a shared
# machine), and an output digest: equal digests mean byte-identical output. Both export as of
# BULKHEAD_BENCH_TODAY (default 2024-01-01, before the generated designs' one exception expires,
# so a baseline from before expiry-aware exports writes the same rules and the digests compare).
# With BENCH_CRITERION=1 it also runs the criterion benchmark (`cargo bench -p bulkhead-export
# --bench export`).
#
# The baseline (BASELINE, default c53662d: before the session-4 streaming renderers) is checked out
# into a temporary git worktree and built in target/bench-baseline (kept, so a second run builds
# nothing); its bench is this checkout's `benches/export_all.rs`, adapted to the older
# `Access::new(design)` API when needed. BASELINE=none skips it.
#
# Usage: scripts/bench-export.sh                       (1,000 and 10,000 services, best of 3)
#        SIZES=10000 RUNS=5 scripts/bench-export.sh
#        BASELINE=none scripts/bench-export.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BASELINE=${BASELINE:-c53662d}
export BULKHEAD_BENCH_SERVICES=${SIZES:-1000,10000}
export BULKHEAD_BENCH_RUNS=${RUNS:-3}
export BULKHEAD_BENCH_TODAY=${BULKHEAD_BENCH_TODAY:-2024-01-01}
# The per-pair matrix baseline inside export_all (session 2's comparison) is off unless asked.
export BULKHEAD_BENCH_BASELINE_MAX=${BULKHEAD_BENCH_BASELINE_MAX:-0}
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

if [ "$BASELINE" != none ]; then
  WT=$(mktemp -d /tmp/bulkhead-bench-baseline.XXXXXX)
  trap 'git -C "$ROOT" worktree remove --force "$WT" >/dev/null 2>&1 || rm -rf "$WT"' EXIT
  git worktree add --detach -q "$WT" "$BASELINE"
  cp crates/bulkhead-export/benches/export_all.rs "$WT/crates/bulkhead-export/benches/export_all.rs"
  if ! grep -q 'pub fn new_hashing_beside' "$WT/crates/bulkhead-export/src/access.rs"; then
    # The baseline hashes the design on the pool instead, before the targets.
    sed -i 's/Access::new_hashing_beside(/Access::new(/' "$WT/crates/bulkhead-export/benches/export_all.rs"
  fi
  if ! grep -q 'today: Date' "$WT/crates/bulkhead-export/src/access.rs"; then
    # The baseline predates export dates: its Access::new/with_matrix take no date.
    sed -i -E 's/Access::new\(&design, today\)/Access::new(\&design)/; s/Access::with_matrix\(&design, today, /Access::with_matrix(\&design, /' \
      "$WT/crates/bulkhead-export/benches/export_all.rs"
    sed -i -E 's/^    let today = std::env::var/    let _today = std::env::var/' \
      "$WT/crates/bulkhead-export/benches/export_all.rs"
  fi
  if ! grep -q 'pub fn export_many_with' "$WT/crates/bulkhead-export/src/lib.rs"; then
    # The baseline predates `export_many` (`--target all`): it is measured target by target.
    sed -i '/BEGIN export_many/,/END export_many/d' "$WT/crates/bulkhead-export/benches/export_all.rs"
  fi
  if ! grep -q 'mimalloc' "$WT/crates/bulkhead-export/Cargo.toml"; then
    # The baseline predates mimalloc: it runs with glibc's malloc, as its CLI did.
    sed -i '/BEGIN allocator/,/END allocator/d' "$WT/crates/bulkhead-export/benches/export_all.rs"
  fi
  echo
  echo "== baseline: $(git log -1 --format='%h %s' "$BASELINE" | cut -c1-90)"
  (cd "$WT" && CARGO_TARGET_DIR="$ROOT/target/bench-baseline" \
     cargo bench -q -p bulkhead-export --bench export_all 2>&1 | grep -v '^\s*$' | grep -v '^warning\|^  -->\|^   |\|^  =')
fi

echo
echo "== this checkout: $(git log -1 --format='%h %s' | cut -c1-90)$(git diff --quiet HEAD -- crates || echo ' (+ uncommitted changes)')"
cargo bench -q -p bulkhead-export --bench export_all
echo
echo "machine after: load average $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "${BENCH_CRITERION:-0}" = 1 ]; then
  cargo bench -p bulkhead-export --bench export
fi
