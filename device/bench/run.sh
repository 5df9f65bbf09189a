#!/usr/bin/env bash
# `make bench-devices`: `device fleet` against a fresh release-built portal, on SQLite and then on
# PostgreSQL, and the ceiling of a bare axum handler doing one SQLite UPDATE, all in one run on this
# machine. The portal's device rate limits are raised for the run (they would otherwise refuse the
# load by design). Prints a Markdown table and keeps it in target/bench-devices.md.
#
# Also: two portal processes on one PostgreSQL database, pgbench's one-UPDATE TPS, the ceiling with
# synchronous FULL and NORMAL, and each portal process's peak RSS.
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
cleanup() {
  if [ -f "$tmp/pids" ]; then xargs -r kill <"$tmp/pids" 2>/dev/null || true; fi
  if [ -n "$pg_db" ]; then psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1 || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }


# serve NAME [DATABASE_URL]: starts a portal process on a free port; appends its pid to $tmp/pids
# and prints its port.
serve() {
  local name=$1 url=${2:-}
  local data="$tmp/$name"
  local srv=("$SERVER" --data-dir "$data" --log-level warn)
  [ -n "$url" ] && srv+=(--database-url "$url")
  local port
  port=$(free_port)
  "${srv[@]}" serve --listen "127.0.0.1:$port" \
    --device-rate-per-address "$RATE" --device-rate-per-credential "$RATE" >>"$data/serve.log" 2>&1 &
  echo $! >>"$tmp/pids"
  for _ in $(seq 1 150); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.2
  done
  echo "$port"
}

# stop: records each portal process's peak resident memory (VmHWM, kB) in $tmp/NAME.rss, then
# stops them.
stop() {
  local name=$1 peak=0
  for pid in $(cat "$tmp/pids"); do
    local kb
    kb=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    [ "${kb:-0}" -gt "$peak" ] && peak=$kb
    kill "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  done
  echo "$peak" >"$tmp/$name.rss"
  rm -f "$tmp/pids"
}

# setup NAME [DATABASE_URL [POOLS]]: a fresh portal database with an account of POOLS virtual
# accounts (default 1: Default; more are made through the REST API), each with plenty of licenses and
# one token; the tokens go to $tmp/NAME/token, one per line.
setup() {
  local name=$1 url=${2:-} pools=${3:-1}
  local data="$tmp/$name"
  local srv=("$SERVER" --data-dir "$data" --log-level warn)
  [ -n "$url" ] && srv+=(--database-url "$url")
  mkdir -p "$data"
  echo "bench password 1" | "${srv[@]}" create-account --name Bench --admin bench >/dev/null
  local names=(Default)
  if [ "$pools" -gt 1 ]; then
    local key port
    key=$("${srv[@]}" api-key create --account Bench --user bench --name bench --scope write | tail -n 1)
    port=$(serve "$name" "$url")
    for i in $(seq 2 "$pools"); do
      curl -sf -o /dev/null -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
        -d "{\"name\": \"Pool $i\", \"description\": \"\"}" "http://127.0.0.1:$port/api/v1/virtual-accounts"
      names+=("Pool $i")
    done
    stop "$name"
  fi
  for tag in A9K-100G-LIC A9K-10G-LIC A9K-AIP-LIC-E A9K-BNG-LIC-8K A9K-IVRF-LIC A9K-MACSEC-LIC; do
    "${srv[@]}" add-license --tag "$tag" --name "$tag" --family "ASR 9000" >/dev/null
    for pool in "${names[@]}"; do
      "${srv[@]}" provision --account Bench --pool "$pool" --tag "$tag" --quantity 1000000 >/dev/null
    done
  done
  : >"$data/token"
  for pool in "${names[@]}"; do
    "${srv[@]}" token create --account Bench --pool "$pool" --days 1 | tail -n 1 >>"$data/token"
  done
}

# cpu_ticks: the machine's busy and total CPU ticks so far (/proc/stat), as "busy total".
cpu_ticks() { awk '/^cpu / {t=0; for (i=2; i<=NF; i++) t+=$i; print t-$5-$6, t; exit}' /proc/stat; }

# cpu_busy NAME BEFORE: the share of the machine's CPU busy since BEFORE (cpu_ticks), in $tmp/NAME.cpu.
cpu_busy() {
  local name=$1 b0 t0 b1 t1
  read -r b0 t0 <<<"$2"
  read -r b1 t1 <<<"$(cpu_ticks)"
  awk -v b="$((b1 - b0))" -v t="$((t1 - t0))" 'BEGIN {printf "%.0f\n", 100 * b / (t ? t : 1)}' >"$tmp/$name.cpu"
}

