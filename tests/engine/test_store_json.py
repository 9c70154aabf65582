"""The store writes its JSON columns with ``jsonio.dumps`` (tests/dsl/test_jsonio_plain.py holds
its fast path to the copying one) and reads back what it wrote."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from mapwright.dsl.values import MISSING
from mapwright.engine.store import Store


def test_the_store_reads_back_what_it_wrote(store: Store) -> None:
    params = {"amount": Decimal("12.30"), "when": dt.date(2025, 1, 31), "gone": MISSING}
    run_id = store.create_run("acme", "orders", dry_run=True, params=params)
    assert store.run(run_id)["params"] == {"amount": Decimal("12.30"), "when": "2025-01-31"}
