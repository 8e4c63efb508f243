#!/usr/bin/env bash
# Installs, idempotently, what the build and the tests need. Each step is skipped when its
# tool is already there, so `make run` and `make test` work on a fresh machine and stay fast
# on a warm one. Usage: scripts/ensure-tools.sh [wasm] [npm] [chromium] [deny] [valgrind]
set -euo pipefail
cd "$(dirname "$0")/.."

want() { for w in "$@"; do [[ " $STEPS " == *" $w "* ]] && return 0; done; return 1; }
STEPS=" $* "
log() { echo "ensure-tools: $*" >&2; }

# The toolchain rust-toolchain.toml pins, before anything runs cargo in this folder. Where the
# machine's stable toolchain is that version (these machines reach no toolchain server), it is
# linked under the pinned name; otherwise rustup installs it.
pinned=$(awk -F'"' '/^channel/ {print $2; exit}' rust-toolchain.toml)
host=$(RUSTUP_TOOLCHAIN=stable rustc -vV 2>/dev/null | awk '/^host:/ {print $2}')
home=${RUSTUP_HOME:-$HOME/.rustup}
if [ -n "$pinned" ] && [ -n "$host" ] && [ ! -e "$home/toolchains/$pinned-$host" ]; then
  if [ "$(RUSTUP_TOOLCHAIN=stable rustc --version | awk '{print $2}')" = "$pinned" ]; then
    log "using the installed stable toolchain as $pinned"
    ln -s "$home/toolchains/stable-$host" "$home/toolchains/$pinned-$host"
  else
    log "installing Rust $pinned"
    rustup toolchain install "$pinned" --profile minimal --component rustfmt,clippy --target wasm32-unknown-unknown
  fi
fi
if ! rustup component list --toolchain "$pinned" --installed 2>/dev/null | grep -q '^clippy'; then
  rustup component add --toolchain "$pinned" rustfmt clippy
fi

if want wasm; then
  if ! rustup target list --toolchain "$pinned" --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    log "adding the wasm32-unknown-unknown target"
    rustup target add --toolchain "$pinned" wasm32-unknown-unknown
  fi
  # wasm-bindgen-cli must match the wasm-bindgen version in Cargo.lock exactly.
  ver=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$ver" ]; then
    log "installing wasm-bindgen-cli $ver (a few minutes, once)"
    # Not --locked: its own lockfile pins a crate the registry no longer serves.
    cargo install wasm-bindgen-cli --version "=$ver"
  fi
fi

if want npm; then
  # npm ci when node_modules is missing or older than package-lock.json (npm ci rewrites
  # node_modules/.package-lock.json, so a completed install is newer than the lock).
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "npm ci"
    npm ci --no-audit --no-fund
  fi
fi

if want deny; then
  if ! cargo deny --version >/dev/null 2>&1; then
    log "installing cargo-deny (a few minutes, once)"
    cargo install cargo-deny --locked
  fi
fi

if want chromium; then
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ] || [ -z "$(fc-list :lang=zh 2>/dev/null | head -n1)" ]; then
    log "installing Debian's chromium and chromium-driver"
    export DEBIAN_FRONTEND=noninteractive
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -q
    $SUDO apt-get install -y -q --no-install-recommends chromium chromium-driver fonts-noto-cjk
  fi
fi

if want valgrind; then
  # `make bench` counts instructions per estimate with callgrind; without valgrind it says so.
  if ! valgrind --version >/dev/null 2>&1; then
    log "installing Debian's valgrind (for make bench's instruction counts)"
    export DEBIAN_FRONTEND=noninteractive
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    { $SUDO apt-get update -q && $SUDO apt-get install -y -q --no-install-recommends valgrind; } || log "could not install valgrind: make bench leaves the instruction counts out"
  fi
fi
