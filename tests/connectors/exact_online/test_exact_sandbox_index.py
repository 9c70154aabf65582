"""The sandbox's indexes (``sandbox/index.py``) answer exactly as the scans they replace.

Filtered GETs narrow the rows through an index, then evaluate the full filter; the
uniqueness rule and the "same address" rule look at the rows an index names. Each is
compared here with the generic path, the scan over every row, for random tables, random
filters and random changes between the checks (through ``Store.put``/``delete`` and in place,
as tests do with ``store.table(…)`` rows): same rows in the same order, or the same error.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mapwright.connectors.exact_online.sandbox.errors import ApiError
from mapwright.connectors.exact_online.sandbox.filters import FilterError, evaluate, parse
from mapwright.connectors.exact_online.sandbox.query import matching
from mapwright.connectors.exact_online.sandbox.rules import SAME_ADDRESS, UNIQUE, Rules
from mapwright.connectors.exact_online.sandbox.state import Clock, Store
from mapwright.connectors.exact_online.sandbox.views import VIEWS, View
from mapwright.connectors.exact_online.testing import make_sandbox

from .conftest import Wire, open_wire

TEXTS = ["a", "A", " a", "a ", "Ab", "aB", "b", "", " ", "ß", "SS", "ss", "o'k", "1", "None"]
#: values: text that folds alike or not, numbers equal across types, null, lists, Decimals
VALUES = st.one_of(
    st.sampled_from(TEXTS),
    st.integers(-2, 2),
    st.sampled_from([0.0, -0.0, 1.0, 1.5, float("nan")]),
    st.booleans(),
    st.none(),
    st.lists(st.sampled_from(["a", 1]), max_size=2),
    st.sampled_from([Decimal("1"), Decimal("1.5")]),  # equal to scalars, not one itself
)
LITERALS = st.sampled_from(
    ["'a'", "'A'", "' a'", "'A '", "'ab'", "'AB'", "''", "'ß'", "'ss'", "'o''k'", "'1'"]
    + ["'None'", "0", "1", "-2", "1.0", "1.5", "0.0", "2L", "true", "false", "null"]
)
KEYS = st.integers(0, 11).map(lambda n: f"k{n}")

#: (view, fields stored in rows, fields the filters name)
CASES = {
    "plain": (
        VIEWS["crm/accounts"],
        ("Email", "Name", "Code", "Status"),
        ("Email", "Name", "Code"),
    ),
    "bulk": (VIEWS["bulk/crm/accounts"], ("Email", "Code"), ("Email", "Code")),
    # ID reads the stored OrderID: an index on the row's own "ID" would be wrong
    "alias": (
        VIEWS["sync/salesorder/salesorderheaders"],
        ("ID", "OrderID", "YourRef"),
        ("ID", "YourRef"),
    ),
}


def filters(names: tuple[str, ...]) -> st.SearchStrategy[str]:
    field = st.sampled_from(names)
    atom = st.one_of(
        st.builds("{} eq {}".format, field, LITERALS),
        st.builds("{} eq {}".format, LITERALS, field),
        st.builds("{} ne {}".format, field, LITERALS),
        st.builds("{} {} {}".format, field, st.sampled_from(["gt", "ge", "lt", "le"]), LITERALS),
        st.builds("{}({}) eq {}".format, st.sampled_from(["trim", "tolower"]), field, LITERALS),
        st.builds("startswith({}, {})".format, field, LITERALS),
        st.builds("{} eq {}".format, field, field),
        st.builds(
            lambda f, values: " or ".join(f"{f} eq {v}" for v in values),
            field,
            st.lists(LITERALS, min_size=1, max_size=6),
        ),
    )
    return st.recursive(
        atom,
        lambda inner: st.one_of(
            st.builds("({}) and ({})".format, inner, inner),
            st.builds("({}) or ({})".format, inner, inner),
            st.builds("{} and {}".format, inner, inner),
            st.builds("{} or {}".format, inner, inner),
            st.builds("not ({})".format, inner),
        ),
        max_leaves=8,
    )


def changes(names: tuple[str, ...]) -> st.SearchStrategy[tuple[Any, ...]]:
    row = st.dictionaries(st.sampled_from(names), VALUES, max_size=len(names))
    field = st.sampled_from(names)
    return st.one_of(
        st.tuples(st.just("put"), KEYS, row),  # insert, or replace a row
        st.tuples(st.just("copy"), KEYS, field, VALUES),  # update: a changed copy is put
        st.tuples(st.just("delete"), KEYS),
        st.tuples(st.just("set"), KEYS, field, VALUES),  # in place, no put
        st.tuples(st.just("grow"), KEYS, field),  # a list value changed in place
    )


def apply(store: Store, table: str, change: tuple[Any, ...]) -> None:
    kind, key, *rest = change
    rows = store.table(table)
    if kind == "put":
        store.put(table, key, dict(rest[0]))
    elif kind == "delete":
        store.delete(table, key)
    elif key in rows:
        field = rest[0]
        if kind == "copy":
            store.put(table, key, {**rows[key], field: rest[1]})
        elif kind == "set":
            rows[key][field] = rest[1]
        elif isinstance(rows[key].get(field), list):
            rows[key][field].append("A")


def scan(view: View, tree: Any, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The generic path: the filter evaluated on every row."""
    found = []
    for row in rows:

        def get(name: str, row: dict[str, Any] = row) -> Any:
            return view.value(row, name)

        if evaluate(tree, get):
            found.append(row)
    return found


