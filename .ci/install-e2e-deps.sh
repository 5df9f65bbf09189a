#!/usr/bin/env bash
# Installs what the browser specs need when it is missing: Debian's Chromium, and the npm packages of
# end2end/ (Playwright's test runner only: it drives /usr/bin/chromium and never downloads a browser).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
  echo "==> installing Debian's chromium"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
fi

if ! python3 -c 'import pexpect, openpyxl' 2>/dev/null; then
  echo "==> installing the Python test helpers (pexpect, openpyxl)"
  python3 -m pip install --quiet pexpect openpyxl
fi

# The REST API tests (docs/examples/, end2end/api/): requests, openpyxl and schemathesis at the
# version end2end/api/requirements.txt pins.
st_version="$(sed -n 's/^schemathesis==//p' end2end/api/requirements.txt)"
if ! python3 -c 'import requests, openpyxl' 2>/dev/null \
  || [ "$(python3 -c 'import importlib.metadata as m; print(m.version("schemathesis"))' 2>/dev/null)" \
       != "$st_version" ]; then
  echo "==> installing the REST API test helpers (requests, openpyxl, schemathesis $st_version)"
  python3 -m pip install --quiet -r end2end/api/requirements.txt
fi

if [ ! -d end2end/node_modules/@playwright/test ]; then
  echo "==> installing end2end's npm packages"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
fi
echo "==> browser test dependencies ready"
