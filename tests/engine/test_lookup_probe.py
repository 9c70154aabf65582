"""The runner probes records while it maps a page (``PageResolver.probing``): a run that meets
a key not fetched yet goes on with an empty answer, queues its further keys of the same table,
and its result is thrown away. Only the number of rounds may change: every record must end
exactly as with the old one-key-per-round loop (``script.run`` per waiting record, the
resolver raising ``LookupPending``), whatever the script's lookups depend on.

Settings declared ``refers system.object.Field`` that the script looks up by that field are
fetched with the page's first round (``FlowRunner._want_references``); the same holds there.
"""

from __future__ import annotations

import asyncio
import builtins
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lookup_reference import mapped_by_runner
from lookup_reference import one_key_per_round as reference
from mapwright import dsl
from mapwright.connectors.base import ConnectionConfig, Connector, ObjectSpec
from mapwright.engine.resolver import PageResolver
from mapwright.engine.retry import RetryPolicy
from mapwright.engine.runner import MAX_LOOKUP_ROUNDS
from mapwright.engine.store import Store


class MemorySystem(Connector):
    """A target whose ``find`` answers from tables in memory, one call per (object, key)."""

    kind: ClassVar[str] = "memory_double"
    title: ClassVar[str] = "Test memory system"
    objects: ClassVar[dict[str, ObjectSpec]] = {
        "people": ObjectSpec("people", "id", frozenset({"find"}), find_keys=("email", "code")),
        "items": ObjectSpec("items", "id", frozenset({"find"}), find_keys=("sku", "code")),
    }

    def __init__(self, tables: dict[str, list[dict[str, Any]]]):
        super().__init__(ConnectionConfig(kind=self.kind))
        self.tables = tables
        self.calls: list[tuple[str, str, tuple[Any, ...]]] = []

    async def find(
        self, object: str, key: str, values: Sequence[Any]
    ) -> dict[Any, builtins.list[dict[str, Any]]]:
        self.require(object, "find")
        self.calls.append((object, key, tuple(values)))
        result: dict[Any, builtins.list[dict[str, Any]]] = {}
        for value in values:
            wanted = str(value).strip().casefold()
            result[value] = [
                dict(row)
                for row in self.tables.get(object, [])
                if row.get(key) is not None and str(row[key]).strip().casefold() == wanted
            ]
        return result


class CountingResolver(PageResolver):
    """A page resolver that counts its fetch rounds that asked for something."""

    rounds = 0

    async def fetch_pending(self) -> int:
        calls = await super().fetch_pending()
        self.rounds += bool(calls)
        return calls


@pytest.fixture(scope="module")
def runner_store() -> Iterator[Store]:
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(f"sqlite:///{Path(folder) / 'store.db'}")
        yield store
        store.close()


async def one_key_per_round(
    script: Any, records: list[dict[str, Any]], system: MemorySystem
) -> tuple[list[Any], int]:
    """The reference loop (``lookup_reference``): the views of the results, and the rounds."""
    lookups = CountingResolver({"erp": system}, RetryPolicy())
    views = await reference(script, records, script.resolve_settings({}), lookups)
    return views, lookups.rounds


async def probed(
    store: Store, script: Any, records: list[dict[str, Any]], system: MemorySystem
) -> tuple[list[Any], int]:
    """The runner's ``_map_all``: the views of its results, and its rounds."""
    lookups = CountingResolver({"erp": system}, RetryPolicy())
    views = await mapped_by_runner(store, script, records, script.resolve_settings({}), lookups)
    assert not lookups.probing  # the sender's checks after mapping see the plain resolver
    return views, lookups.rounds


# ---- generated scripts --------------------------------------------------------------------

VALUES = ["1", "2", "x", " X", ""]  # " X" finds what "x" finds; "" is never looked up


