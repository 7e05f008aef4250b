#!/usr/bin/env bash
# Benchmarks exporting generated estates to every target (issue #6's budget: 10,000 services,
# all six targets, under 1 s in total), beside the baseline of the same run: the per-pair matrix
# every export computed before (`matrix_exhaustive`), timed up to 2,000 services (it is quadratic).
#
# Prints the machine's load, then per size each phase's wall time and output bytes, the total's
# wall and CPU time (compare CPU time on a shared machine), an output digest (equal digests between
# two builds mean byte-identical output) and the baseline. With BENCH_CRITERION=1 it also runs the
# criterion benchmark (`cargo bench -p bulkhead-export --bench export`).
#
# Usage: scripts/bench-export.sh                       (1,000 and 10,000 services, best of 3)
#        SIZES=1000,2000 RUNS=1 scripts/bench-export.sh
set -euo pipefail
cd "$(dirname "$0")/.."
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
BULKHEAD_BENCH_SERVICES=${SIZES:-1000,10000} BULKHEAD_BENCH_RUNS=${RUNS:-3} \
  cargo bench -q -p bulkhead-export --bench export_all
echo "machine after: load average $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "${BENCH_CRITERION:-0}" = 1 ]; then
  cargo bench -p bulkhead-export --bench export
fi
