#!/usr/bin/env bash
# Registers N simulated devices (ASR 9000 routers) with one registration token, through the `device`
# client's fleet form (docs/DEVICE-CLIENT.md), and prints how many registered.
#
#   register_devices.sh [--portal URL] TOKEN N
#
# The portal comes from --portal or $PORTAL_URL; the client from $DEVICE (default: `device` on the
# PATH); $CONCURRENCY devices talk at once (default 8). Plain http:// is accepted from loopback only;
# for a portal with a self-signed certificate set DEVICE_CA_FILE to its PEM file. The portal's
# device rate limit (600 requests a minute per address by default) bounds N from one address.
# Exits non-zero unless all N registered.
set -euo pipefail

usage() { echo "usage: $0 [--portal URL] TOKEN N" >&2; exit 2; }
portal="${PORTAL_URL:-}"
if [ "${1:-}" = "--portal" ]; then
  [ $# -ge 2 ] || usage
  portal="$2"
  shift 2
fi
[ $# -eq 2 ] || usage
token="$1"
count="$2"
[[ "$count" =~ ^[1-9][0-9]*$ ]] || { echo "error: N must be a whole number of at least 1" >&2; exit 2; }
[ -n "$portal" ] || { echo "error: give the portal's URL (--portal URL or PORTAL_URL)" >&2; exit 2; }
device="${DEVICE:-device}"
concurrency="${CONCURRENCY:-8}"
ca=()
[ -z "${DEVICE_CA_FILE:-}" ] || ca=(--ca-file "$DEVICE_CA_FILE")

echo "registering $count device(s) at $portal with token ${token:0:10}…" >&2
report="$(mktemp)"
trap 'rm -f "$report"' EXIT
# --rounds 0: register only, no authorization rounds. --json: a report to read, no progress bar.
status=0
"$device" fleet --portal "$portal" --token "$token" --count "$count" --concurrency "$concurrency" \
  --rounds 0 --json "${ca[@]}" >"$report" || status=$?

python3 - "$report" "$count" "$status" <<'PY'
import json, sys

path, wanted, status = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
try:
    with open(path) as f:
        report = json.load(f)
except ValueError:
    sys.exit(f"error: the device client failed (exit {status}) and printed no report")
registered = report["registered"]
errors = {code: n for phase in report["phases"] for code, n in phase["errors"].items()}
print(f"registered {registered} of {wanted} device(s)")
if errors:
    print("refused: " + ", ".join(f"{code} × {n}" for code, n in sorted(errors.items())), file=sys.stderr)
sys.exit(0 if registered == wanted else 1)
PY
