"""``Script.run_many`` gives, record by record, what ``Script.run`` gives: the same outcome or
the same error, with every per-record limit (steps, list items, output size) applied to each
record as ``run`` applies it."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mapwright import dsl
from mapwright.dsl import MemoryResolver
from mapwright.dsl.plan import Lookup, Outcome
from mapwright.dsl.resolver import LookupPending
from mapwright.dsl.settings import SettingsError

SCRIPT = """
setting factor: number = 2
where flag != "skip" else "skipped {n}"
park "parked {n}" if flag == "park"
Total <- money(n) * settings.factor
Items <- each items as i { V <- i * settings.factor }
Name <- trim(name) & "!"
Big <- n > 100
"""


def outcome(fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, ...]:
    try:
        found = fn(*args, **kwargs)
    except Exception as exc:
        return error(exc)
    return ("outcome", repr(found))


def error(exc: BaseException) -> tuple[Any, ...]:
    return ("error", type(exc), str(exc), getattr(exc, "line", None), getattr(exc, "rule", None))


def each(found: Iterator[Any]) -> list[tuple[Any, ...]]:
    """What an iterator of run_many gives, with the error that stopped it (if any)."""
    results = []
    try:
        for item in found:
            results.append(error(item) if isinstance(item, Exception) else ("outcome", repr(item)))
    except Exception as exc:
        results.append(error(exc))
    return results


numbers = st.one_of(
    st.integers(-1000, 1000),
    st.decimals(places=3, min_value=-1000, max_value=1000),
    st.floats(allow_nan=False, width=32),
    st.sampled_from([None, "12.5", "x", True, Decimal("1E+200")]),
)
records: st.SearchStrategy[Any] = st.one_of(
    st.fixed_dictionaries(
        {
            "n": numbers,
            "flag": st.sampled_from(["", "skip", "park"]),
            "items": st.one_of(st.none(), st.lists(numbers, max_size=7)),
            "name": st.one_of(st.text(max_size=40), st.none(), st.integers()),
        }
    ),
    st.sampled_from([[], "text", 5, None]),  # not a record: run refuses it
)


@pytest.fixture
def limited() -> Iterator[dsl.Script]:
    """The script with small limits (restored after: compiled scripts are shared)."""
    script = dsl.compile(SCRIPT, name="many.map")
    saved = (script.max_items, script.max_output, script.max_steps)
    script.max_items, script.max_output, script.max_steps = 6, 400, 7
    try:
        yield script
    finally:
        script.max_items, script.max_output, script.max_steps = saved


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(records, max_size=8), st.sampled_from([None, {}, {"factor": 3}]))
def test_each_record_as_run_gives_it(rows: list[Any], given_settings: Any) -> None:
    script = dsl.compile(SCRIPT, name="many.map")
    expected = [outcome(script.run, r, settings=given_settings) for r in rows]
    kept = each(script.run_many(rows, settings=given_settings, errors="yield"))
    assert kept == expected
    stopped = each(script.run_many(rows, settings=given_settings))
    first = next((i for i, e in enumerate(expected) if e[0] == "error"), len(expected))
    assert stopped == expected[: first + 1]


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(rows=st.lists(records, max_size=8))
def test_limits_apply_to_each_record(limited: dsl.Script, rows: list[Any]) -> None:
    expected = [outcome(limited.run, r) for r in rows]
    assert each(limited.run_many(rows, errors="yield")) == expected


def test_the_limits_are_hit_record_by_record(limited: dsl.Script) -> None:
    rows = [
        {"n": 1, "items": [1, 2, 3], "name": "a"},
        {"n": 1, "items": list(range(7)), "name": "a"},  # 7 items > 6
        {"n": 1, "items": [], "name": "x" * 400},  # output > 400 characters
        {"n": 1, "items": list(range(6)), "name": "b"},  # 2 calls + 6 rounds > 7 steps
        {"n": 2, "items": [], "name": "c"},
    ]
    found = list(limited.run_many(rows, errors="yield"))
    assert isinstance(found[0], Outcome) and isinstance(found[4], Outcome)
    assert [getattr(e, "limit", None) for e in found[1:4]] == [
        "list items per record",
        "output size per record",
        "steps per record",
    ]
    assert found[4].output == {"Total": Decimal("4.00"), "Items": [], "Name": "c!", "Big": False}


def test_settings_are_checked_once_before_the_first_record() -> None:
    script = dsl.compile(SCRIPT, name="many.map")
    with pytest.raises(SettingsError):
        script.run_many([], settings={"factor": "lots"})
    with pytest.raises(ValueError, match='errors must be "raise" or "yield"'):
        script.run_many([], errors="skip")  # type: ignore[call-overload]


def test_records_are_read_one_at_a_time() -> None:
    script = dsl.compile("X <- n * 2", name="stream.map")
    read = []

    def source() -> Iterator[dict[str, Any]]:
        for n in range(3):
            read.append(n)
            yield {"n": n}

    found = script.run_many(source())
    assert read == []
    assert next(found).output == {"X": 0} and read == [0]
    assert [o.output for o in found] == [{"X": 2}, {"X": 4}]


def test_lookups_go_through_the_resolver_and_pending_ones_raise() -> None:
    script = dsl.compile(
        "let c = find(crm.contacts, Email = email)\nName <- c.Name", name="lookup.map"
    )
    resolver = MemoryResolver({"crm.contacts": [{"Email": "a@x.de", "Name": "A"}]})
    found = list(script.run_many([{"email": "a@x.de"}, {"email": "b@x.de"}], resolver=resolver))
    assert [o.output for o in found] == [{"Name": "A"}, {}]

    class Pending:
        def find(self, lookup: Lookup) -> list[dict[str, Any]]:
            raise LookupPending(lookup)

    with pytest.raises(LookupPending):
        list(script.run_many([{"email": "a@x.de"}], resolver=Pending(), errors="yield"))
