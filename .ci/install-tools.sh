#!/usr/bin/env bash
# Installs the build tools the portal needs when they are missing: the wasm target, wasm-bindgen-cli
# 0.2.130 (built from crates.io source with one dependency pinned back so that it compiles on this
# toolchain; about a minute) and binaryen's wasm-opt from npm. With WITH_CARGO_LEPTOS=1 also
# cargo-leptos 0.3.11, for the optional `make dev` loop only (about 10 minutes, built the same way).
set -euo pipefail

CARGO_HOME=${CARGO_HOME:-$HOME/.cargo}
TOOLS_DIR=${TOOLS_DIR:-$HOME/.cache/portal-tools}
mkdir -p "$TOOLS_DIR"

log() { printf '==> %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# Fetches a crate's source from crates.io into $TOOLS_DIR/<name>-<version> (via a throwaway manifest),
# pins one dependency back, and installs it unoptimised (fast to build, fast enough at its job).
install_from_source() {
  local name=$1 version=$2 pin=$3 pin_version=$4
  local src="$TOOLS_DIR/$name-$version"
  if [ ! -d "$src" ]; then
    log "downloading $name $version source"
    local probe="$TOOLS_DIR/fetch-$name"
    rm -rf "$probe" && mkdir -p "$probe/src"
    printf '[package]\nname = "fetch-probe"\nversion = "0.0.0"\nedition = "2021"\n[dependencies]\n%s = "=%s"\n' \
      "$name" "$version" > "$probe/Cargo.toml"
    touch "$probe/src/lib.rs"
    (cd "$probe" && cargo fetch --quiet)
    local registry_src
    registry_src=$(ls -d "$CARGO_HOME"/registry/src/*/"$name-$version" | head -n 1)
    cp -r "$registry_src" "$src.tmp" && mv "$src.tmp" "$src"
    rm -rf "$probe"
  fi
  log "building $name $version (debug profile, pinned $pin $pin_version)"
  (cd "$src" && { [ -f Cargo.lock ] || cargo generate-lockfile; } \
     && cargo update --quiet -p "$pin" --precise "$pin_version" \
     && cargo install --path . --locked --debug --force --quiet)
}

if [ "${WITH_CARGO_LEPTOS:-0}" = 1 ] && ! cargo leptos --version 2>/dev/null | grep -q '0\.3\.11'; then
  install_from_source cargo-leptos 0.3.11 cargo-util-schemas 0.14.1
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q '0\.2\.130'; then
  install_from_source wasm-bindgen-cli 0.2.130 webpki-roots 1.0.10
fi

if ! command -v wasm-opt >/dev/null; then
  log "installing wasm-opt (npm binaryen)"
  npm install --global --silent binaryen
fi
log "build tools ready"