@st.composite
def scripts(draw: st.DrawFn) -> str:
    """A script of lookups that depend on the record, on earlier answers or on nothing,
    through ``??`` fallbacks, ``if``, ``each``, parks, skips and runtime errors."""
    lines = ["flow probe", "source shop.orders", "target erp"]
    refers = draw(st.lists(st.sampled_from(VALUES[:3]), max_size=3))
    lines.append(f"setting skus: list = {refers!r} refers erp.items.sku".replace("'", '"'))
    names: list[str] = []
    for n in range(draw(st.integers(1, 7))):

        def source() -> str:
            choices = ["a", "b", '"x"', "first(settings.skus)"]
            choices += [f"{name}.{field}" for name in names for field in ("code", "email")]
            return draw(st.sampled_from(choices))

        def earlier() -> str:
            return draw(st.sampled_from(names))

        kinds = ["find", "fallback", "require", "require_message", "exists", "find_all", "each"]
        kinds += ["each_require"]
        if names:
            kinds += ["park", "where", "if", "number"]
        kind = draw(st.sampled_from(kinds))
        name = f"v{n}"
        if kind == "find":
            lines.append(f"let {name} = find(erp.people, email = {source()})")
        elif kind == "fallback":
            lines.append(
                f"let {name} = find(erp.people, code = {source()}) ?? "
                f"find(erp.{draw(st.sampled_from(['people', 'items']))}, code = {source()})"
            )
        elif kind == "require":
            lines.append(f"let {name} = require(erp.items, sku = {source()})")
        elif kind == "require_message":
            lines.append(f'let {name} = require(erp.people, code = {source()}, "none {n}")')
        elif kind == "exists":
            lines.append(f"let {name} = exists(erp.items, code = {source()})")
        elif kind == "find_all":
            lines.append(f"let {name} = find_all(erp.people, code = {source()})")
        elif kind == "each":
            lines.append(f"let {name} = each lines as l => find(erp.items, sku = l).code")
        elif kind == "each_require":
            lines.append(f"let {name} = each lines as l => require(erp.items, sku = l).code")
        elif kind == "park":
            lines.append(f'park "parked {n}" if {earlier()} == missing')
            continue
        elif kind == "where":
            lines.append(f'where {earlier()} != missing else "skipped {n}"')
            continue
        elif kind == "if":
            lines.append(
                f"let {name} = if {earlier()} == missing then find(erp.items, sku = a) "
                f"else find(erp.people, email = {source()})"
            )
        else:  # a runtime error when the code is not a number
            lines.append(f"let {name} = number({earlier()}.code) * 2")
        names.append(name)
    lines += [f"{name} <- {name}" for name in names]
    return "\n".join(lines) + "\n"


def rows(key: str) -> st.SearchStrategy[list[dict[str, Any]]]:
    return st.lists(
        st.fixed_dictionaries(
            {key: st.sampled_from(VALUES), "code": st.sampled_from(VALUES)},
            optional={"other": st.sampled_from(VALUES)},
        ),
        max_size=6,
    )


records = st.fixed_dictionaries(
    {"a": st.sampled_from(VALUES), "b": st.sampled_from(VALUES)},
    optional={"lines": st.lists(st.sampled_from(VALUES), max_size=4)},
)


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(
    text=scripts(),
    people=rows("email"),
    items=rows("sku"),
    page=st.lists(records, min_size=1, max_size=6),
)
def test_probing_ends_every_record_as_one_key_per_round_does(
    runner_store: Store,
    text: str,
    people: list[dict[str, Any]],
    items: list[dict[str, Any]],
    page: list[dict[str, Any]],
) -> None:
    script = dsl.compile(text, name="probe.map")
    tables = {
        "people": [dict(row, id=n) for n, row in enumerate(people)],
        "items": [dict(row, id=n) for n, row in enumerate(items)],
    }
    expected, plain_rounds = asyncio.run(one_key_per_round(script, page, MemorySystem(tables)))
    got, rounds = asyncio.run(probed(runner_store, script, page, MemorySystem(tables)))
    assert got == expected
    assert rounds <= plain_rounds


# ---- what a probe fetches -----------------------------------------------------------------

HEADER = "flow probe\nsource shop.orders\ntarget erp\n"
TABLES = {
    "people": [
        {"id": 1, "email": "ann@x.com", "code": "A"},
        {"id": 2, "email": "bob@x.com", "code": "B"},
    ],
    "items": [{"id": 10 + n, "sku": f"S{n}", "code": f"C{n}"} for n in range(8)],
}


def _map(
    store: Store, text: str, page: list[dict[str, Any]]
) -> tuple[list[Any], MemorySystem, int]:
    """Map ``page`` with the runner; check it against the old loop; return its results, the
    system (its ``calls``) and the rounds."""
    script = dsl.compile(HEADER + text, name="probe.map")
    expected, _rounds = asyncio.run(one_key_per_round(script, page, MemorySystem(TABLES)))
    system = MemorySystem(TABLES)
    got, rounds = asyncio.run(probed(store, script, page, system))
    assert got == expected
    return got, system, rounds


def test_a_lookup_per_line_is_one_bulk_call_not_one_round_per_line(runner_store: Store) -> None:
    text = "items <- each lines as l => require(erp.items, sku = l).code\n"
    page = [{"lines": ["S1", "S2", "S3"]}, {"lines": ["S4", "S5", "S6", "S7"]}]
    got, system, _rounds = _map(runner_store, text, page)
    assert got[0] == ("outcome", {"items": ["C1", "C2", "C3"]})
    assert system.calls == [("items", "sku", ("S1", "S2", "S3", "S4", "S5", "S6", "S7"))]


