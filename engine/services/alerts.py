"""Alert channels (their config is stored encrypted; the caller encrypts) and the alerts
sent."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from mapwright.engine import schema as t
from mapwright.engine.store import Store, as_utc, utcnow


class AlertStore:
    def __init__(self, store: Store):
        self.store = store

    def add_channel(
        self, tenant: str, flow: str, kind: str, config: Any, *, at: dt.datetime | None = None
    ) -> int:
        with self.store.begin() as c:
            new_id = c.execute(
                t.alert_channels.insert().values(
                    tenant=tenant, flow=flow, kind=kind, config=config, created_at=at or utcnow()
                )
            ).inserted_primary_key
        assert new_id is not None
        return int(new_id[0])

    def remove_channel(self, tenant: str, flow: str, channel_id: int) -> bool:
        with self.store.begin() as c:
            done = c.execute(
                t.alert_channels.delete().where(
                    (t.alert_channels.c.id == channel_id)
                    & (t.alert_channels.c.tenant == tenant)
                    & (t.alert_channels.c.flow == flow)
                )
            ).rowcount
        return bool(done)

    def channels(self, tenant: str, flow: str) -> list[dict[str, Any]]:
        with self.store.begin() as c:
            rows = c.execute(
                sa.select(t.alert_channels)
                .where((t.alert_channels.c.tenant == tenant) & (t.alert_channels.c.flow == flow))
                .order_by(t.alert_channels.c.id)
            ).mappings()
            return [dict(row) for row in rows]

    def events(
        self, tenant: str, flow: str, *, kind: str | None = None, limit: int = 50
    ) -> list[dict[str, Any]]:
        """Alerts sent for the flow, newest first."""
        query = sa.select(t.alert_events).where(
            (t.alert_events.c.tenant == tenant) & (t.alert_events.c.flow == flow)
        )
        if kind is not None:
            query = query.where(t.alert_events.c.kind == kind)
        with self.store.begin() as c:
            rows = [
                dict(row)
                for row in c.execute(
                    query.order_by(t.alert_events.c.id.desc()).limit(limit)
                ).mappings()
            ]
        for row in rows:
            row["at"] = as_utc(row["at"])
        return rows

    def add_event(
        self,
        tenant: str,
        flow: str,
        kind: str,
        *,
        run_id: str | None,
        channel_id: int | None,
        delivered: bool,
        detail: Any,
        at: dt.datetime | None = None,
    ) -> None:
        with self.store.begin() as c:
            c.execute(
                t.alert_events.insert().values(
                    tenant=tenant,
                    flow=flow,
                    run_id=run_id,
                    kind=kind,
                    channel_id=channel_id,
                    delivered=delivered,
                    detail=detail,
                    at=at or utcnow(),
                )
            )
