"""Signed tokens for OAuth ``state`` and template share links, on ``itsdangerous``.

A token is an ``itsdangerous`` URL-safe signed JSON payload; the purpose is the salt, so a
token made for one purpose never verifies for another. The signing key is derived from the
newest ``MAPWRIGHT_SECRET_KEY``, so rotating that key also invalidates outstanding links.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

import itsdangerous


class BadSignature(Exception):
    """The token was altered, is for another purpose, or has expired."""


class Signer:
    def __init__(self, secret_key: str):
        newest = secret_key.split(",")[0].strip()
        self.key = hashlib.sha256(b"mapwright-signing:" + newest.encode()).digest()

    def _serializer(self, purpose: str) -> itsdangerous.URLSafeSerializer:
        return itsdangerous.URLSafeSerializer(self.key, salt=f"mapwright:{purpose}")

    def sign(self, purpose: str, payload: dict[str, Any], ttl_seconds: float) -> str:
        # Hand-written: each token carries its own expiry ("exp"), chosen when it is signed
        # (a share link lives for the days asked, an OAuth state for minutes).
        # itsdangerous's timed serializers check an age given at *verification* instead,
        # which cannot express a per-token lifetime.
        body = {"p": purpose, "exp": int(time.time() + ttl_seconds), **payload}
        token: str = self._serializer(purpose).dumps(body)
        return token

    def verify(self, purpose: str, token: str) -> dict[str, Any]:
        try:
            body = self._serializer(purpose).loads(token)
        except itsdangerous.BadSignature as exc:
            raise BadSignature(
                "the token was altered, is malformed or is for another purpose"
            ) from exc
        if not isinstance(body, dict) or body.get("p") != purpose:
            raise BadSignature("the token is for another purpose")
        if int(body.get("exp", 0)) < time.time():
            raise BadSignature("the token has expired")
        return body
