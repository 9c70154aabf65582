"""Privacy: redaction in logs, payload-free flows, retention purge, erase-by-subject.

* Redaction: a path ``email`` hides every key ``email`` at any depth; a dotted path
  ``customer.email`` hides that nested key wherever the path ends. Paths come from the
  tenant (all flows) and from the flow. Values show as ``"***"`` unless the caller's key
  has ``reveal``.
* ``store_payloads = false`` on a flow: after each run its records keep outcome, reason and
  ids, but source, mapped record, requests, responses and diffs are dropped (such records
  cannot be replayed; the per-record log says so).
* Retention: ``payload_ttl_days`` drops payloads of older records (default: the service's
  ``MAPWRIGHT_PAYLOAD_TTL_DAYS``, 30 days, for every tenant that sets nothing);
  ``metadata_ttl_days`` deletes older runs with their records (open parked records are kept
  until resolved). The scheduler of ``serve`` purges hourly.
* Erase-by-subject: every record of the tenant whose payload mentions the e-mail address
  (case-insensitive) loses its payload; open parked ones become ``erased``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from mapwright import jsonio
from mapwright.api import schema as t
from mapwright.engine import schema as e

if TYPE_CHECKING:
    from mapwright.api.services import Services

MASK = "***"
PAYLOAD_KEYS = ("request", "response", "diff")


def redact(value: Any, paths: Iterable[str]) -> Any:
    """``value`` with the configured paths masked (see the module docstring)."""
    patterns = [tuple(p.lower().split(".")) for p in paths if p]
    if not patterns:
        return value
    return _redact(value, (), patterns)


def _redact(value: Any, trail: tuple[str, ...], patterns: list[tuple[str, ...]]) -> Any:
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            here = (*trail, str(key).lower())
            if any(here[-len(p) :] == p for p in patterns if len(p) <= len(here)):
                out[key] = MASK
            else:
                out[key] = _redact(item, here, patterns)
        return out
    if isinstance(value, list):
        return [_redact(item, trail, patterns) for item in value]
    return value


def tenant_privacy(services: Services, tenant: str) -> dict[str, Any]:
    """The tenant's own settings (``payload_ttl_days`` ``None``: the service default)."""
    with services.db.begin() as c:
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


def payload_ttl(services: Services, own: int | None) -> int:
    """The payload retention in days that applies: the tenant's, else the service default."""
    return own if own is not None else services.settings.payload_ttl_days


def save_tenant_privacy(services: Services, tenant: str, values: dict[str, Any]) -> None:
    where = t.tenant_privacy.c.tenant == tenant
    with services.db.begin() as c:
        if c.execute(t.tenant_privacy.update().where(where).values(**values)).rowcount == 0:
            c.execute(t.tenant_privacy.insert().values(tenant=tenant, **values))


def redaction_paths(services: Services, tenant: str, flow: str) -> list[str]:
    return [
        *tenant_privacy(services, tenant)["redact"],
        *services.options(tenant, flow)["redact"],
    ]


def _strip_operations(operations: Any) -> list[dict[str, Any]]:
    return [
        {k: v for k, v in op.items() if k not in PAYLOAD_KEYS}
        for op in (operations or [])
        if isinstance(op, dict)
    ]


def _drop_payloads(c: sa.Connection, where: Any) -> int:
    rows = c.execute(sa.select(e.run_records.c.id, e.run_records.c.operations).where(where)).all()
    for row in rows:
        c.execute(
            e.run_records.update()
            .where(e.run_records.c.id == row.id)
            .values(source=None, plan=None, operations=_strip_operations(row.operations))
        )
    return len(rows)


def scrub_run(services: Services, run_id: str) -> int:
    """Drop the payloads of one run's records (flows with ``store_payloads = false``)."""
    with services.db.begin() as c:
        return _drop_payloads(c, e.run_records.c.run_id == run_id)


def purge(services: Services, now: dt.datetime | None = None) -> dict[str, int]:
    """Apply every tenant's retention (the service default where a tenant set none)."""
    now = now or services.clock()
    dropped = deleted = 0
    with services.db.begin() as c:
        policies = {row.tenant: row for row in c.execute(sa.select(t.tenant_privacy))}
        tenants = set(policies) | {
            row.tenant
            for row in c.execute(
                sa.select(e.run_records.c.tenant)
                .where(e.run_records.c.source.is_not(None))
                .distinct()
            )
        }
    for tenant in sorted(tenants):
        policy = policies.get(tenant)
        days = payload_ttl(services, policy.payload_ttl_days if policy is not None else None)
        cutoff = now - dt.timedelta(days=days)
        with services.db.begin() as c:
            dropped += _drop_payloads(
                c,
                (e.run_records.c.tenant == tenant)
                & (e.run_records.c.created_at < cutoff)
                & e.run_records.c.source.is_not(None),
            )
        if policy is not None and policy.metadata_ttl_days is not None:
            cutoff = now - dt.timedelta(days=policy.metadata_ttl_days)
            deleted += _delete_old_runs(services, tenant, cutoff)
    return {"payloads_dropped": dropped, "runs_deleted": deleted}


def _delete_old_runs(services: Services, tenant: str, cutoff: dt.datetime) -> int:
    runs, records = e.runs, e.run_records
    with services.db.begin() as c:
        old = [
            row.id
            for row in c.execute(
                sa.select(runs.c.id).where(
                    (runs.c.tenant == tenant)
                    & (runs.c.created_at < cutoff)
                    & runs.c.status.in_(("succeeded", "partial", "failed", "cancelled"))
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
        ids = [r.id for r in c.execute(sa.select(records.c.id).where(records.c.run_id.in_(doomed)))]
        c.execute(records.update().where(records.c.replay_of.in_(ids)).values(replay_of=None))
        c.execute(records.delete().where(records.c.run_id.in_(doomed)))
        c.execute(runs.delete().where(runs.c.id.in_(doomed)))
    return len(doomed)


def erase_subject(services: Services, tenant: str, email: str) -> int:
    """Drop the payload of every record of ``tenant`` that mentions ``email``."""
    needle = email.strip().lower()
    records = e.run_records
    erased = 0
    with services.db.begin() as c:
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
                    operations=_strip_operations(row.operations),
                    parked_state=state,
                    reason="erased on request of the data subject",
                )
            )
            erased += 1
    return erased