def outcome(run: Any, *args: Any) -> tuple[str, Any]:
    try:
        return "rows", [id(r) for r in run(*args)]
    except FilterError as exc:
        return "error", str(exc)


@pytest.mark.parametrize("case", sorted(CASES))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_indexed_filter_answers_as_the_scan(case: str, data: st.DataObject) -> None:
    view, stored, named = CASES[case]
    store = Store()
    for _ in range(data.draw(st.integers(0, 12), label="rows")):
        row = data.draw(st.dictionaries(st.sampled_from(stored), VALUES), label="row")
        store.put(view.table, f"k{len(store.table(view.table))}", row)
    steps = data.draw(st.lists(st.tuples(changes(stored), filters(named)), max_size=6))
    for change, text in [(None, data.draw(filters(named), label="first")), *steps]:
        if change is not None:
            apply(store, view.table, change)
        tree = parse(text, view.fields)
        rows = list(store.table(view.table).values())
        indexed = outcome(matching, store, view, tree, rows)
        assert indexed == outcome(scan, view, tree, rows), text


def old_unique(store: Store, endpoint: str, row: dict[str, Any], key: str | None) -> bool:
    """The uniqueness rule as a scan (the code before the index): True = a duplicate."""
    names = UNIQUE.get(endpoint)
    if not names or any(row.get(n) in (None, "") for n in names):
        return False
    wanted = tuple(str(row[n]).strip().casefold() for n in names)
    for other_key, other in store.table(endpoint).items():
        if other_key == key:
            continue
        if tuple(str(other.get(n)).strip().casefold() for n in names) == wanted:
            return True
    return False


def rules(store: Store) -> Rules:
    return Rules(store, random.Random(1), Clock(frozen_at=1.7e9), 100)


