"""An operation's fields are filled and made plain in one pass (``OperationSender._filled``).

It must give what the generic path gives, ``jsonio.plain`` of the fields with every ``Ref``
replaced (``fill`` below), for any fields: the same value, or the same stop (a ``Ref`` to
nothing) with the same reason.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from mapwright.dsl import jsonio
from mapwright.dsl.plan import Ref
from mapwright.dsl.values import MISSING
from mapwright.engine.operations import OperationSender, RecordStopped
from mapwright.engine.resolver import PageResolver
from mapwright.engine.retry import RetryPolicy

RESULTS: dict[str, dict[str, Any]] = {
    "customer": {
        "ID": "guid-1",
        "Code": "  1001",
        "Created": dt.datetime(2025, 1, 31, 10, 0, tzinfo=dt.UTC),
        "Lines": [{"Amount": Decimal("1.10")}, {"Amount": 2}],
        "Address": {"City": "Köln", "Gone": MISSING},
    },
    "invoice": {"ID": 7, "Tags": ("a", "b")},
}

refs = st.builds(
    Ref,
    st.sampled_from(["customer", "invoice", "nobody"]),
    st.lists(
        st.sampled_from(["ID", "Code", "Created", "Lines", "Address", "City", "0", "1", "Tags"]),
        min_size=1,
        max_size=3,
    ).map(tuple),
)
leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.decimals(allow_nan=False),
    st.text(max_size=4),
    st.just(MISSING),
    st.dates(),
    st.datetimes(),
    refs,
)
fields = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.tuples(inner, inner),
        st.dictionaries(st.one_of(st.text(max_size=3), st.integers(0, 3)), inner, max_size=4),
    ),
    max_leaves=12,
)


def sender(dry_run: bool) -> OperationSender:
    return OperationSender(
        connectors={},
        lookups=PageResolver({}),
        ledger=None,
        run_id="run-1",
        retry=RetryPolicy(),
        dry_run=dry_run,
    )


def fill(s: OperationSender, value: Any, results: dict[str, dict[str, Any]], key: str) -> Any:
    """The generic path's first step: every ``Ref`` in ``value`` replaced by the referenced
    result's field (through the sender's own ``_deref``), nothing made plain yet."""
    if isinstance(value, Ref):
        return s._deref(value, results, key)
    if isinstance(value, dict):
        return {k: fill(s, v, results, key) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [fill(s, v, results, key) for v in value]
    return value


def outcome(make: Any) -> tuple[str, Any]:
    try:
        return ("value", make())
    except RecordStopped as stop:
        return ("stopped", (stop.outcome, stop.reason))


@settings(max_examples=400, deadline=None)
@given(fields, st.booleans())
def test_filled_gives_what_plain_of_fill_gives(value: Any, dry_run: bool) -> None:
    s = sender(dry_run)
    one_pass = outcome(lambda: s._filled(value, RESULTS, "op"))
    generic = outcome(lambda: jsonio.plain(fill(s, value, RESULTS, "op")))
    assert one_pass == generic


def test_a_ref_to_a_date_or_tuple_is_made_plain() -> None:
    s = sender(False)
    value = {"when": Ref("customer", ("Created",)), "tags": Ref("invoice", ("Tags",))}
    assert s._filled(value, RESULTS, "op") == {
        "when": "2025-01-31T10:00:00+00:00",
        "tags": ["a", "b"],
    }
