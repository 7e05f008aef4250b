#!/usr/bin/env bash
# Benchmarks Bulkhead's NetworkPolicy engine against network-config-analyzer (NCA) on this
# machine, on generated estates (`bulkhead netpol sample`: namespaces of 50 Deployments,
# default deny per namespace, one policy per workload with several rules).
#
# For each size it prints the wall time, CPU time and peak memory (max RSS) of `bulkhead netpol
# connectivity --format nca` end to end (read the YAML, compute, print every pair), and of NCA on
# the same file for sizes up to NCA_MAX (default 1000; NCA takes minutes there), bounded by
# `timeout NCA_TIMEOUT` seconds (default 1800; a run that hits it is reported as a lower bound),
# the ratio, and whether the two found the same allowed pairs (both normalized by
# tests/verify/nca_pairs.py). The machine's load average is printed first: on a shared machine
# compare CPU times. With BENCH_CRITERION=1 it also runs the criterion benchmark of the engine.
#
# Usage: scripts/bench-netpol.sh            (sizes 200 1000 10000, NCA at 200 and 1000)
#        SIZES="200 1000" NCA_MAX=200 scripts/bench-netpol.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${SIZES:-"200 1000 10000"}
NCA=.venv-verify/bin/nca
[ -x "$NCA" ] || { echo "error: $NCA is missing; run scripts/setup.sh" >&2; exit 2; }
cargo build --release -q -p bulkhead --bin bulkhead
BIN=target/release/bulkhead
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# measure OUT CMD...: runs CMD with stdout to OUT; prints "<wall s> <cpu s> <peak MiB> <rc>".
measure() {
  python3 - "$@" <<'PY'
import resource, subprocess, sys, time
out, cmd = sys.argv[1], sys.argv[2:]
t = time.monotonic()
with open(out, "w") as f:
    rc = subprocess.run(cmd, stdout=f, stderr=subprocess.DEVNULL).returncode
dt = time.monotonic() - t
if rc not in (0, 1, 124):
    sys.exit(f"error: {cmd[0]} exited with {rc}")
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{dt:.3f} {ru.ru_utime + ru.ru_stime:.3f} {ru.ru_maxrss / 1024:.0f} {rc}")
PY
}

NCA_MAX=${NCA_MAX:-1000}
NCA_TIMEOUT=${NCA_TIMEOUT:-1800}
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-9s %-34s %-34s %-14s %s\n' workloads "bulkhead (wall, cpu, peak mem)" "nca (wall, cpu, peak mem)" "ratio (cpu)" "same pairs"
for n in $SIZES; do
  f="$tmp/estate-$n.yaml"
  "$BIN" netpol sample --workloads "$n" --seed 1 -o "$f"
  read -r bt bc bm _ < <(measure "$tmp/ours-$n.txt" "$BIN" netpol connectivity "$f" --format nca)
  nca_col="-"; ratio="-"; same="-"
  if [ "$n" -le "$NCA_MAX" ]; then
    read -r nt nc nm nrc < <(measure "$tmp/nca-$n.txt" timeout "$NCA_TIMEOUT" "$NCA" --connectivity -r "$f" -o txt_no_fw_rules --output_endpoints deployments)
    if [ "$nrc" = 124 ]; then
      nca_col=">${nt}s (timed out)"
      ratio=$(python3 -c "print(f'>{$nt / max($bt, 1e-6):.0f}x')")
    else
      nca_col="${nt}s, ${nc}s, ${nm} MiB"
      ratio=$(python3 -c "print(f'{$nt / max($bt, 1e-6):.0f}x ({$nc / max($bc, 1e-6):.0f}x)')")
      python3 tests/verify/nca_pairs.py --from-output "$tmp/nca-$n.txt" | python3 -c 'import json,sys; d=json.load(sys.stdin); d.pop("messages"); print(json.dumps(d, sort_keys=True))' > "$tmp/nca-$n.json"
      python3 tests/verify/nca_pairs.py --from-output "$tmp/ours-$n.txt" | python3 -c 'import json,sys; d=json.load(sys.stdin); d.pop("messages"); print(json.dumps(d, sort_keys=True))' > "$tmp/ours-$n.json"
      if cmp -s "$tmp/nca-$n.json" "$tmp/ours-$n.json"; then same="yes ($(grep -c ' => ' "$tmp/ours-$n.txt") lines)"; else same="NO"; fi
    fi
  fi
  printf '%-9s %-34s %-34s %-14s %s\n' "$n" "${bt}s, ${bc}s, ${bm} MiB" "$nca_col" "$ratio" "$same"
done
echo "machine after: load average $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "${BENCH_CRITERION:-0}" = 1 ]; then
  cargo bench -p bulkhead-core --bench netpol
fi
