"""The external-ID ledger: which target record a source record's operation produced.

Before every create the runner writes a ``pending`` entry (durably), then sends, then
``confirm``s it with the target id. A ``pending`` entry found later means an earlier attempt
may have created the record (a crash or a timeout after the write): the runner then checks the
target by the operation's natural key before anything is sent again, and parks the record when
no natural key can settle it. A ``confirmed`` entry means "already created": no second create.

Entries are keyed by (tenant, flow, source id, operation), where the operation is the
script's alias (``as debtor``) or ``system.object``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa
from mapwright.engine import schema as t
from mapwright.engine.store import Store, utcnow

LedgerState = Literal["pending", "confirmed"]


@dataclass(frozen=True)
class LedgerEntry:
    source_id: str
    operation: str
    target: str
    target_id: str | None
    state: LedgerState
    natural_key: dict[str, Any] | None


class Ledger:
    """The ledger of one flow of one tenant."""

    def __init__(self, store: Store, tenant: str, flow: str):
        self.store = store
        self.tenant = tenant
        self.flow = flow

    def entries(self, source_ids: Iterable[str]) -> dict[tuple[str, str], LedgerEntry]:
        """Every entry of these source records, in one query (used once per page)."""
        ids = sorted(set(source_ids))
        if not ids:
            return {}
        c = t.ledger.c
        query = sa.select(t.ledger).where(
            (c.tenant == self.tenant) & (c.flow == self.flow) & (c.source_id.in_(ids))
        )
        with self.store.begin() as conn:
            return {(row.source_id, row.operation): _entry(row) for row in conn.execute(query)}

    def _key(self, source_id: str, operation: str) -> dict[str, str]:
        return {
            "k_tenant": self.tenant,
            "k_flow": self.flow,
            "k_source": source_id,
            "k_op": operation,
        }

    def get(self, source_id: str, operation: str) -> LedgerEntry | None:
        with self.store.begin() as conn:
            row = conn.execute(_SELECT, self._key(source_id, operation)).first()
        return _entry(row) if row is not None else None

    def pending(
        self,
        source_id: str,
        operation: str,
        target: str,
        natural_key: dict[str, Any] | None,
        run_id: str,
    ) -> None:
        """Record that a create is about to be sent (durable before the request leaves); the
        entry keeps ``created`` from then on: the target record's origin is this flow."""
        self._put(source_id, operation, target, None, "pending", natural_key, run_id, created=True)

    def confirm(
        self,
        source_id: str,
        operation: str,
        target: str,
        target_id: Any,
        natural_key: dict[str, Any] | None,
        run_id: str,
    ) -> None:
        """Record the target id a source record's operation created or matched."""
        target_text = None if target_id is None else str(target_id)
        self._put(source_id, operation, target, target_text, "confirmed", natural_key, run_id)

    def forget(self, source_id: str, operation: str | None = None) -> int:
        """Drop entries (after a person checked the target); returns how many went."""
        c = t.ledger.c
        where = (c.tenant == self.tenant) & (c.flow == self.flow) & (c.source_id == source_id)
        if operation is not None:
            where = where & (c.operation == operation)
        with self.store.begin() as conn:
            return int(conn.execute(t.ledger.delete().where(where)).rowcount)

    def _put(
        self,
        source_id: str,
        operation: str,
        target: str,
        target_id: str | None,
        state: LedgerState,
        natural_key: dict[str, Any] | None,
        run_id: str,
        *,
        created: bool = False,
    ) -> None:
        values: dict[str, Any] = {
            "target": target,
            "target_id": target_id,
            "state": state,
            "natural_key": natural_key,
            "run_id": run_id,
            "updated_at": utcnow(),
        }
        if created:
            values["created"] = True
        key = self._key(source_id, operation)
        with self.store.begin() as conn:
            if conn.execute(_UPDATE, {**key, **values}).rowcount == 0:
                conn.execute(
                    t.ledger.insert(),
                    {
                        "tenant": self.tenant,
                        "flow": self.flow,
                        "source_id": source_id,
                        "operation": operation,
                        **values,
                    },
                )


_L = t.ledger.c
#: statements built once; their parameters are the k_* key values (and the new values)
_KEY = (
    (_L.tenant == sa.bindparam("k_tenant"))
    & (_L.flow == sa.bindparam("k_flow"))
    & (_L.source_id == sa.bindparam("k_source"))
    & (_L.operation == sa.bindparam("k_op"))
)
_SELECT = sa.select(t.ledger).where(_KEY)
_UPDATE = t.ledger.update().where(_KEY)


def created_by_flows(
    store: Store, tenant: str, target: str, target_ids: Iterable[str]
) -> dict[str, tuple[str, str]]:
    """Which of ``target_ids`` (records of ``target``, e.g. "exact_online.sales_invoices") a
    flow of this tenant created: ``{target_id: (flow, source_id)}``, in one query."""
    ids = sorted({str(i) for i in target_ids})
    if not ids:
        return {}
    query = sa.select(_L.target_id, _L.flow, _L.source_id).where(
        (_L.tenant == tenant)
        & (_L.target == target)
        & (_L.created.is_(True))
        & (_L.state == "confirmed")
        & (_L.target_id.in_(ids))
    )
    with store.begin() as conn:
        return {row.target_id: (row.flow, row.source_id) for row in conn.execute(query)}


def _entry(row: Any) -> LedgerEntry:
    return LedgerEntry(
        row.source_id, row.operation, row.target, row.target_id, row.state, row.natural_key
    )
