"""``PageResolver.remember_write`` replaces older copies of a written record through an index
of record ids instead of rescanning every bucket: after any sequence of bulk fetches, fresh
lookups and writes, its tables are exactly what the full rescan made of them."""

from __future__ import annotations

import asyncio
import copy
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from engine_doubles import TableSystem
from hypothesis import given, settings
from hypothesis import strategies as st
from mapwright.engine.resolver import PageResolver, normalize

EMAILS = ["a@x.com", "A@X.com ", "b@x.com", "c@x.com", "d@x.com"]
IDS: list[Any] = [1, 2, 3, 4, 99, "1", Decimal("2"), 2.0, True, None, ["x"]]


def rescan_write(
    tables: dict[Any, dict[Any, list[dict[str, Any]]]],
    system: str,
    object: str,
    record: dict[str, Any],
    id_key: str,
) -> None:
    """``remember_write`` as it was: every bucket of the object's tables rescanned."""
    record_id = record.get(id_key)
    for (t_system, t_object, key), table in tables.items():
        if (t_system, t_object) != (system, object):
            continue
        if record_id is not None:
            for bucket in table.values():
                bucket[:] = [row for row in bucket if row.get(id_key) != record_id]
        if key in record:
            table.setdefault(normalize(record[key]), []).append(dict(record))


steps = st.lists(
    st.one_of(
        st.tuples(st.just("fetch"), st.sampled_from(["email", "id"]), st.sampled_from(EMAILS)),
        st.tuples(st.just("fresh"), st.just("email"), st.sampled_from(EMAILS)),
        st.tuples(
            st.just("write"),
            st.sampled_from(IDS),
            st.one_of(st.none(), st.sampled_from(EMAILS)),
        ),
    ),
    max_size=25,
)


@settings(max_examples=150, deadline=None)
@given(
    seeded=st.lists(st.sampled_from(EMAILS), max_size=6),
    steps=steps,
)
def test_writes_leave_the_tables_the_rescan_left(seeded: list[str], steps: list[Any]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        erp = TableSystem(str(Path(folder) / "erp.db"))
        erp.seed("customers", [{"id": n, "email": e} for n, e in enumerate(seeded, 1)])
        asyncio.run(play(PageResolver({"erp": erp}), steps))


async def play(resolver: PageResolver, steps: list[Any]) -> None:
    for step in steps:
        if step[0] == "fetch":
            value: Any = step[2] if step[1] == "email" else len(step[2])
            resolver.want("erp", "customers", step[1], [value])
            await resolver.fetch_pending()
        elif step[0] == "fresh":
            await resolver.fresh("erp", "customers", step[1], step[2])
        else:
            record: dict[str, Any] = {"id": step[1], "name": "n"}
            if step[2] is not None:
                record["email"] = step[2]
            expected = copy.deepcopy(resolver._tables)
            rescan_write(expected, "erp", "customers", record, "id")
            resolver.remember_write("erp", "customers", record, "id")
            assert resolver._tables == expected


async def test_a_later_lookup_of_the_page_finds_the_write_not_the_old_copy(tmp_path: Path) -> None:
    erp = TableSystem(str(tmp_path / "erp.db"))
    erp.seed("customers", [{"id": 7, "email": "a@x.com", "name": "old"}])
    resolver = PageResolver({"erp": erp})
    resolver.want("erp", "customers", "email", ["a@x.com", "b@x.com"])
    resolver.want("erp", "customers", "id", [7])
    await resolver.fetch_pending()
    resolver.remember_write("erp", "customers", {"id": 7, "email": "b@x.com", "name": "new"}, "id")
    assert resolver.known("erp", "customers", "email", "a@x.com") == []
    assert resolver.known("erp", "customers", "email", "B@x.com") == [
        {"id": 7, "email": "b@x.com", "name": "new"}
    ]
    assert resolver.known("erp", "customers", "id", 7) == [
        {"id": 7, "email": "b@x.com", "name": "new"}
    ]
