"""API keys: the service stores a key's hash and prefix, never the key."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from mapwright.engine import schema as t
from mapwright.engine.store import Store, as_utc, utcnow


@dataclass(frozen=True)
class StoredKey:
    id: str
    tenant: str
    name: str
    scope: str
    reveal: bool


class ApiKeys:
    def __init__(self, store: Store):
        self.store = store

    def add(
        self, tenant: str, name: str, scope: str, *, prefix: str, hash: str, reveal: bool = False
    ) -> str:
        """Store a new key's hash; returns the key id."""
        key_id = str(uuid.uuid4())
        with self.store.begin() as c:
            c.execute(
                t.api_keys.insert().values(
                    id=key_id,
                    tenant=tenant,
                    name=name,
                    prefix=prefix,
                    hash=hash,
                    scope=scope,
                    reveal=reveal,
                    created_at=utcnow(),
                )
            )
        return key_id

    def find(self, hash: str) -> StoredKey | None:
        """The key with this hash, unless revoked."""
        with self.store.begin() as c:
            row = c.execute(
                sa.select(t.api_keys).where(
                    (t.api_keys.c.hash == hash) & t.api_keys.c.revoked_at.is_(None)
                )
            ).first()
        if row is None:
            return None
        return StoredKey(row.id, row.tenant, row.name, row.scope, bool(row.reveal))

    def list(self, tenant: str) -> list[dict[str, Any]]:
        with self.store.begin() as c:
            rows = c.execute(
                sa.select(t.api_keys)
                .where(t.api_keys.c.tenant == tenant)
                .order_by(t.api_keys.c.created_at)
            ).mappings()
            return [_utc(dict(row), "created_at", "revoked_at") for row in rows]

    def has_admin(self, tenant: str) -> bool:
        """The tenant has an admin key that is not revoked."""
        keys = t.api_keys.c
        with self.store.begin() as c:
            found = c.execute(
                sa.select(keys.id).where(
                    (keys.tenant == tenant) & (keys.scope == "admin") & keys.revoked_at.is_(None)
                )
            ).first()
        return found is not None

    def revoke(self, tenant: str, key_id: str) -> bool:
        """Revoke a key of the tenant; False when there is no such (unrevoked) key."""
        with self.store.begin() as c:
            done = c.execute(
                t.api_keys.update()
                .where(
                    (t.api_keys.c.id == key_id)
                    & (t.api_keys.c.tenant == tenant)
                    & t.api_keys.c.revoked_at.is_(None)
                )
                .values(revoked_at=utcnow())
            ).rowcount
        return bool(done)


def _utc(row: dict[str, Any], *keys: str) -> dict[str, Any]:
    for key in keys:
        row[key] = as_utc(row[key])
    return row