@pytest.mark.parametrize("endpoint", ["crm/Accounts", "inventory/ItemWarehouses"])
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_unique_answers_as_the_scan(endpoint: str, data: st.DataObject) -> None:
    names = UNIQUE[endpoint]
    store = Store()
    checker = rules(store)
    row_of = st.dictionaries(st.sampled_from(names), VALUES)
    for n in range(data.draw(st.integers(0, 12), label="rows")):
        store.put(endpoint, f"k{n}", data.draw(row_of, label="row"))
    steps = data.draw(st.lists(st.tuples(changes(names), row_of, st.none() | KEYS), max_size=6))
    for change, row, key in [(None, data.draw(row_of), data.draw(st.none() | KEYS)), *steps]:
        if change is not None:
            apply(store, endpoint, change)
        expected = old_unique(store, endpoint, row, key)
        try:
            checker._unique(endpoint, row, key)
        except ApiError as exc:
            assert expected and (exc.status, exc.message) == (500, "Record already exists.")
        else:
            assert not expected


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_same_address_answers_as_the_scan(data: st.DataObject) -> None:
    store = Store()
    checker = rules(store)
    for account in ("a1", "a2"):
        store.put("crm/Accounts", account, {"ID": account, "Name": f"name {account}"})
    value = st.one_of(VALUES, st.sampled_from(["a1", "a2"]))
    names = ("Account", "Type", "City", "Postcode")
    # a posted Account names an account, or is empty (an empty list cannot be keyed)
    account_of = st.sampled_from(["a1", "a2", None]) | st.lists(st.nothing(), max_size=0)
    row_of = st.fixed_dictionaries(
        {}, optional={"Account": account_of, "Type": value, "City": value, "Postcode": value}
    )
    for n in range(data.draw(st.integers(0, 12), label="rows")):
        row = data.draw(st.dictionaries(st.sampled_from(names), value), label="stored")
        store.put("crm/Addresses", f"k{n}", row)
    steps = data.draw(st.lists(st.tuples(changes(names), row_of), max_size=6))
    for change, posted in [(None, data.draw(row_of, label="row")), *steps]:
        if change is not None:
            apply(store, "crm/Addresses", change)
        expected = next(
            (
                other
                for other in store.table("crm/Addresses").values()
                if all(other.get(n) == posted.get(n) for n in SAME_ADDRESS)
            ),
            None,
        )
        assert checker._create_addresses(dict(posted)) is expected


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_candidates_keep_every_equal_row_in_order(data: st.DataObject) -> None:
    """``Documents.candidates`` (prices of an item, lines of a document): the caller's own
    test on the candidates keeps the rows the scan keeps, in the same order."""
    store = Store()
    checker = rules(store)
    names = ("Item", "InvoiceID")
    row_of = st.dictionaries(st.sampled_from(names), VALUES)
    for n in range(data.draw(st.integers(0, 12), label="rows")):
        store.put("salesinvoice/SalesInvoiceLines", f"k{n}", data.draw(row_of, label="row"))
    steps = data.draw(st.lists(st.tuples(changes(names), st.sampled_from(names), VALUES)))
    first = (None, data.draw(st.sampled_from(names)), data.draw(VALUES, label="value"))
    for change, name, value in [first, *steps]:
        if change is not None:
            apply(store, "salesinvoice/SalesInvoiceLines", change)
        table = store.table("salesinvoice/SalesInvoiceLines")
        expected = [id(r) for r in table.values() if r.get(name) == value]
        found = checker.candidates("salesinvoice/SalesInvoiceLines", name, value)
        assert [id(r) for r in found if r.get(name) == value] == expected


def old_account_code(store: Store) -> int:
    """The next account code as a scan (the code before the index)."""
    codes = [
        int(r["Code"])
        for r in store.table("crm/Accounts").values()
        if str(r.get("Code", "")).strip().isdigit()
    ]
    return max(codes, default=0) + 1


CODES = st.one_of(
    VALUES,
    st.sampled_from([" 12", "12 ", "007", "-3", "1.5", "²", "٣", " 9", "10", "99999"]),
    st.integers(0, 200),
)


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_next_account_code_answers_as_the_scan(data: st.DataObject) -> None:
    store = Store()
    checker = rules(store)
    row_of = st.dictionaries(st.just("Code"), CODES)
    for n in range(data.draw(st.integers(0, 12), label="rows")):
        store.put("crm/Accounts", f"k{n}", data.draw(row_of, label="row"))
    steps = data.draw(st.lists(changes(("Code",)) | st.tuples(st.just("put"), KEYS, row_of)))
    for change in [None, *steps]:
        if change is not None:
            apply(store, "crm/Accounts", change)
        try:
            expected: Any = old_account_code(store)
        except ValueError as exc:
            expected = str(exc)
        try:
            assert checker.next_account_code() == expected
        except ValueError as exc:
            assert str(exc) == expected


# ---- over HTTP: the answer after creates, updates, deletes and in-place edits ----------------


@pytest.fixture
async def wire() -> AsyncIterator[Wire]:
    """A sandbox whose minute limit leaves room for the records these tests post."""
    app, _, _ = make_sandbox(records=40, minutely_limit=10_000)
    opened = await open_wire(app)
    yield opened
    await opened.http.aclose()


