"""What the service keeps about a flow beyond the engine's ``flows`` row: the version
history, the options (schedule, payload storage, redaction, alerting, pausing), enable and
delete."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from mapwright.engine import schema as t
from mapwright.engine.store import Store, as_utc, utcnow

DEFAULT_OPTIONS: dict[str, Any] = {
    "origin": {},
    "schedule": None,
    "next_run_at": None,
    "store_payloads": True,
    "redact": [],
    "pause_after": 3,
    "failures": 0,
    "alerting": False,
    "paused_reason": None,
    "parked_alert_at": None,
    "parked_alerting": False,
}


class FlowAdmin:
    def __init__(self, store: Store):
        self.store = store

    # -- versions ---------------------------------------------------------------------------
    def record_version(
        self,
        tenant: str,
        flow: str,
        version: int,
        *,
        script: str,
        settings: dict[str, Any],
        actor: str,
        note: str | None = None,
        at: dt.datetime | None = None,
    ) -> None:
        with self.store.begin() as c:
            c.execute(
                t.flow_versions.insert().values(
                    tenant=tenant,
                    flow=flow,
                    version=version,
                    script=script,
                    settings=settings,
                    actor=actor,
                    note=note,
                    created_at=at or utcnow(),
                )
            )

    def versions(self, tenant: str, flow: str) -> list[dict[str, Any]]:
        with self.store.begin() as c:
            rows = c.execute(
                sa.select(t.flow_versions)
                .where((t.flow_versions.c.tenant == tenant) & (t.flow_versions.c.flow == flow))
                .order_by(t.flow_versions.c.version)
            ).mappings()
            found = [dict(row) for row in rows]
        for row in found:
            row["created_at"] = as_utc(row["created_at"])
        return found

    # -- the flow row -----------------------------------------------------------------------
    def set_enabled(self, tenant: str, flow: str, enabled: bool) -> None:
        with self.store.begin() as c:
            c.execute(
                t.flows.update()
                .where((t.flows.c.tenant == tenant) & (t.flows.c.name == flow))
                .values(enabled=enabled)
            )

    def delete(self, tenant: str, flow: str) -> None:
        """Delete the flow with its options, version history and alert channels (runs,
        records and parked entries stay: history)."""
        with self.store.begin() as c:
            c.execute(
                t.flows.delete().where((t.flows.c.tenant == tenant) & (t.flows.c.name == flow))
            )
            for table in (t.flow_options, t.flow_versions, t.alert_channels):
                c.execute(table.delete().where((table.c.tenant == tenant) & (table.c.flow == flow)))

    # -- options ----------------------------------------------------------------------------
    def options(self, tenant: str, flow: str) -> dict[str, Any]:
        """The flow's options; defaults for what was never set."""
        with self.store.begin() as c:
            row = (
                c.execute(sa.select(t.flow_options).where(_where(tenant, flow))).mappings().first()
            )
        data = dict(DEFAULT_OPTIONS)
        if row is not None:
            data.update({k: v for k, v in row.items() if k not in ("tenant", "flow")})
            data["next_run_at"] = as_utc(data["next_run_at"])
        return data

    def set_options(self, tenant: str, flow: str, **values: Any) -> dict[str, Any]:
        """Change some options; returns them all."""
        current = self.options(tenant, flow)
        if not values:  # nothing to change (an empty UPDATE is not valid SQL)
            return current
        unknown = sorted(set(values) - set(DEFAULT_OPTIONS))
        if unknown:
            raise ValueError(f"unknown flow options: {', '.join(unknown)}")
        current.update(values)
        with self.store.begin() as c:
            if (
                c.execute(
                    t.flow_options.update().where(_where(tenant, flow)).values(**values)
                ).rowcount
                == 0
            ):
                c.execute(t.flow_options.insert().values(tenant=tenant, flow=flow, **current))
        return current

    def scheduled(self) -> list[tuple[str, str, Any, dt.datetime]]:
        """Every flow with a schedule and a next run time: (tenant, flow, schedule, due)."""
        with self.store.begin() as c:
            rows = c.execute(
                sa.select(
                    t.flow_options.c.tenant,
                    t.flow_options.c.flow,
                    t.flow_options.c.schedule,
                    t.flow_options.c.next_run_at,
                ).where(
                    t.flow_options.c.schedule.is_not(None)
                    & t.flow_options.c.next_run_at.is_not(None)
                )
            ).all()
        found = []
        for row in rows:
            due = as_utc(row.next_run_at)
            assert due is not None  # the query asks for rows with a next run time
            found.append((row.tenant, row.flow, row.schedule, due))
        return found


def _where(tenant: str, flow: str) -> Any:
    return (t.flow_options.c.tenant == tenant) & (t.flow_options.c.flow == flow)
