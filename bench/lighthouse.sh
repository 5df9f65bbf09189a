#!/usr/bin/env bash
# Lighthouse (npm `lighthouse` 12.2.3, installed once under ~/.cache/portal-tools/lighthouse; 13 wants
# Node 22) with Debian's Chromium, against a fresh portal with the demo account: the performance,
# accessibility and best-practices scores of every page, Lighthouse's default (a phone on a slow
# 4G link, CPU slowed 4×) or PRESET=desktop. Signed-in pages get the demo user's session cookie.
#   bench/lighthouse.sh [server binary] [the folder it runs in, holding Leptos.toml and target/site]
# Prints one line per page and writes the reports to $OUT (default target/lighthouse).
set -euo pipefail
cd "$(dirname "$0")/.."
server=$(realpath "${1:-target/release/server}")
workdir=$(realpath "${2:-.}")
out=$(realpath -m "${OUT:-target/lighthouse}")
tools=${TOOLS_DIR:-$HOME/.cache/portal-tools}/lighthouse
lighthouse=$tools/node_modules/.bin/lighthouse
if ! "$lighthouse" --version 2>/dev/null | grep -qx '12.2.3'; then
  mkdir -p "$tools"
  (cd "$tools" && npm install --silent --no-audit --no-fund lighthouse@12.2.3)
fi
mkdir -p "$out"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
dir=$(mktemp -d)
port=$(free_port)
base="http://127.0.0.1:$port"
(cd "$workdir" && "$server" --data-dir "$dir" serve --demo --listen "127.0.0.1:$port") >"$dir/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 100); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.1; done

cookie=$(curl -s -i -X POST -H "Origin: $base" --data "username=demo&password=demo-portal-2026" \
  "$base/api/auth/login" | tr -d '\r' | sed -n 's/^set-cookie: \(portal_session=[^;]*\).*/\1/ip' | head -n 1)
[ -n "$cookie" ] || { echo "lighthouse: could not sign in as the demo user" >&2; exit 1; }

pages=${PAGES:-/login /overview /inventory?tab=general /inventory?tab=licenses /inventory?tab=instances /inventory?tab=events /virtual-accounts /reports /alerts /events /users /account /api-keys /satellites /traditional-licenses /resolve-shortages /api-reference /help}
preset=()
[ "${PRESET:-}" = desktop ] && preset=(--preset=desktop)
printf '%-28s %11s %13s %14s\n' page performance accessibility best-practices
for page in $pages; do
  headers='{}'
  [ "$page" != /login ] && headers="{\"Cookie\":\"$cookie\"}"
  name=$(printf '%s' "$page" | tr -c 'a-zA-Z0-9' '_')
  "$lighthouse" "$base$page" --quiet "${preset[@]}" \
    --chrome-path=/usr/bin/chromium \
    --chrome-flags="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync" \
    --only-categories=performance,accessibility,best-practices \
    --extra-headers="$headers" --output=json --output-path="$out/$name.json" >/dev/null 2>"$out/$name.log" \
    || { echo "lighthouse failed on $page (log: $out/$name.log)" >&2; exit 1; }
  python3 - "$out/$name.json" "$page" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
c = r["categories"]
score = lambda k: round(c[k]["score"] * 100)
print(f'{sys.argv[2]:<28} {score("performance"):>11} {score("accessibility"):>13} {score("best-practices"):>14}')
PY
done
