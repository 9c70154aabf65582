"""Flow templates: a manifest, its content hash and the gallery flag, per tenant (``None``:
the gallery shared by every tenant), one row per name and version."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from mapwright.engine import schema as t
from mapwright.engine.store import Store, as_utc, utcnow


class TemplateStore:
    def __init__(self, store: Store):
        self.store = store

    def get(self, template_id: int) -> dict[str, Any] | None:
        with self.store.begin() as c:
            row = (
                c.execute(sa.select(t.templates).where(t.templates.c.id == template_id))
                .mappings()
                .first()
            )
        return _row(row) if row is not None else None

    def find(self, tenant: str | None, name: str, version: str) -> dict[str, Any] | None:
        """The template of ``tenant`` (``None``: the gallery) with that name and version."""
        query = sa.select(t.templates).where(
            _owner(tenant) & (t.templates.c.name == name) & (t.templates.c.version == version)
        )
        with self.store.begin() as c:
            row = c.execute(query).mappings().first()
        return _row(row) if row is not None else None

    def list(self, tenant: str | None, name: str | None = None) -> list[dict[str, Any]]:
        """The templates of ``tenant`` (``None``: the gallery), oldest first."""
        query = sa.select(t.templates).where(_owner(tenant))
        if name is not None:
            query = query.where(t.templates.c.name == name)
        with self.store.begin() as c:
            return [_row(r) for r in c.execute(query.order_by(t.templates.c.id)).mappings()]

    def add(
        self,
        tenant: str | None,
        manifest: dict[str, Any],
        content_hash: str,
        *,
        gallery: bool = False,
        at: dt.datetime | None = None,
    ) -> None:
        with self.store.begin() as c:
            c.execute(
                t.templates.insert().values(
                    tenant=tenant,
                    name=manifest["name"],
                    version=manifest["version"],
                    manifest=manifest,
                    content_hash=content_hash,
                    gallery=gallery,
                    created_at=at or utcnow(),
                )
            )

    def delete(self, template_id: int) -> None:
        with self.store.begin() as c:
            c.execute(t.templates.delete().where(t.templates.c.id == template_id))


def _owner(tenant: str | None) -> Any:
    return t.templates.c.tenant.is_(None) if tenant is None else t.templates.c.tenant == tenant


def _row(row: Any) -> dict[str, Any]:
    found = dict(row)
    found["created_at"] = as_utc(found["created_at"])
    return found
