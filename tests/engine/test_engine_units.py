"""Small parts of the engine: update diffs and policies, back-off, the page resolver."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from engine_doubles import TableSystem
from hypothesis import given, settings
from hypothesis import strategies as st
from mapwright.connectors.errors import RetriableError
from mapwright.dsl.plan import Lookup
from mapwright.dsl.resolver import LookupPending
from mapwright.engine import diff as diff_module
from mapwright.engine.diff import changes, same
from mapwright.engine.errors import FlowInvalid
from mapwright.engine.resolver import PageResolver, normalize
from mapwright.engine.retry import RetryPolicy


@pytest.mark.parametrize(
    ("fields", "current", "policies", "body"),
    [
        ({"name": "A"}, {"name": "A"}, {}, {}),
        ({"name": "B"}, {"name": "A"}, {}, {"name": "B"}),
        ({"price": Decimal("19.50")}, {"price": 19.5}, {}, {}),
        ({"price": Decimal("19.5")}, {"price": "19.5"}, {}, {"price": Decimal("19.5")}),
        ({"note": "x"}, {"note": "hand-made"}, {"note": "on_create"}, {}),
        ({"phone": "1"}, {"phone": ""}, {"phone": "if_empty"}, {"phone": "1"}),
        ({"phone": "1"}, {"phone": None}, {"phone": "if_empty"}, {"phone": "1"}),
        ({"phone": "1"}, {"phone": "2"}, {"phone": "if_empty"}, {}),
        ({"addr": {"city": "Köln"}}, {"addr": {"city": "Köln", "id": 4}}, {}, {}),
        ({"lines": [{"q": 1}]}, {"lines": [{"q": 1}, {"q": 2}]}, {}, {"lines": [{"q": 1}]}),
        ({"active": True}, {"active": 1}, {}, {"active": True}),
        ({"name": None}, {}, {}, {}),
    ],
)
def test_an_update_sends_only_what_changes_under_its_policies(
    fields: dict[str, Any], current: dict[str, Any], policies: dict[str, str], body: dict
) -> None:
    sent, diff = changes(fields, current, policies)
    assert sent == body
    assert set(diff) == set(body)
    for name in body:
        assert diff[name] == {"before": current.get(name), "after": fields[name]}


def test_same_compares_numbers_by_value_but_never_text_as_number() -> None:
    assert same(10, Decimal("10.00"))
    assert not same("10", 10)


texts = st.one_of(
    st.sampled_from(["", " ", "A", "a", "10 kg", "10kg", "Meir  101", "Meir 101 ", "\tx\n"]),
    st.text(alphabet="aA1 \t\u00a0ß", max_size=6),
)
field_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.decimals(allow_nan=False), texts),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from("abc"), inner, max_size=3)
    ),
    max_leaves=8,
)


def _variant(value: Any, how: str) -> Any:
    """``value`` with its texts changed slightly (case, spaces), or equal (a copy)."""
    if isinstance(value, str):
        return {
            "copy": value,
            "upper": value.upper(),
            "space": f" {value}  ",
            "lower": value.lower(),
        }[how]
    if isinstance(value, dict):
        return {k: _variant(v, how) for k, v in value.items()}
    if isinstance(value, list):
        return [_variant(v, how) for v in value]
    return value


@settings(max_examples=300, deadline=None)
@given(
    field_values,
    st.one_of(field_values, st.sampled_from(["copy", "upper", "space", "lower"])),
)
def test_same_on_equal_text_answers_as_the_generic_comparison(new: Any, other: Any) -> None:
    """``same``'s fast path (equal text) gives what the generic comparison gives, nested too;
    ``other`` is an unrelated value or a variant of ``new`` (a copy, other case, spaces)."""
    how = other if other in ("copy", "upper", "space", "lower") else None
    current = _variant(new, how) if how else other
    fast = same(new, current)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(diff_module, "same", diff_module._same)  # the generic path all the way
        assert diff_module.same(new, current) == fast


def test_the_backoff_doubles_and_never_undercuts_retry_after() -> None:
    policy = RetryPolicy(base_delay=0.5, factor=2, max_delay=4)
    assert [policy.delay(n) for n in (1, 2, 3, 4, 5)] == [0.5, 1.0, 2.0, 4.0, 4.0]
    assert policy.delay(1, RetriableError("busy", retry_after=30)) == 30


async def test_retry_gives_up_after_its_attempts() -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    calls = 0

    async def always_busy() -> None:
        nonlocal calls
        calls += 1
        raise RetriableError("busy", status=503)

    with pytest.raises(RetriableError):
        await RetryPolicy(attempts=3, sleep=sleep).call(always_busy)
    assert calls == 3 and len(waits) == 2


def test_key_values_compare_without_case_and_by_number_value() -> None:
    assert normalize(" Info@Example.COM ") == normalize("info@example.com")
    assert normalize(10) == normalize(Decimal("10.00")) == normalize(10.0)
    assert normalize("10") != normalize(10)


async def test_the_page_resolver_asks_once_per_object_and_key(erp: TableSystem) -> None:
    erp.seed("items", [{"sku": "A"}, {"sku": "B"}])
    resolver = PageResolver({"erp": erp})
    for sku in ("A", "b", "Z"):
        with pytest.raises(LookupPending):
            resolver.find(Lookup("erp", "items", "sku", sku))
    assert await resolver.fetch_pending() == 1
    assert [r["sku"] for r in resolver.find(Lookup("erp", "items", "sku", "a"))] == ["A"]
    assert [r["sku"] for r in resolver.find(Lookup("erp", "items", "sku", "B"))] == ["B"]
    assert resolver.find(Lookup("erp", "items", "sku", "Z")) == []
    assert [m for m, _ in erp.calls] == ["find"]


async def test_a_write_of_the_page_is_seen_by_later_lookups(erp: TableSystem) -> None:
    resolver = PageResolver({"erp": erp})
    assert await resolver.lookup("erp", "customers", "email", "new@example.com") == []
    resolver.remember_write("erp", "customers", {"id": 7, "email": "new@example.com"}, "id")
    assert resolver.known("erp", "customers", "email", "NEW@example.com") == [
        {"id": 7, "email": "new@example.com"}
    ]
    resolver.remember_write("erp", "customers", {"id": 7, "email": "changed@example.com"}, "id")
    assert resolver.known("erp", "customers", "email", "new@example.com") == []


async def test_a_lookup_in_an_unconnected_system_names_the_fix(erp: TableSystem) -> None:
    resolver = PageResolver({"erp": erp})
    with pytest.raises(LookupPending):
        resolver.find(Lookup("shop", "products", "sku", "A"))
    with pytest.raises(FlowInvalid, match=r"add \[connections.shop\]"):
        await resolver.fetch_pending()