# fleet PORT TOKENS COUNT OUT: the fleet against one portal process, spread over the tokens of the
# file TOKENS (one per line); its JSON report goes to OUT.
fleet() {
  local args=()
  while read -r t; do args+=(--token "$t"); done <"$2"
  "$DEVICE" fleet --portal "http://127.0.0.1:$1" "${args[@]}" \
    --count "$3" --concurrency "$CONCURRENCY" --rounds "$ROUNDS" --json >"$4"
}

# run_fleet NAME [DATABASE_URL [POOLS]]: one portal process and the fleet (over POOLS virtual accounts).
run_fleet() {
  local name=$1 url=${2:-} pools=${3:-1}
  setup "$name" "$url" "$pools"
  local port
  port=$(serve "$name" "$url")
  echo "==> fleet on $name: $COUNT devices, $CONCURRENCY concurrent, $ROUNDS rounds" >&2
  local before
  before=$(cpu_ticks)
  fleet "$port" "$tmp/$name/token" "$COUNT" "$tmp/$name.json"
  cpu_busy "$name" "$before"
  stop "$name"
}

# run_two NAME DATABASE_URL [POOLS]: two portal processes on one database, a fleet of COUNT devices
# against each at once (twice the load of run_fleet).
run_two() {
  local name=$1 url=$2 pools=${3:-1}
  setup "$name" "$url" "$pools"
  local a b token
  a=$(serve "$name" "$url")
  b=$(serve "$name" "$url")
  token="$tmp/$name/token"
  echo "==> two processes on $name: $COUNT devices against each, $CONCURRENCY concurrent each" >&2
  local before
  before=$(cpu_ticks)
  fleet "$a" "$token" "$COUNT" "$tmp/$name-a.json" &
  local fa=$!
  fleet "$b" "$token" "$COUNT" "$tmp/$name-b.json"
  wait "$fa"
  cpu_busy "$name" "$before"
  stop "$name"
}

run_fleet sqlite
pg_tps=""
if [ -n "$PG_URL" ] && pg_isready -d "$PG_URL/postgres" -q 2>/dev/null; then
  pg_db="bench_devices_$$"
  psql "$PG_URL/postgres" -qc "CREATE DATABASE $pg_db" >/dev/null
  run_fleet postgres "$PG_URL/$pg_db"
  psql "$PG_URL/postgres" -qc "DROP DATABASE $pg_db WITH (FORCE)" -c "CREATE DATABASE $pg_db" >/dev/null
  run_two postgres2 "$PG_URL/$pg_db"
  psql "$PG_URL/postgres" -qc "DROP DATABASE $pg_db WITH (FORCE)" -c "CREATE DATABASE $pg_db" >/dev/null
  # The fleet spread over 8 virtual accounts, one token each (the way real fleets are spread).
  run_fleet postgres8 "$PG_URL/$pg_db" 8
  psql "$PG_URL/postgres" -qc "DROP DATABASE $pg_db WITH (FORCE)" -c "CREATE DATABASE $pg_db" >/dev/null
  run_two postgres28 "$PG_URL/$pg_db" 8
  psql "$PG_URL/postgres" -qc "DROP DATABASE $pg_db WITH (FORCE)" -c "CREATE DATABASE $pg_db" >/dev/null
  echo "==> pgbench: one UPDATE per transaction, $CONCURRENCY clients, 15 s" >&2
  pgbench -q -i -s 1 "$PG_URL/$pg_db" >/dev/null 2>&1
  printf '%s\n' '\set aid random(1, 1000)' \
    'UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid = :aid;' >"$tmp/update.sql"
  pg_tps=$(pgbench -n -f "$tmp/update.sql" -c "$CONCURRENCY" -j 2 -T 15 "$PG_URL/$pg_db" 2>/dev/null |
    awk '/^tps/ {print $3; exit}')
  echo "$pg_tps" >"$tmp/pgbench.tps"
else
  echo "==> PostgreSQL not reachable at '$PG_URL': skipped" >&2
fi
for sync in full normal; do
  echo "==> ceiling: bare axum handler, one SQLite UPDATE (synchronous=$sync), $CEILING_REQUESTS requests, $CONCURRENCY concurrent" >&2
  "$CEILING" --requests "$CEILING_REQUESTS" --concurrency "$CONCURRENCY" --synchronous "$sync" --json >"$tmp/ceiling-$sync.json"
done

python3 - "$tmp" "$COUNT" "$CONCURRENCY" "$ROUNDS" <<'PY' | tee target/bench-devices.md
import json, os, sys
tmp, count, conc, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
def load(name):
    path = os.path.join(tmp, name + ".json")
    return json.load(open(path)) if os.path.exists(path) else None
