"""Tenants and scoped API keys.

A key looks like ``mw_<8 chars>_<32 chars>``; only its SHA-256 is stored (the key has 190+
bits of randomness, so a plain hash cannot be reversed by guessing). Scopes form a ladder:
``viewer`` reads, ``runner`` also starts runs and replays, ``editor`` also changes flows,
connections, templates and alerts, ``admin`` also manages keys, privacy and erasure. A key
with ``reveal`` sees logged values that are redacted for everyone else.

Callers send ``Authorization: Bearer <key>`` (or ``X-API-Key: <key>``). Every lookup below
is filtered by the caller's tenant, so another tenant's objects simply do not exist (404).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from mapwright.api.errors import ApiError
from mapwright.engine.services import ApiKeys

Scope = Literal["viewer", "runner", "editor", "admin"]
LADDER: tuple[Scope, ...] = ("viewer", "runner", "editor", "admin")

bearer = HTTPBearer(auto_error=False, description="an API key: `Authorization: Bearer mw_...`")
header_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="an API key")


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's tenant, name, scope and whether it may reveal redacted data."""

    tenant: str
    key_id: str
    name: str
    scope: Scope
    reveal: bool

    @property
    def actor(self) -> str:
        return f"key:{self.name}({self.key_id[:8]})"

    def allows(self, scope: Scope) -> bool:
        return LADDER.index(self.scope) >= LADDER.index(scope)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def issue_key(
    keys: ApiKeys, tenant: str, name: str, scope: Scope, *, reveal: bool = False
) -> tuple[str, str]:
    """Create a key; returns (key id, the key itself - shown once, never stored)."""
    key = f"mw_{secrets.token_urlsafe(6)[:8]}_{secrets.token_urlsafe(24)}"
    key_id = keys.add(tenant, name, scope, prefix=key[:11], hash=hash_key(key), reveal=reveal)
    return key_id, key


def lookup(keys: ApiKeys, key: str) -> Principal | None:
    row = keys.find(hash_key(key))
    if row is None:
        return None
    scope: Scope = row.scope  # type: ignore[assignment]
    return Principal(row.tenant, row.id, row.name, scope, row.reveal)


def authenticate(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None = Depends(bearer),  # noqa: B008
    api_key: str | None = Depends(header_key),  # noqa: B008
) -> Principal:
    key = credentials.credentials if credentials is not None else api_key
    if not key:
        raise ApiError(
            401,
            "no API key; send 'Authorization: Bearer <key>' (mapwright serve prints one)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    principal = lookup(request.app.state.services.data.keys, key)
    if principal is None:
        raise ApiError(
            401, "the API key is unknown or revoked", headers={"WWW-Authenticate": "Bearer"}
        )
    request.state.principal = principal
    return principal


def require(scope: Scope) -> Any:
    """A dependency that authenticates and checks the key's scope."""

    def check(principal: Principal = Depends(authenticate)) -> Principal:  # noqa: B008
        if not principal.allows(scope):
            raise ApiError(
                403, f"this key has scope '{principal.scope}'; this call needs '{scope}' or higher"
            )
        return principal

    return Depends(check)


Viewer = Annotated[Principal, require("viewer")]
Runner = Annotated[Principal, require("runner")]
Editor = Annotated[Principal, require("editor")]
Admin = Annotated[Principal, require("admin")]
