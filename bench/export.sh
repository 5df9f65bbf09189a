#!/usr/bin/env bash
# Export benchmark: for each row count (COUNTS, default "100000 1000000"), a Product Instances export
#  1. in process (export_bench): query + write, and rust_xlsxwriter writing rows of the same shape alone;
#  2. end to end over HTTP against a release portal on a fresh SQLite database: sign in, download the
#     .xlsx and the .csv, with the server's peak resident memory (VmHWM) before and after.
# Prints one block per count; docs/PERFORMANCE.md records the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH" LEPTOS_OUTPUT_NAME=portal
cargo build --release -p server -p bench --bin server --bin export_bench 2>&1 | tail -1

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
peak_kb() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }

for count in ${COUNTS:-100000 1000000}; do
  echo "== $count instances"
  dir=$(mktemp -d)
  target/release/export_bench --count "$count" --database-url "sqlite:$dir/in-process.db?mode=rwc"
  target/release/export_bench --count "$count" --seed-only --database-url "sqlite:$dir/portal.db?mode=rwc" >/dev/null
  port=$(free_port)
  target/release/server --data-dir "$dir" serve --listen "127.0.0.1:$port" >"$dir/server.log" 2>&1 &
  pid=$!
  trap 'kill $pid 2>/dev/null || true' EXIT
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  curl -sf -c "$dir/jar" -H 'Sec-Fetch-Site: same-origin' -H 'Accept: application/json' \
    -d 'username=bench&password=bench-password' "http://127.0.0.1:$port/api/auth/login" >/dev/null
  echo "server peak RSS after start and sign-in: $(( $(peak_kb $pid) / 1024 )) MB"
  for ext in xlsx csv; do
    curl -sf -b "$dir/jar" -o "$dir/out.$ext" \
      -w "HTTP $ext: %{http_code}, %{size_download} bytes in %{time_total} s\n" \
      "http://127.0.0.1:$port/export/product-instances.$ext"
    echo "server peak RSS after the $ext export: $(( $(peak_kb $pid) / 1024 )) MB"
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true
  trap - EXIT
  rm -rf "$dir"
done
