"""Privacy in the store: each tenant's retention and redaction settings, dropping payloads
(a run's, or older than a cutoff), deleting old runs, erasing what mentions a data subject.

The rules (what a payload is, which runs may go) live here next to the tables; the service
(``api/privacy.py``) decides when, with which defaults, and redacts what it shows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from mapwright import jsonio
from mapwright.engine import schema as t
from mapwright.engine.status import TERMINAL
from mapwright.engine.store import Store

#: the parts of an operation's log entry that carry payload
PAYLOAD_KEYS = ("request", "response", "diff")
ERASED = "erased on request of the data subject"


def strip_operations(operations: Any) -> list[dict[str, Any]]:
    """The operations' log entries without their payload (request, response, diff)."""
    return [
        {k: v for k, v in op.items() if k not in PAYLOAD_KEYS}
        for op in (operations or [])
        if isinstance(op, dict)
    ]


class PrivacyStore:
    def __init__(self, store: Store):
        self.store = store

    # -- settings ---------------------------------------------------------------------------
    def settings(self, tenant: str) -> dict[str, Any]:
        """The tenant's own settings (``payload_ttl_days`` ``None``: the service default)."""
        with self.store.begin() as c:
            row = c.execute(
                sa.select(t.tenant_privacy).where(t.tenant_privacy.c.tenant == tenant)
            ).first()
        if row is None:
            return {"payload_ttl_days": None, "metadata_ttl_days": None, "redact": []}
        return {
            "payload_ttl_days": row.payload_ttl_days,
            "metadata_ttl_days": row.metadata_ttl_days,
            "redact": list(row.redact or []),
        }

    def save_settings(self, tenant: str, values: dict[str, Any]) -> None:
        where = t.tenant_privacy.c.tenant == tenant
        with self.store.begin() as c:
            if c.execute(t.tenant_privacy.update().where(where).values(**values)).rowcount == 0:
                c.execute(t.tenant_privacy.insert().values(tenant=tenant, **values))

    def tenants(self) -> dict[str, dict[str, Any]]:
        """Every tenant with settings or stored payloads, with its own settings."""
        with self.store.begin() as c:
            own = {row.tenant: row for row in c.execute(sa.select(t.tenant_privacy))}
            with_payloads = {
                row.tenant
                for row in c.execute(
                    sa.select(t.run_records.c.tenant)
                    .where(t.run_records.c.source.is_not(None))
                    .distinct()
                )
            }
        out: dict[str, dict[str, Any]] = {}
        for tenant in sorted(set(own) | with_payloads):
            row = own.get(tenant)
            out[tenant] = {
                "payload_ttl_days": row.payload_ttl_days if row is not None else None,
                "metadata_ttl_days": row.metadata_ttl_days if row is not None else None,
            }
        return out

    # -- payloads and runs ------------------------------------------------------------------
    def drop_run_payloads(self, run_id: str) -> int:
        """Drop the payloads of one run's records (flows that keep none)."""
        with self.store.begin() as c:
            return _drop_payloads(c, t.run_records.c.run_id == run_id)

    def drop_payloads_before(self, tenant: str, cutoff: dt.datetime) -> int:
        """Drop the payloads of the tenant's records written before ``cutoff``."""
        r = t.run_records.c
        with self.store.begin() as c:
            return _drop_payloads(
                c, (r.tenant == tenant) & (r.created_at < cutoff) & r.source.is_not(None)
            )

    def delete_runs_before(self, tenant: str, cutoff: dt.datetime) -> int:
        """Delete the tenant's finished runs created before ``cutoff`` with their records;
        a run with an open parked record stays until it is resolved."""
        runs, records = t.runs, t.run_records
        with self.store.begin() as c:
            old = [
                row.id
                for row in c.execute(
                    sa.select(runs.c.id).where(
                        (runs.c.tenant == tenant)
                        & (runs.c.created_at < cutoff)
                        & runs.c.status.in_([status.value for status in TERMINAL])
                    )
                )
            ]
            keep = {
                row.run_id
                for row in c.execute(
                    sa.select(records.c.run_id).where(
                        records.c.run_id.in_(old) & (records.c.parked_state == "open")
                    )
                )
            }
            doomed = [run_id for run_id in old if run_id not in keep]
            if not doomed:
                return 0
            ids = [
                r.id for r in c.execute(sa.select(records.c.id).where(records.c.run_id.in_(doomed)))
            ]
            c.execute(records.update().where(records.c.replay_of.in_(ids)).values(replay_of=None))
            c.execute(records.delete().where(records.c.run_id.in_(doomed)))
            c.execute(runs.delete().where(runs.c.id.in_(doomed)))
        return len(doomed)

    def erase_subject(self, tenant: str, email: str) -> int:
        """Drop the payload of every record of ``tenant`` that mentions ``email``
        (case-insensitive); open parked ones become ``erased``. Returns how many."""
        needle = email.strip().lower()
        records = t.run_records
        erased = 0
        with self.store.begin() as c:
            rows = c.execute(
                sa.select(
                    records.c.id,
                    records.c.source,
                    records.c.plan,
                    records.c.operations,
                    records.c.parked_state,
                ).where(records.c.tenant == tenant)
            ).all()
            for row in rows:
                text = jsonio.dumps([row.source, row.plan, row.operations]).lower()
                if needle not in text:
                    continue
                state = "erased" if row.parked_state == "open" else row.parked_state
                c.execute(
                    records.update()
                    .where(records.c.id == row.id)
                    .values(
                        source=None,
                        plan=None,
                        operations=strip_operations(row.operations),
                        parked_state=state,
                        reason=ERASED,
                    )
                )
                erased += 1
        return erased


def _drop_payloads(c: sa.Connection, where: Any) -> int:
    rows = c.execute(sa.select(t.run_records.c.id, t.run_records.c.operations).where(where)).all()
    for row in rows:
        c.execute(
            t.run_records.update()
            .where(t.run_records.c.id == row.id)
            .values(source=None, plan=None, operations=strip_operations(row.operations))
        )
    return len(rows)
