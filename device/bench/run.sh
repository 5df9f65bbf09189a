#!/usr/bin/env bash
# `make bench-devices`: `device fleet` against a fresh release-built portal, on SQLite and then on
# PostgreSQL, and the ceiling of a bare axum handler doing one SQLite UPDATE, all in one run on this
# machine. The portal's device rate limits are raised for the run (they would otherwise refuse the
# load by design). Prints a Markdown table and keeps it in target/bench-devices.md.
#
# Settings (environment): COUNT (devices, 1000), CONCURRENCY (64), ROUNDS (authorization rounds, 5),
# CEILING_REQUESTS (20000), PG_URL (postgres://postgres@127.0.0.1:5432; empty to skip PostgreSQL).
set -euo pipefail
cd "$(dirname "$0")/../.."

SERVER=target/release/server
DEVICE=target/release/device
CEILING=target/release/ceiling
COUNT=${COUNT:-1000}
CONCURRENCY=${CONCURRENCY:-64}
ROUNDS=${ROUNDS:-5}
CEILING_REQUESTS=${CEILING_REQUESTS:-20000}
PG_URL=${PG_URL-postgres://postgres@127.0.0.1:5432}
RATE=1000000000

for bin in "$SERVER" "$DEVICE" "$CEILING"; do
  [ -x "$bin" ] || { echo "bench-devices: $bin is missing (make build; cargo build --release -p device -p bench --bin device --bin ceiling)" >&2; exit 1; }
done

tmp=$(mktemp -d)
pg_db=""
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ -n "$pg_db" ]; then psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1 || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# run_fleet NAME [DATABASE_URL]: a fresh portal, an account with plenty of licenses and one token,
# then the fleet; its JSON report goes to $tmp/NAME.json.
run_fleet() {
  local name=$1 url=${2:-}
  local data="$tmp/$name"
  local srv=("$SERVER" --data-dir "$data" --log-level warn)
  [ -n "$url" ] && srv+=(--database-url "$url")
  mkdir -p "$data"
  echo "bench password 1" | "${srv[@]}" create-account --name Bench --admin bench >/dev/null
  for tag in A9K-100G-LIC A9K-10G-LIC A9K-AIP-LIC-E A9K-BNG-LIC-8K A9K-IVRF-LIC A9K-MACSEC-LIC; do
    "${srv[@]}" add-license --tag "$tag" --name "$tag" --family "ASR 9000" >/dev/null
    "${srv[@]}" provision --account Bench --pool Default --tag "$tag" --quantity 1000000 >/dev/null
  done
  local token
  token=$("${srv[@]}" token create --account Bench --pool Default --days 1 | tail -n 1)
  local port
  port=$(free_port)
  "${srv[@]}" serve --listen "127.0.0.1:$port" \
    --device-rate-per-address "$RATE" --device-rate-per-credential "$RATE" >"$data/serve.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 150); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.2
  done
  echo "==> fleet on $name: $COUNT devices, $CONCURRENCY concurrent, $ROUNDS rounds" >&2
  "$DEVICE" fleet --portal "http://127.0.0.1:$port" --token "$token" \
    --count "$COUNT" --concurrency "$CONCURRENCY" --rounds "$ROUNDS" --json >"$tmp/$name.json"
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

run_fleet sqlite
if [ -n "$PG_URL" ] && pg_isready -d "$PG_URL/postgres" -q 2>/dev/null; then
  pg_db="bench_devices_$$"
  psql "$PG_URL/postgres" -qc "CREATE DATABASE $pg_db" >/dev/null
  run_fleet postgres "$PG_URL/$pg_db"
else
  echo "==> PostgreSQL not reachable at '$PG_URL': skipped" >&2
fi
echo "==> ceiling: bare axum handler, one SQLite UPDATE, $CEILING_REQUESTS requests, $CONCURRENCY concurrent" >&2
"$CEILING" --requests "$CEILING_REQUESTS" --concurrency "$CONCURRENCY" --json >"$tmp/ceiling.json"

python3 - "$tmp" "$COUNT" "$CONCURRENCY" "$ROUNDS" <<'PY' | tee target/bench-devices.md
import json, os, sys
tmp, count, conc, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
def load(name):
    path = os.path.join(tmp, name + ".json")
    return json.load(open(path)) if os.path.exists(path) else None
runs = [(label, load(name)) for label, name in (("SQLite", "sqlite"), ("PostgreSQL", "postgres"))]
runs = [(l, r) for l, r in runs if r]
def phase(run, name):
    return next(p for p in run["phases"] if p["name"] == name)
def errors(p):
    return ", ".join(f"{k} {v}" for k, v in p["errors"].items()) or "none"
rows = [
    (f"registrations/s ({count:,} devices, one token)", lambda r: f"{phase(r, 'registration')['requests_per_sec']:.0f}"),
    ("registration latency p50 / p99", lambda r: "{:.1f} / {:.1f} ms".format(phase(r, "registration")["latency_ms"]["p50"], phase(r, "registration")["latency_ms"]["p99"])),
    ("registration errors", lambda r: errors(phase(r, "registration"))),
    (f"authorizations/s ({rounds} rounds × {count:,} devices)", lambda r: f"{phase(r, 'authorization')['requests_per_sec']:.0f}"),
    ("authorization latency p50 / p90 / p99", lambda r: "{:.1f} / {:.1f} / {:.1f} ms".format(*(phase(r, "authorization")["latency_ms"][k] for k in ("p50", "p90", "p99")))),
    ("authorization errors", lambda r: errors(phase(r, "authorization"))),
]
print(f"| {conc} concurrent devices | " + " | ".join(l for l, _ in runs) + " |")
print("|---|" + "---:|" * len(runs))
for label, cell in rows:
    print(f"| {label} | " + " | ".join(cell(r) for _, r in runs) + " |")
c = load("ceiling")
print()
print(f"Ceiling, same run: a bare axum handler doing one SQLite UPDATE, {c['requests']:,} requests at {conc} "
      f"concurrent: **{c['requests_per_sec']:.0f} requests/s**, p50 {c['latency_ms']['p50']:.1f} ms, "
      f"p99 {c['latency_ms']['p99']:.1f} ms, errors: {errors(c)}.")
PY
