"""Storing a page's log entries: the parked entries it resolves and replays.

``Store.store_page`` first asks which of the page's source records have open parked entries
and updates only those; the generic path (an UPDATE for every entry that went through)
must leave every entry in the same state, whatever the pages hold.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mapwright.engine import schema as t
from mapwright.engine import store as store_module
from mapwright.engine.store import Store

OUTCOMES = ("sent", "skipped", "parked", "failed", "planned")

entry = st.fixed_dictionaries(
    {
        "flow": st.sampled_from(["orders", "invoices"]),
        "source_id": st.sampled_from(["1", "2", "3", "4", None]),
        "outcome": st.sampled_from(OUTCOMES),
        "replay": st.integers(min_value=0, max_value=30),  # which earlier entry (if parked)
        "is_replay": st.booleans(),
    }
)
pages = st.lists(
    st.tuples(st.lists(entry, min_size=0, max_size=6), st.booleans()), min_size=1, max_size=5
)


def _play(store: Store, plan: list[tuple[list[dict[str, Any]], bool]]) -> list[tuple[Any, ...]]:
    """Store the pages in turn (each with ``returning`` or not); every entry's state after."""
    store.ensure_tenant("acme")
    run_id = store.create_run("acme", "orders", dry_run=False)
    seq = 0
    open_ids: list[int] = []
    for entries, returning in plan:
        rows = []
        for e in entries:
            seq += 1
            parked = "open" if e["outcome"] in ("parked", "failed") else None
            replay_of = None
            if e["is_replay"] and open_ids:
                replay_of = open_ids[e["replay"] % len(open_ids)]
            rows.append(
                {
                    "run_id": run_id,
                    "tenant": "acme",
                    "flow": e["flow"],
                    "seq": seq,
                    "page": 1,
                    "source_id": e["source_id"],
                    "source": {"id": e["source_id"]},
                    "plan": None,
                    "operations": [],
                    "outcome": e["outcome"],
                    "reason": None,
                    "parked_state": parked,
                    "replay_of": replay_of,
                }
            )
        store.store_page(rows, returning=returning)
        with store.begin() as c:
            found = c.execute(
                sa.select(t.run_records.c.id).where(t.run_records.c.parked_state == "open")
            )
            open_ids = [row.id for row in found]
    with store.begin() as c:
        query = sa.select(
            t.run_records.c.seq, t.run_records.c.source_id, t.run_records.c.parked_state
        ).order_by(t.run_records.c.seq)
        return [tuple(row) for row in c.execute(query)]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(plan=pages)
def test_pages_resolve_the_same_entries_as_the_generic_path(
    plan: list[tuple[list[dict[str, Any]], bool]],
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder: Path = tmp_path_factory.mktemp("pages")
    fast = Store.open(f"sqlite:///{folder / 'fast.db'}")
    generic = Store.open(f"sqlite:///{folder / 'generic.db'}")
    try:
        expected_plan = _play(fast, plan)
        with monkeypatch.context() as patch:
            # the generic path: every entry that went through runs its UPDATE
            patch.setattr(store_module, "_with_open_entries", lambda c, went: went)
            generic_plan = _play(generic, plan)
        assert expected_plan == generic_plan
    finally:
        fast.close()
        generic.close()


def test_a_page_resolves_open_entries_beyond_one_query(store: Store, monkeypatch) -> None:
    """More source records than one query asks about: each chunk finds its open entries."""
    monkeypatch.setattr(store_module, "OPEN_CHUNK", 3)
    store.ensure_tenant("acme")
    run_id = store.create_run("acme", "orders", dry_run=False)

    def row(seq: int, source: str, outcome: str) -> dict[str, Any]:
        return {
            "run_id": run_id,
            "tenant": "acme",
            "flow": "orders",
            "seq": seq,
            "page": 1,
            "source_id": source,
            "source": {},
            "plan": None,
            "operations": [],
            "outcome": outcome,
            "reason": None,
            "parked_state": "open" if outcome == "parked" else None,
        }

    store.store_page([row(n, str(n), "parked") for n in range(10)])
    store.store_page([row(10 + n, str(n), "sent") for n in range(0, 10, 2)], returning=False)
    states = {r["source_id"]: r["parked_state"] for r in store.parked("acme", state="resolved")}
    assert sorted(states) == ["0", "2", "4", "6", "8"]
    assert sorted(r["source_id"] for r in store.parked("acme")) == ["1", "3", "5", "7", "9"]
