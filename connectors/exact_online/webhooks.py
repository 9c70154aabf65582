"""Exact Online webhook callbacks: check the signature and read the event.

A callback is an HTTP POST whose body is exactly ``{"Content":{…},"HashCode":"…"}``.
``HashCode`` is the upper-case hex HMAC-SHA256 of the *raw text* of the ``Content`` object
(the characters between ``{"Content":`` and ``,"HashCode"``), keyed with the app's webhook
secret. The event carries no data, only ``Topic``, ``Action`` (Create/Update/Delete), ``Key``
and ``ExactOnlineEndpoint``; fetch the record to see what changed.

Example::

    event = verify_callback(await request.body(), secret)
    record = await connector.get("accounts", event["Key"])
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from mapwright.connectors.errors import AuthError

_PREFIX = '{"Content":'
_MARKER = ',"HashCode":"'


def sign(content_json: str, secret: str) -> str:
    """The ``HashCode`` for the raw ``Content`` text."""
    digest = hmac.new(secret.encode(), content_json.encode(), hashlib.sha256).hexdigest()
    return digest.upper()


def callback_body(content: dict[str, Any], secret: str) -> bytes:
    """A callback body as Exact sends it (used by the sandbox)."""
    raw = json.dumps(content, separators=(",", ":"))
    return f'{_PREFIX}{raw}{_MARKER}{sign(raw, secret)}"}}'.encode()


def verify_callback(body: bytes | str, secret: str) -> dict[str, Any]:
    """The ``Content`` of a genuine callback; ``AuthError`` when the signature is wrong."""
    text = body.decode() if isinstance(body, bytes) else body
    start = text.find(_PREFIX)
    end = text.rfind(_MARKER)
    if start != 0 or end < 0:
        raise AuthError('not an Exact webhook body: expected {"Content":…,"HashCode":…}')
    raw = text[len(_PREFIX) : end]
    claimed = text[end + len(_MARKER) :].rstrip("}").rstrip('"')
    # bytes, not str: compare_digest refuses (TypeError) a str with non-ASCII characters
    if not hmac.compare_digest(sign(raw, secret).encode(), claimed.upper().encode()):
        raise AuthError("Exact webhook signature does not match: check the webhook secret")
    content = json.loads(raw)
    if not isinstance(content, dict):
        raise AuthError("Exact webhook Content is not an object")
    return content
