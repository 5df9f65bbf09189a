#!/usr/bin/env bash
# Fuzzes the customer REST API (/api/v1) with schemathesis against a fresh portal: random valid and
# invalid requests built from the served OpenAPI document, every check on (no 5xx, answers as
# documented, valid input accepted, invalid refused, auth enforced, stateful sequences). Settings in
# schemathesis.toml beside this file; exits non-zero on any failure.
#
#   bash end2end/api/schemathesis.sh            (from anywhere; SERVER=path overrides the binary)
#
# Reports (JUnit, a pytest reproduction file) land in $ST_REPORT_DIR (default target/schemathesis).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../.."

SERVER="${SERVER:-target/release/server}"
REPORT_DIR="${ST_REPORT_DIR:-target/schemathesis}"
want="$(sed -n 's/^schemathesis==//p' "$here/requirements.txt")"
have="$(python3 -c 'import importlib.metadata as m; print(m.version("schemathesis"))' 2>/dev/null || true)"
if [ "$have" != "$want" ]; then
  echo "schemathesis $want is needed (found: ${have:-none}); run: make e2e-deps" >&2
  exit 2
fi
[ -x "$SERVER" ] || { echo "no $SERVER: run make build" >&2; exit 2; }

data="$(mktemp -d)"
pid=""
stop() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$data"
}
trap stop EXIT

S=("$SERVER" --data-dir "$data" --log-level warn)
"${S[@]}" demo >/dev/null
PORTAL_API_KEY="$("${S[@]}" api-key create --account "Acme Networks" --user demo --name schemathesis \
  --scope write --expires never)"
export PORTAL_API_KEY
# Token ids 1 to 4, one per demo virtual account, for the token operations to find.
for pool in Default East West Lab; do
  "${S[@]}" token create --account "Acme Networks" --pool "$pool" --days 30 >/dev/null
done

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
url="http://127.0.0.1:$port"
"${S[@]}" serve --listen "127.0.0.1:$port" --api-rate-per-key 1000000 >"$data/portal.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
  curl -fsS -o /dev/null "$url/api/v1/openapi.json" 2>/dev/null && break
  kill -0 "$pid" 2>/dev/null || { echo "the portal did not start:" >&2; cat "$data/portal.log" >&2; exit 1; }
  sleep 0.2
done
echo "==> schemathesis $have against $url (data in $data)"

status=0
# What schemathesis does not check in the document itself: operationIds unique (client generators
# name methods after them) and every local $ref resolvable.
curl -fsS "$url/api/v1/openapi.json" | python3 -c '
import collections, json, re, sys
text = sys.stdin.read()
doc = json.loads(text)
problems = []
ids = collections.Counter(op.get("operationId") for ops in doc["paths"].values() for op in ops.values()
                          if isinstance(op, dict))
problems += [f"operationId {i!r} is used by {n} operations" for i, n in sorted(ids.items()) if n > 1]
for ref in sorted(set(re.findall(r"\"\$ref\": \"#/([^\"]+)\"", text))):
    node = doc
    for part in ref.split("/"):
        node = node.get(part) if isinstance(node, dict) else None
    if node is None:
        problems.append(f"$ref #/{ref} leads nowhere")
for p in problems:
    print(f"openapi.json: {p}", file=sys.stderr)
sys.exit(1 if problems else 0)
' || { echo "==> the OpenAPI document has the problems above" >&2; status=1; }

mkdir -p "$REPORT_DIR"
SCHEMATHESIS_HOOKS="$here/hooks.py" HYPOTHESIS_STORAGE_DIRECTORY="$data/hypothesis" \
  python3 -m schemathesis.cli --config-file "$here/schemathesis.toml" run \
  "$url/api/v1/openapi.json" \
  --include-path-regex '^/api/v1/' \
  --report junit,pytest --report-dir "$REPORT_DIR" \
  --no-color || status=1

if grep -q -E 'panicked|ERROR' "$data/portal.log"; then
  echo "==> the portal logged errors:" >&2
  grep -E 'panicked|ERROR' "$data/portal.log" | head -50 >&2
  status=1
fi
echo "==> schemathesis: $([ "$status" = 0 ] && echo passed || echo "FAILED (exit $status)")"
exit "$status"
