#!/usr/bin/env bash
# Export proofs that need the external checkers: every target is exported for the example designs,
# the hand-made fixture and generated designs, then
#   - NetworkPolicy objects: kubernetes-validate --strict (Kubernetes 1.37 schemas);
#   - Cilium and Istio objects: the vendored CRD schemas, strict, and the published CRD validators of
#     the npm packages @kubernetes-models/cilium and /istio (tests/verify/validate_objects.py);
#   - Kong: Kong's declarative rules, offline (tests/verify/kong_rules.py);
#   - NGINX: nginx -t (upstream names pointed at loopback, since cluster DNS is not resolvable here).
# Then the connectivity differential: NCA on the exported NetworkPolicies of the examples and 100
# generated designs must equal the evaluator's L4 answer (tests/export_nca.rs, ignored by a plain
# `cargo test` because it takes minutes). The live nginx enforcement test (tests/export_nginx.rs)
# runs in the Rust stage.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
VENV="$ROOT/.venv-verify/bin"
missing=()
[ -x "$VENV/kubernetes-validate" ] || missing+=(kubernetes-validate)
"$VENV/python" -c 'import jsonschema, yaml' 2>/dev/null || missing+=(python-jsonschema)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
[ -d tests/verify/crds-published/node_modules/@kubernetes-models ] || missing+=(published-crd-validators)
command -v node >/dev/null || missing+=(node)
if [ ${#missing[@]} -gt 0 ]; then
  echo "export proofs: missing ${missing[*]} (run scripts/setup.sh)" >&2
  exit 1
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

# The published CRD validators must tell a valid object from an invalid one of every kind.
(cd tests/verify/crds-published && node validate.mjs --self-test)

cargo build -q --locked --bin bulkhead
BH="$ROOT/target/debug/bulkhead"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

designs=(examples/online-boutique.bulkhead.json examples/fintech.bulkhead.json
         crates/bulkhead-export/tests/data/mini-shop.bulkhead.json)
for seed in 1 2 3 4 5; do
  "$BH" generate --services $((20 + seed * 7)) --seed "$seed" -o "$TMP/generated-$seed.bulkhead.json"
  designs+=("$TMP/generated-$seed.bulkhead.json")
done

fail=0
for d in "${designs[@]}"; do
  name=$(basename "$d" .bulkhead.json)
  for target in networkpolicy networkpolicy-egress cilium istio istio-staged kong nginx nginx-staged; do
    out="$TMP/$name/$target"
    args=(--target "${target%-staged}")
    [[ $target == *-staged ]] && args+=(--staged)
    "$BH" export "$d" "${args[@]}" --out "$out" 2>/dev/null >/dev/null || { echo "FAIL export $name $target"; fail=1; continue; }
  done
  # NetworkPolicy: every object, both variants, strict.
  if ! "$VENV/kubernetes-validate" --strict --quiet --no-warn \
      $(ls "$TMP/$name"/networkpolicy*/*.yaml | grep -v kustomization.yaml) >"$TMP/kv.log" 2>&1; then
    echo "FAIL kubernetes-validate $name:"; cat "$TMP/kv.log"; fail=1
  fi
  for target in cilium istio istio-staged; do
    "$VENV/python" tests/verify/validate_objects.py "$TMP/$name/$target" || { echo "FAIL schema $name $target"; fail=1; }
  done
  "$VENV/python" tests/verify/kong_rules.py "$TMP/$name/kong/kong.yaml" || { echo "FAIL kong rules $name"; fail=1; }
  for target in nginx nginx-staged; do
    dir="$TMP/$name/$target"
    mkdir -p "$dir/logs"
    sed -E 's/server [^;]+;/server 127.0.0.1:9;/' "$dir/upstreams.conf" >"$dir/upstreams.loopback" && mv "$dir/upstreams.loopback" "$dir/upstreams.conf"
    if ! "$NGINX" -t -q -p "$dir" -c "$dir/nginx.conf" -g "pid $dir/nginx.pid; error_log $dir/logs/error.log;" 2>"$TMP/ng.log"; then
      echo "FAIL nginx -t $name $target:"; cat "$TMP/ng.log"; fail=1
    fi
  done
  echo "export proofs: $name checked"
done
echo "export proofs: connectivity differential (network-config-analyzer)"
cargo test -q --locked --test export_nca -- --ignored --nocapture || { echo "FAIL connectivity differential"; fail=1; }
if [ $fail -ne 0 ]; then
  echo "export proofs: FAILED"
  exit 1
fi
echo "export proofs: ${#designs[@]} designs schema-valid (every target), Kong rules, nginx -t and the NCA differential passed"
