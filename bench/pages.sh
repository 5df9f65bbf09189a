#!/usr/bin/env bash
# Every page's time to first byte with COUNT instances (default 1,000,000) in one pool: seeds a fresh
# SQLite database with export_bench --seed-only, starts a release server on it, signs in, and prints
# the median of 7 requests per page (curl's time_starttransfer). docs/PERFORMANCE.md records it.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH" LEPTOS_OUTPUT_NAME=portal
COUNT=${COUNT:-1000000}
for bin in target/release/server target/release/export_bench; do
  [ -x "$bin" ] || { echo "bench/pages.sh: $bin is missing (make build; cargo build --release -p bench --bin export_bench)" >&2; exit 1; }
done
dir=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$dir"' EXIT
target/release/export_bench --count "$COUNT" --seed-only --database-url "sqlite:$dir/portal.db?mode=rwc"
target/release/server --data-dir "$dir" serve --listen "127.0.0.1:$port" >"$dir/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
curl -sf -c "$dir/jar" -H 'Sec-Fetch-Site: same-origin' -H 'Accept: application/json' \
  -d 'username=bench&password=bench-password' "http://127.0.0.1:$port/api/auth/login" >/dev/null
echo "| page | time to first byte, median of 7 | all 7 (ms) |"
echo "|---|---:|---|"
# /healthz is the ceiling: a database ping through the same server, router and curl.
for path in "/healthz" "/overview" "/resolve-shortages" "/inventory" "/inventory?tab=licenses" "/inventory?tab=instances" "/inventory?tab=events" \
  "/virtual-accounts" "/reports" "/alerts" "/users" "/account"; do
  times=()
  for _ in 1 2 3 4 5 6 7; do
    read -r code t < <(curl -s -o /dev/null -b "$dir/jar" -w '%{http_code} %{time_starttransfer}\n' "http://127.0.0.1:$port$path")
    [ "$code" = 200 ] || { echo "bench/pages.sh: $path answered $code" >&2; exit 1; }
    times+=("$(awk -v t="$t" 'BEGIN {printf "%.1f", t * 1000}')")
  done
  median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 4p)
  echo "| \`$path\` | $median ms | ${times[*]} |"
done
