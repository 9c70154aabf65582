"""Signed tokens (HMAC-SHA256) for OAuth ``state`` and template share links.

A token is ``base64url(json payload) + "." + base64url(hmac)``; the payload carries its
purpose and expiry. The signing key is derived from the newest ``MAPWRIGHT_SECRET_KEY``, so
rotating that key also invalidates outstanding links.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any


class BadSignature(Exception):
    """The token was altered, is for another purpose, or has expired."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Signer:
    def __init__(self, secret_key: str):
        newest = secret_key.split(",")[0].strip()
        self.key = hashlib.sha256(b"mapwright-signing:" + newest.encode()).digest()

    def sign(self, purpose: str, payload: dict[str, Any], ttl_seconds: float) -> str:
        body = {"p": purpose, "exp": int(time.time() + ttl_seconds), **payload}
        raw = _b64(json.dumps(body, separators=(",", ":"), sort_keys=True).encode())
        mac = hmac.new(self.key, raw.encode(), hashlib.sha256).digest()
        return f"{raw}.{_b64(mac)}"

    def verify(self, purpose: str, token: str) -> dict[str, Any]:
        raw, _, mac = token.partition(".")
        try:
            expected = hmac.new(self.key, raw.encode(), hashlib.sha256).digest()
            if not hmac.compare_digest(expected, _unb64(mac)):
                raise BadSignature("the signature does not match")
            body = json.loads(_unb64(raw))
        except (ValueError, TypeError) as exc:
            raise BadSignature("the token is malformed") from exc
        if not isinstance(body, dict) or body.get("p") != purpose:
            raise BadSignature("the token is for another purpose")
        if int(body.get("exp", 0)) < time.time():
            raise BadSignature("the token has expired")
        return body
