"""A small client of the portal's REST API (/api/v1) for the example scripts beside it.

Only `requests` is needed. The portal's URL and API key come from the command line (`--url`,
`--api-key`) or from the environment (PORTAL_URL, PORTAL_API_KEY). See docs/API.md.
"""

import argparse
import os
import sys
import time

import requests

# How often a request refused with 429 is tried again (after the Retry-After the portal sends).
RATE_LIMIT_RETRIES = 5


class ApiError(Exception):
    """An error answer of the API: {"error": {"code", "message", "field"?}}."""

    def __init__(self, status, code, message, field=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field

    def __str__(self):
        where = f" (field {self.field})" if self.field else ""
        return f"{self.message}{where} [HTTP {self.status} {self.code}]"


class Portal:
    """A session with the portal's REST API."""

    def __init__(self, url, key, timeout=60):
        self.base = url.rstrip("/") + "/api/v1"
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {key}"

    def request(self, method, path, **kwargs):
        """Sends one request; returns the response of a 2xx answer, raises ApiError otherwise."""
        kwargs.setdefault("timeout", self.timeout)
        for _ in range(RATE_LIMIT_RETRIES + 1):
            response = self.session.request(method, self.base + path, **kwargs)
            if response.status_code != 429:
                break
            time.sleep(int(response.headers.get("Retry-After", "1")))
        if response.ok:
            return response
        try:
            error = response.json()["error"]
        except (ValueError, KeyError, TypeError):
            error = {"code": "http_error", "message": response.text[:200] or response.reason}
        raise ApiError(response.status_code, error.get("code"), error.get("message"), error.get("field"))

    def get(self, path, **params):
        return self.request("GET", path, params=params).json()

    def pages(self, path, **params):
        """Every item of a list, following the `next` cursor page after page."""
        params.setdefault("limit", 500)
        while True:
            page = self.get(path, **params)
            yield from page["data"]
            if page["next"] is None:
                return
            params["cursor"] = page["next"]

    def virtual_accounts(self):
        return list(self.pages("/virtual-accounts"))

    def virtual_account(self, name):
        """The virtual account of that name (exactly as the portal shows it)."""
        for va in self.pages("/virtual-accounts"):
            if va["name"] == name:
                return va
        raise ApiError(404, "not_found", f'No virtual account named "{name}" that this key sees.')


def arguments(description, add_arguments):
    """Parses the command line: the script's own arguments, then --url and --api-key."""
    parser = argparse.ArgumentParser(description=description)
    add_arguments(parser)
    parser.add_argument("--url", default=os.environ.get("PORTAL_URL"),
                        help="the portal, e.g. https://portal.example.com (default: $PORTAL_URL)")
    parser.add_argument("--api-key", default=os.environ.get("PORTAL_API_KEY"),
                        help="an API key, lp_… (default: $PORTAL_API_KEY)")
    args = parser.parse_args()
    if not args.url or not args.api_key:
        parser.error("give the portal's URL and an API key (--url/--api-key or PORTAL_URL/PORTAL_API_KEY)")
    return args


def run(main):
    """Runs `main()`; an API error or a failed connection ends the script with exit code 1."""
    try:
        main()
    except ApiError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(1)
    except requests.RequestException as e:
        print(f"error: could not reach the portal: {e}", file=sys.stderr)
        sys.exit(1)
