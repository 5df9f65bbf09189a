#!/usr/bin/env bash
# Builds the portal, release: the `server`, `device` and `xtask` binaries in one cargo invocation and,
# at the same time in a target dir of its own, the browser bundle (`frontend` for wasm32); then
# wasm-bindgen, wasm-opt, the stylesheet and public files into target/site, and content-hashed names
# with brotli and gzip copies (`xtask site`). Every step's exit code is checked: a failed wasm step
# would leave a site that renders but never hydrates.
#
# Why two builds at once: the server's build ends in a long serial chain (sea-orm, app, server, the
# link) that leaves a core idle, and the bundle shares no artifact with it (another target, another
# profile), so building it beside the server costs almost nothing (docs/PERFORMANCE.md).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
# The server compiles the bundle's name in (leptos' hydration script): `portal`, never `portal_bg`.
export LEPTOS_OUTPUT_NAME=portal

SITE=target/site
PKG=$SITE/pkg
FRONT=target/front
WASM=$FRONT/wasm32-unknown-unknown/wasm-release/frontend.wasm
mkdir -p "$FRONT" "$PKG"

log() { printf '==> %s\n' "$*"; }

log "building the browser bundle (log: $FRONT/build.log) beside the server"
cargo build -p frontend --lib --target wasm32-unknown-unknown --profile wasm-release \
  --target-dir "$FRONT" >"$FRONT/build.log" 2>&1 &
wasm_pid=$!

server_status=0
cargo build --release -p server -p device -p xtask --bins || server_status=$?
wasm_status=0
wait "$wasm_pid" || wasm_status=$?
if [ "$wasm_status" -ne 0 ]; then
  cat "$FRONT/build.log" >&2
  echo "build: the browser bundle failed to build (exit $wasm_status)" >&2
  exit 1
fi
if [ "$server_status" -ne 0 ]; then
  echo "build: the server failed to build (exit $server_status)" >&2
  exit "$server_status"
fi

log "wasm-bindgen, wasm-opt, stylesheet"
rm -rf "$FRONT/bindgen"
wasm-bindgen --target web --no-typescript --out-dir "$FRONT/bindgen" --out-name portal "$WASM"
# -O1 without debug info: smaller on the wire than -Oz once compressed, and 5 times faster to make.
wasm-opt -O1 --strip-debug --strip-producers "$FRONT/bindgen/portal_bg.wasm" -o "$PKG/portal.wasm"
cp "$FRONT/bindgen/portal.js" "$PKG/portal.js"
cp style/main.css "$PKG/portal.css"
cp -r public/. "$SITE/"
rm -f "$SITE/.keep"
target/release/xtask site "$PKG" portal
log "built: target/release/server, target/release/device, $SITE"
