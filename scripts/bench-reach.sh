#!/usr/bin/env bash
# Breach analysis at scale on generated estates (`bulkhead generate`-style designs, about 10
# allowed peers per service): for each size, one process runs the `reach_scale` example
# (crates/bulkhead-core/examples/reach_scale.rs), which prints the time to build the
# evaluator, compile the reach graph, the all-origins worst case, one origin's simulation, and
# the BFS-per-origin baseline, with the process's peak RSS; `/usr/bin/time` adds the whole
# process's CPU time and peak memory. Targets (issue 4): 10k all-origins < 100 ms, single
# origin < 1 ms, 100k compile + all-origins < 10 s within 2 GB.
#
# Usage: scripts/bench-reach.sh               (sizes 1000 10000 100000)
#        SIZES="1000 10000" scripts/bench-reach.sh
# The criterion benchmark is `cargo bench -p bulkhead-core --bench reach`.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${SIZES:-"1000 10000 100000"}
cargo build --release -q -p bulkhead-core --example reach_scale
BIN=target/release/examples/reach_scale
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for n in $SIZES; do
  /usr/bin/time -f "  whole process (incl. generating the design): %e s wall, %U s user, %S s sys, peak RSS %M KiB" "$BIN" "$n"
done
echo "machine after: load average $(cut -d' ' -f1-3 /proc/loadavg)"
