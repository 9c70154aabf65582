"""Parked records: the open ones of a flow, counted (alert thresholds) and listed.

A parked record is a ``run_records`` row whose ``parked_state`` is ``open`` (see
``engine/schema.py``); ``Store.parked`` lists them, ``Engine.replay`` runs them again.
"""

from __future__ import annotations

import sqlalchemy as sa
from mapwright.engine import schema as t
from mapwright.engine.store import Store

OPEN = "open"


class ParkedRecords:
    def __init__(self, store: Store):
        self.store = store

    def count_open(self, tenant: str, flow: str | None = None) -> int:
        """How many parked records wait for a fix (of one flow, or of the whole tenant)."""
        r = t.run_records.c
        query = sa.select(sa.func.count()).where((r.tenant == tenant) & (r.parked_state == OPEN))
        if flow is not None:
            query = query.where(r.flow == flow)
        with self.store.begin() as c:
            return int(c.execute(query).scalar() or 0)
