#!/usr/bin/env bash
# Benchmarks Bulkhead's NetworkPolicy engine against network-config-analyzer (NCA) on this
# machine, on generated estates (`bulkhead netpol sample`: namespaces of 50 Deployments,
# default deny per namespace, one policy per workload with several rules).
#
# For each size it prints the wall time and peak memory of `bulkhead netpol connectivity
# --format nca` end to end (read the YAML, compute, print every pair), and of NCA on the same
# file (200 workloads; also 1,000 with NCA_BIG=1: about 5 minutes), the ratio, and whether the
# two found the same allowed pairs (both normalized by tests/verify/nca_pairs.py).
# With BENCH_CRITERION=1 it also runs the criterion benchmark of the engine alone.
#
# Usage: scripts/bench-netpol.sh            (sizes 200 1000 10000)
#        SIZES="200 1000" NCA_BIG=1 scripts/bench-netpol.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${SIZES:-"200 1000 10000"}
NCA=.venv-verify/bin/nca
[ -x "$NCA" ] || { echo "error: $NCA is missing; run scripts/setup.sh" >&2; exit 2; }
cargo build --release -q
BIN=target/release/bulkhead
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# measure OUT CMD...: runs CMD with stdout to OUT; prints "<seconds> <peak MiB>".
measure() {
  python3 - "$@" <<'PY'
import resource, subprocess, sys, time
out, cmd = sys.argv[1], sys.argv[2:]
t = time.monotonic()
with open(out, "w") as f:
    rc = subprocess.run(cmd, stdout=f, stderr=subprocess.DEVNULL).returncode
dt = time.monotonic() - t
if rc not in (0, 1):
    sys.exit(f"error: {cmd[0]} exited with {rc}")
print(f"{dt:.3f} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f}")
PY
}

printf '%-9s %-26s %-26s %-8s %s\n' workloads "bulkhead (time, peak mem)" "nca (time, peak mem)" ratio "same pairs"
for n in $SIZES; do
  f="$tmp/estate-$n.yaml"
  "$BIN" netpol sample --workloads "$n" --seed 1 -o "$f"
  read -r bt bm < <(measure "$tmp/ours-$n.txt" "$BIN" netpol connectivity "$f" --format nca)
  nca_col="-"; ratio="-"; same="-"
  if [ "$n" -le 200 ] || { [ "$n" -le 1000 ] && [ "${NCA_BIG:-0}" = 1 ]; }; then
    read -r nt nm < <(measure "$tmp/nca-$n.txt" "$NCA" --connectivity -r "$f" -o txt_no_fw_rules --output_endpoints deployments)
    nca_col="${nt}s, ${nm} MiB"
    ratio=$(python3 -c "print(f'{$nt / max($bt, 1e-6):.0f}x')")
    python3 tests/verify/nca_pairs.py --from-output "$tmp/nca-$n.txt" | python3 -c 'import json,sys; d=json.load(sys.stdin); d.pop("messages"); print(json.dumps(d, sort_keys=True))' > "$tmp/nca-$n.json"
    python3 tests/verify/nca_pairs.py --from-output "$tmp/ours-$n.txt" | python3 -c 'import json,sys; d=json.load(sys.stdin); d.pop("messages"); print(json.dumps(d, sort_keys=True))' > "$tmp/ours-$n.json"
    if cmp -s "$tmp/nca-$n.json" "$tmp/ours-$n.json"; then same="yes ($(grep -c ' => ' "$tmp/ours-$n.txt") lines)"; else same="NO"; fi
  fi
  printf '%-9s %-26s %-26s %-8s %s\n' "$n" "${bt}s, ${bm} MiB" "$nca_col" "$ratio" "$same"
done
if [ "${BENCH_CRITERION:-0}" = 1 ]; then
  cargo bench -p bulkhead-core --bench netpol
fi
