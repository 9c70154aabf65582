"""The audit log: who changed what, when, and the diff."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from mapwright.engine import schema as t
from mapwright.engine.store import Store, as_utc, utcnow


class AuditLog:
    def __init__(self, store: Store):
        self.store = store

    def write(
        self,
        tenant: str,
        actor: str,
        action: str,
        target: str,
        diff: Any = None,
        *,
        at: dt.datetime | None = None,
    ) -> None:
        with self.store.begin() as c:
            c.execute(
                t.audit_log.insert().values(
                    tenant=tenant,
                    actor=actor,
                    action=action,
                    target=target,
                    diff=diff if diff is not None else {},
                    at=at or utcnow(),
                )
            )

    def entries(
        self, tenant: str, *, target: str | None = None, limit: int = 100
    ) -> list[dict[str, Any]]:
        """The tenant's entries, newest first."""
        query = sa.select(t.audit_log).where(t.audit_log.c.tenant == tenant)
        if target:
            query = query.where(t.audit_log.c.target == target)
        query = query.order_by(t.audit_log.c.id.desc()).limit(limit)
        with self.store.begin() as c:
            rows = [dict(row) for row in c.execute(query).mappings()]
        for row in rows:
            row["at"] = as_utc(row["at"])
        return rows