def text(name):
    path = os.path.join(tmp, name)
    return open(path).read().strip() if os.path.exists(path) else ""
runs = [(label, load(name), name) for label, name in (("SQLite", "sqlite"), ("PostgreSQL", "postgres"))]
runs = [(l, r, n) for l, r, n in runs if r]
def phase(run, name):
    return next(p for p in run["phases"] if p["name"] == name)
def errors(p):
    return ", ".join(f"{k} {v}" for k, v in p["errors"].items()) or "none"
rows = [
    (f"registrations/s ({count:,} devices, one token)", lambda r: f"{phase(r, 'registration')['requests_per_sec']:.0f}"),
    (f"{count:,} registrations took", lambda r: f"{phase(r, 'registration')['seconds']:.2f} s"),
    ("registration latency p50 / p99", lambda r: "{:.1f} / {:.1f} ms".format(phase(r, "registration")["latency_ms"]["p50"], phase(r, "registration")["latency_ms"]["p99"])),
    ("registration errors", lambda r: errors(phase(r, "registration"))),
    (f"authorizations/s ({rounds} rounds × {count:,} devices)", lambda r: f"{phase(r, 'authorization')['requests_per_sec']:.0f}"),
    ("authorization latency p50 / p90 / p99", lambda r: "{:.1f} / {:.1f} / {:.1f} ms".format(*(phase(r, "authorization")["latency_ms"][k] for k in ("p50", "p90", "p99")))),
    ("authorization errors", lambda r: errors(phase(r, "authorization"))),
]
print(f"| {conc} concurrent devices | " + " | ".join(l for l, _, _ in runs) + " |")
print("|---|" + "---:|" * len(runs))
for label, cell in rows:
    print(f"| {label} | " + " | ".join(cell(r) for _, r, _ in runs) + " |")
print("| portal process peak RSS (VmHWM) | " + " | ".join(f"{int(text(n + '.rss') or 0) / 1024:.0f} MB" for _, _, n in runs) + " |")
print("| machine CPU busy during the fleet (both cores, all processes) | " + " | ".join(f"{text(n + '.cpu') or '?'} %" for _, _, n in runs) + " |")
print()
ceil = {s: load("ceiling-" + s) for s in ("full", "normal")}
for s, c in ceil.items():
    print(f"Ceiling, same run: a bare axum handler doing one SQLite UPDATE (synchronous={s.upper()}), "
          f"{c['requests']:,} requests at {conc} concurrent: **{c['requests_per_sec']:.0f} requests/s**, "
          f"p50 {c['latency_ms']['p50']:.1f} ms, p99 {c['latency_ms']['p99']:.1f} ms, errors: {errors(c)}.")
sq = load("sqlite")
if sq:
    a = phase(sq, "authorization")["requests_per_sec"]
    print()
    print(f"SQLite authorizations against the ceiling: {100 * a / ceil['full']['requests_per_sec']:.0f} % of FULL, "
          f"{100 * a / ceil['normal']['requests_per_sec']:.0f} % of NORMAL.")
tps = text("pgbench.tps")
pg = load("postgres")
if pg and tps:
    a = phase(pg, "authorization")["requests_per_sec"]
    print(f"PostgreSQL: pgbench, one UPDATE per transaction at {conc} clients, same run: **{float(tps):.0f} TPS**; "
          f"the portal's authorizations are {100 * a / float(tps):.0f} % of it.")
for one_name, two_name, spread in (("postgres", "postgres2", "one virtual account"),
                                    ("postgres8", "postgres28", "8 virtual accounts")):
    one_run = load(one_name)
    two = [load(two_name + "-a"), load(two_name + "-b")]
    if not (one_run and all(two)):
        continue
    for ph in ("registration", "authorization"):
        ps = [phase(t, ph) for t in two]
        combined = sum(p["requests"] for p in ps) / max(p["seconds"] for p in ps)
        one = phase(one_run, ph)["requests_per_sec"]
        print(f"Fleet over {spread}: one process {one:.0f} {ph}s/s (p99 {phase(one_run, ph)['latency_ms']['p99']:.1f} ms); "
              f"two portal processes on one PostgreSQL database, {conc} devices each: "
              f"**{combined:.0f}/s** together, **{combined / one:.2f}×** one process; errors: "
              + "; ".join(errors(p) for p in ps)
              + f"; peak RSS {int(text(two_name + '.rss') or 0) / 1024:.0f} MB; machine CPU busy {text(two_name + '.cpu') or '?'} %.")
PY
