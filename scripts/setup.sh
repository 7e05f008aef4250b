#!/usr/bin/env bash
# Installs everything Bulkhead needs on a fresh Debian/Ubuntu machine, skipping what is there:
# system packages (Tauri's WebKitGTK, Xvfb, nginx, chromium), the UI's npm packages, the Python
# venv with the independent verifiers, and tauri-driver. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

APT_PACKAGES=(
  libwebkit2gtk-4.1-dev build-essential libssl-dev libayatana-appindicator3-dev librsvg2-dev
  libxdo-dev pkg-config xvfb xauth webkit2gtk-driver imagemagick xdotool
  nginx-light chromium python3-venv curl ca-certificates
)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "apt: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null; then
  echo "error: cargo not found; install Rust with rustup (https://rustup.rs) and re-run" >&2
  exit 2
fi

if [ -f ui/package.json ]; then
  if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
    log "npm: installing UI packages"
    (cd ui && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi

# The published Cilium/Istio CRD validators the export proofs run (tests/verify/crds-published).
P=tests/verify/crds-published
if [ ! -d $P/node_modules ] || [ $P/package-lock.json -nt $P/node_modules/.package-lock.json ]; then
  log "npm: installing the published CRD validators"
  (cd $P && npm ci --no-audit --no-fund --loglevel=error --engine-strict=false)
fi

if [ ! -x .venv-verify/bin/nca ] || [ ! -x .venv-verify/bin/kubernetes-validate ] \
   || ! .venv-verify/bin/python -c "import jsonschema, Xlib" 2>/dev/null; then
  log "python: creating .venv-verify with network-config-analyzer, kubernetes-validate and python-xlib"
  python3 -m venv .venv-verify
  .venv-verify/bin/pip install -q --disable-pip-version-check -r tests/verify-requirements.txt
fi

if [ ! -x .tools/bin/tauri-driver ]; then
  log "cargo: installing tauri-driver into .tools"
  cargo install tauri-driver --locked --root "$ROOT/.tools" -q
fi
log "setup complete"