async def lookup(wire: Wire, text: str, **options: str) -> list[dict[str, Any]]:
    """Every record the filter finds, following ``__next``."""
    response = await wire.get("crm/Accounts", **{"$filter": text, **options})
    assert response.status_code == 200, response.text
    body = response.json()["d"]
    found = body["results"]
    while "__next" in body:
        body = (await wire.http.get(body["__next"])).json()["d"]
        found += body["results"]
    return found


async def test_lookups_follow_creates_updates_and_deletes(wire: Wire) -> None:
    emails = "Email eq 'new@example.com' or Email eq 'other@example.com'"
    assert await lookup(wire, emails) == []  # builds the index
    made = (await wire.post("crm/Accounts", {"Name": "Neu", "Email": "New@Example.com "})).json()
    key = made["d"]["ID"]
    assert [r["ID"] for r in await lookup(wire, emails)] == []  # the trailing space counts
    await wire.put("crm/Accounts", key, {"Email": "NEW@example.com"})
    assert [r["ID"] for r in await lookup(wire, emails)] == [key]
    await wire.put("crm/Accounts", key, {"Email": "other@EXAMPLE.com"})
    assert [r["ID"] for r in await lookup(wire, "Email eq 'new@example.com'")] == []
    assert [r["ID"] for r in await lookup(wire, emails)] == [key]
    await wire.delete("crm/Accounts", key)
    assert await lookup(wire, emails) == []


async def test_lookups_see_rows_changed_in_place(wire: Wire) -> None:
    """Tests edit stored rows directly (no ``put``): the next lookup still finds them."""
    assert await lookup(wire, "Email eq 'edited@example.com'") == []
    accounts = list(wire.sandbox.store.table("crm/Accounts").values())
    for row in accounts[:2]:
        row["Email"] = "Edited@Example.com"
    found = await lookup(wire, "Email eq 'edited@example.com' or Email eq 'x@y'")
    assert sorted(r["ID"] for r in found) == sorted(r["ID"] for r in accounts[:2])
    accounts[0]["Email"] = None
    assert [r["ID"] for r in await lookup(wire, "Email eq 'edited@example.com'")] == [
        accounts[1]["ID"]
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Email eq 'same@example.com'",
        "Email eq 'SAME@example.com' or Email eq 'nobody@example.com'",
        "Email eq 'same@example.com' and Status eq 'C'",
        "Status eq 'C' and Email eq 'same@example.com'",
        "Email eq 'same@example.com' and Modified ge datetime'2000-01-01T00:00:00'",
        "Email eq 'same@example.com' and Code gt 5",  # Codes are text: 400 from either
        "Code gt 5 and Email eq 'nobody@example.com'",
        "Email eq null",
        "Email eq 'same@example.com' or Name eq 'Gleich 3'",
    ],
)
@pytest.mark.parametrize(
    "options",
    [
        {},
        {"$top": "62"},
        {"$top": "5", "$select": "ID,Email"},
        {"$skip": "3"},
        {"$orderby": "Name desc"},
    ],
)
async def test_paged_answers_equal_the_scans(
    wire: Wire, text: str, options: dict[str, str]
) -> None:
    """``not (not (F))`` has F's rows and errors but no index narrows it: the scan's answer,
    through paging, ``$top``, ``$skip``, ``$select`` and ``$orderby``."""
    for n in range(65):
        status = "C" if n % 3 else "P"
        body = {"Name": f"Gleich {n}", "Email": "same@example.com", "Status": status}
        assert (await wire.post("crm/Accounts", body)).status_code == 201
    answers = []
    for filter_text in (text, f"not (not ({text}))"):
        response = await wire.get("crm/Accounts", **{"$filter": filter_text, **options})
        answer: list[Any] = [response.status_code, response.json()]
        body = answer[1].get("d", {})
        while "__next" in body:
            link = body.pop("__next")
            query = parse_qs(urlsplit(link).query)
            assert query.pop("$filter") == [filter_text]
            answer.append(query)  # the rest of the link: $top left, $skiptoken, $select
            body = (await wire.http.get(link)).json()["d"]
            answer.append(body)
        answers.append(answer)
    assert answers[0] == answers[1]
