#!/usr/bin/env bash
# The first load of a page by a new visitor, cold cache (bench/first-load.mjs: bytes on the
# wire and time until hydrated, median of RUNS=5), against a fresh portal with the demo account.
#   bench/first-load.sh [server binary] [the folder it runs in, holding Leptos.toml and target/site]
# PAGES=/login,/overview,... measures those pages (signed in as the demo user but /login).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
server=$(realpath "${1:-target/release/server}")
workdir=$(realpath "${2:-.}")
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
dir=$(mktemp -d)
port=$(free_port)
(cd "$workdir" && "$server" --data-dir "$dir" serve --demo --listen "127.0.0.1:$port") >"$dir/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
node "$repo/bench/first-load.mjs" "http://127.0.0.1:$port" "${RUNS:-5}"
