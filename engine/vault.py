"""Credentials encrypted at rest with Fernet (AES-128-CBC + HMAC-SHA256), keys from the
environment, rotation by re-encryption.

``MAPWRIGHT_SECRET_KEY`` holds one Fernet key, or several separated by commas (newest
first): ``MultiFernet`` encrypts with the first and decrypts with any, so a rotation is
"put the new key in front, run ``mapwright api rotate-key``, drop the old key".

Encrypted values are stored as ``{"$encrypted": "<token>"}`` inside the engine's JSON
credential column. Every plaintext secret that passes through here is remembered by
``SecretRegistry`` so log records can be scrubbed of it.

The vault lives in the engine because the command line and the service read the same
connections: ``mapwright flow run`` decrypts what the service stored.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from mapwright.dsl import jsonio
from mapwright.engine.errors import EngineError

MARKER = "$encrypted"


class VaultError(EngineError):
    """The secret key is missing or wrong; the message says which variable to fix."""


class SecretRegistry:
    """Plaintext secrets seen by this process, so logs can mask them."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._lock = threading.Lock()

    def add(self, values: Iterable[Any]) -> None:
        with self._lock:
            for value in values:
                if isinstance(value, str) and len(value) >= 6:
                    self._values.add(value)

    def mask(self, text: str) -> str:
        with self._lock:
            values = sorted(self._values, key=len, reverse=True)
        for value in values:
            if value in text:
                text = text.replace(value, "***")
        return text


SECRETS = SecretRegistry()


class Vault:
    """Encrypts and decrypts credential dicts with the configured keys."""

    def __init__(self, keys: str | None):
        if not keys:
            raise VaultError(
                "MAPWRIGHT_SECRET_KEY is not set; create one with "
                "`mapwright api new-key` and export it before starting the service"
            )
        try:
            self.fernets = [Fernet(k.strip().encode()) for k in keys.split(",") if k.strip()]
        except ValueError as exc:
            raise VaultError(
                "MAPWRIGHT_SECRET_KEY is not a valid Fernet key (32 url-safe base64 bytes); "
                "create one with `mapwright api new-key`"
            ) from exc
        self.multi = MultiFernet(self.fernets)

    @staticmethod
    def new_key() -> str:
        return Fernet.generate_key().decode()

    def encrypt(self, credentials: dict[str, Any]) -> dict[str, str]:
        SECRETS.add(_strings(credentials))
        token = self.multi.encrypt(jsonio.dumps(credentials).encode("utf-8"))
        return {MARKER: token.decode()}

    def decrypt(self, stored: dict[str, Any]) -> dict[str, Any]:
        if MARKER not in stored:
            return dict(stored)
        try:
            data = jsonio.loads(self.multi.decrypt(str(stored[MARKER]).encode()).decode())
        except InvalidToken as exc:
            raise VaultError(
                "stored credentials cannot be decrypted with MAPWRIGHT_SECRET_KEY; put the key "
                "they were written with back into the list (comma separated)"
            ) from exc
        SECRETS.add(_strings(data))
        return dict(data)

    def rotate(self, stored: dict[str, Any]) -> dict[str, str]:
        """Re-encrypt with the newest key (plaintext dicts get encrypted)."""
        if MARKER not in stored:
            return self.encrypt(dict(stored))
        return {MARKER: self.multi.rotate(str(stored[MARKER]).encode()).decode()}


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []
