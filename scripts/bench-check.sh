#!/usr/bin/env bash
# Benchmark `bulkhead check` on 1,000,000 generated traffic log lines.
#
# Generates a 200-service estate (`bulkhead generate`), then a CSV traffic log of N lines
# (default 1,000,000; `BENCH_LINES` overrides) in a temp dir: mostly calls the design declares,
# plus calls it denies, calls from peers not in the inventory and a few garbage lines (which
# must be counted, not fatal). Times `bulkhead check` on it (release build) next to the floor
# of reading the same bytes (`wc -l`), and prints lines per second and peak memory.
# `BENCH_LINES` and `BENCH_PROFILE` (release or debug) override the defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
LINES="${BENCH_LINES:-1000000}"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# `BENCH_PROFILE=debug` reuses the debug build (for a quick look; the numbers are not the
# product's).
if [ "${BENCH_PROFILE:-release}" = debug ]; then
  cargo build --quiet --bin bulkhead
  BIN=target/debug/bulkhead
else
  cargo build --release --quiet --bin bulkhead
  BIN=target/release/bulkhead
fi
echo "binary: $BIN"

"$BIN" generate --services 200 --peers 6 --seed 7 --output "$TMP/estate.bulkhead.json"

python3 - "$TMP/estate.bulkhead.json" "$TMP/traffic.csv" "$LINES" <<'PY'
import json, random, sys
design, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
d = json.load(open(design))
rng = random.Random(7)
declared = [f for f in d["flows"] if f.get("kind", "declared") == "declared"]
services = [s["id"] for s in d["services"]]
with open(out, "w") as w:
    w.write("src,dst,port,method,path,count,first_seen\n")
    for i in range(n):
        t = 1_767_225_600 + i  # one call a second from 2026-01-01
        r = rng.random()
        if r < 0.94:
            f = declared[rng.randrange(len(declared))]
            src, dst, port = f["from"], f["to"], f.get("port") or ""
            method, path = f.get("method") or "GET", f.get("path") or f"/items/{rng.randrange(10000)}"
        elif r < 0.98:
            src, dst = rng.sample(services, 2)
            port, method, path = 8080, "POST", f"/admin/{rng.randrange(50)}"
        elif r < 0.999:
            src, dst = f"scanner-{rng.randrange(20)}", services[rng.randrange(len(services))]
            port, method, path = 8080, "GET", "/"
        else:
            w.write("this line is not csv at all\t\"\n")
            continue
        w.write(f"{src},{dst},{port},{method},{path},1,{t}\n")
PY

BYTES=$(stat -c %s "$TMP/traffic.csv")
echo "traffic: $LINES lines, $((BYTES / 1024 / 1024)) MiB"

floor_start=$(date +%s.%N)
wc -l "$TMP/traffic.csv" >/dev/null
floor_end=$(date +%s.%N)

start=$(date +%s.%N)
set +e
/usr/bin/time -f "%M" -o "$TMP/maxrss" "$BIN" check "$TMP/estate.bulkhead.json" \
  --traffic "$TMP/traffic.csv" --format json >"$TMP/drift.json"
code=$?
set -e
end=$(date +%s.%N)
if [ "$code" -ne 0 ] && [ "$code" -ne 1 ]; then
  echo "bulkhead check failed with exit code $code" >&2
  exit 1
fi

python3 - "$TMP/drift.json" "$LINES" "$start" "$end" "$floor_start" "$floor_end" "$(tail -n 1 "$TMP/maxrss")" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
n = int(sys.argv[2])
secs = float(sys.argv[4]) - float(sys.argv[3])
floor = float(sys.argv[6]) - float(sys.argv[5])
t, s = d["traffic"], d["summary"]
assert t["lines"] == n + 1, f"read {t['lines']} lines, expected {n + 1}"
assert t["unparsed_lines"] > 0, "garbage lines must be counted"
print(f"bulkhead check: {secs:.2f} s for {n} lines = {n / secs:,.0f} lines/s "
      f"(floor `wc -l`: {floor:.3f} s); peak RSS {int(sys.argv[7]) / 1024:.0f} MiB")
print(f"  {t['calls']} calls in {t['flows']} flows, {t['unparsed_lines']} unparsed lines; "
      f"{s['violations']} violations, {s['shadow_services']} shadow services, "
      f"{s['unused_grants']} unused grants")
PY
