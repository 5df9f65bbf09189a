"""schemathesis hooks for end2end/api/schemathesis.sh: two things the OpenAPI document cannot say.

1. Every POST of /api/v1 takes an `Idempotency-Key`, and the same key with another body is answered
   422 `idempotency_key_reused`, as documented. Generated cases draw their keys from a small space and
   would collide across cases, so a valid key gets a fresh suffix before each call: each case is then
   a first request. An invalid key (empty, too long, not visible ASCII) is sent as generated.
2. A list's `cursor` is opaque: only a `next` the list gave is one. Any string fits its schema, so a
   400 naming `cursor` to a made-up one is no failure of "valid data accepted" (ST202).
"""

import json
import uuid

import schemathesis

HEADER = "idempotency-key"


def _valid_key(key: str) -> bool:
    return 1 <= len(key) <= 255 and all(0x21 <= ord(c) <= 0x7E for c in key)


@schemathesis.hook
def before_call(context, case, kwargs):
    headers = case.headers or {}
    for name in list(headers):
        value = headers[name]
        if name.lower() == HEADER and isinstance(value, str) and _valid_key(value):
            headers[name] = f"{value[:200]}-{uuid.uuid4().hex}"


def _error_field(response):
    try:
        return json.loads(response.content)["error"].get("field")
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


@schemathesis.hook
def filter_failure(context, failure, case, response):
    """False drops the failure."""
    made_up_cursor = (
        failure.code == "ST202" and response.status_code == 400 and _error_field(response) == "cursor"
    )
    return not made_up_cursor