def test_more_lines_than_rounds_are_mapped(runner_store: Store) -> None:
    # one key per round needs a round per line with a new key, and gives up after
    # MAX_LOOKUP_ROUNDS; the probe asks for all of them at once
    skus = [f"S{n}" if n < 8 else f"NEW{n}" for n in range(MAX_LOOKUP_ROUNDS + 5)]
    script = dsl.compile(
        HEADER + "items <- each lines as l => find(erp.items, sku = l).code\n", name="probe.map"
    )
    plain, _rounds = asyncio.run(one_key_per_round_capped(script, [{"lines": skus}]))
    assert plain == ["too many rounds"]
    system = MemorySystem(TABLES)
    got, rounds = asyncio.run(probed(runner_store, script, [{"lines": skus}], system))
    codes = [f"C{n}" for n in range(8)] + [None] * (len(skus) - 8)
    assert got == [("outcome", {"items": codes})]
    assert rounds == 1
    assert system.calls == [("items", "sku", tuple(skus))]


async def one_key_per_round_capped(
    script: Any, page: list[dict[str, Any]]
) -> tuple[list[Any], int]:
    try:
        return await one_key_per_round(script, page, MemorySystem(TABLES))
    except AssertionError:
        return ["too many rounds"], MAX_LOOKUP_ROUNDS


def test_independent_lookups_of_one_table_share_a_round(runner_store: Store) -> None:
    text = (
        "let buyer = find(erp.people, email = buyer)\n"
        "let payer = require(erp.people, email = payer)\n"
        "names <- [buyer.code, payer.code]\n"
    )
    page = [{"buyer": "ann@x.com", "payer": "bob@x.com"}, {"buyer": "bob@x.com", "payer": "x"}]
    got, system, _rounds = _map(runner_store, text, page)
    assert got[0] == ("outcome", {"names": ["A", "B"]})
    assert got[1] == ("outcome", {"parked": 'no erp.people with email = "x"'})
    assert system.calls == [("people", "email", ("ann@x.com", "bob@x.com", "x"))]


def test_lookups_of_other_tables_wait_for_their_round(runner_store: Store) -> None:
    # after a made-up empty answer the run may take a path the data never takes: the ``??``
    # fallback below is needed only when the first lookup finds nothing, so it is not asked
    # for on speculation (it would cost a call of its own)
    text = (
        "let p = find(erp.people, email = email) ?? find(erp.people, code = code)\n"
        "let item = find(erp.items, sku = sku)\n"
        "out <- [p.code, item.code]\n"
    )
    page = [{"email": "ann@x.com", "code": "B", "sku": "S1"}]
    got, system, _rounds = _map(runner_store, text, page)
    assert got == [("outcome", {"out": ["A", "C1"]})]
    assert system.calls == [
        ("people", "email", ("ann@x.com",)),
        ("items", "sku", ("S1",)),
    ]


REFERS = """setting skus: table = { "19": "S1", "7": "S2", "5": "S5", "0": "" } refers erp.items.sku
setting unused: list = ["C1"] refers erp.items.code
let p = require(erp.people, email = email)
let item = require(erp.items, sku = lookup(settings.skus, rate))
out <- [p.code, item.code]
"""


def test_settings_that_refer_to_looked_up_records_come_with_the_first_round(
    runner_store: Store,
) -> None:
    page = [{"email": "ann@x.com", "rate": "19"}, {"email": "bob@x.com", "rate": "7"}]
    got, system, rounds = _map(runner_store, REFERS, page)
    assert got == [
        ("outcome", {"out": ["A", "C1"]}),
        ("outcome", {"out": ["B", "C2"]}),
    ]
    # one round: every item the setting names comes with the people (one key per round
    # takes two); the script never looks items up by code, so ``unused`` is not fetched, and
    # the empty text names nothing
    assert rounds == 1
    assert system.calls == [
        ("people", "email", ("ann@x.com", "bob@x.com")),
        ("items", "sku", ("S1", "S2", "S5")),
    ]


def test_a_page_that_looks_nothing_up_fetches_no_referred_settings(runner_store: Store) -> None:
    text = 'where email != missing else "no e-mail"\n' + REFERS
    got, system, _rounds = _map(runner_store, text, [{"rate": "19"}, {}])
    assert [view[1] for view in got] == [{"skipped": "no e-mail"}] * 2
    assert system.calls == []
