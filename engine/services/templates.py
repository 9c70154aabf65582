"""Flow templates (a manifest, its content hash, the gallery flag) by id."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from mapwright.engine import schema as t
from mapwright.engine.store import Store, as_utc


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
        if row is None:
            return None
        found = dict(row)
        found["created_at"] = as_utc(found["created_at"])
        return found
