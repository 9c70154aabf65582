"""The runner maps a page with ``Script.run_many``'s loop (settings resolved once, a pending
lookup ends a pass): it must give every record what ``Script.run`` gives it, round by round."""

from __future__ import annotations

from typing import Any

from engine_doubles import TableSystem
from lookup_reference import mapped_by_runner, one_key_per_round
from mapwright import dsl
from mapwright.engine.resolver import PageResolver
from mapwright.engine.retry import RetryPolicy
from mapwright.engine.store import Store

SCRIPT = """
flow chained
source shop.orders
target erp
setting paid: text = "paid"
where status == settings.paid else "status {status} is not sent"
let c = find(erp.customers, email = email)
park "no customer for {email}" if c == missing
let item = require(erp.items, sku = c.sku, "unknown product {c.sku}")
let second = find(erp.invoices, ref = "{c.name}-{number}")
customer <- c.id
item <- item.id
invoice <- second.id ?? missing
share <- number(total) / number(parts)
"""


def _records() -> list[dict[str, Any]]:
    records = []
    for n in range(1, 41):
        records.append(
            {
                "number": f"N{n}",
                "status": "open" if n % 7 == 0 else "paid",
                # every fifth has no customer, one customer's item is unknown
                "email": f"c{n % 9}@example.com" if n % 5 else f"nobody{n}@example.com",
                "total": n * 10,
                # a division by zero is a runtime error of that record only
                "parts": 0 if n % 11 == 0 else 2,
            }
        )
    return records


def _seed(erp: TableSystem) -> None:
    erp.seed("items", [{"sku": "A"}, {"sku": "B"}])
    erp.seed(
        "customers",
        [
            {"email": f"c{k}@example.com", "name": f"C{k}", "sku": "Z" if k == 4 else "AB"[k % 2]}
            for k in range(9)
        ],
    )
    erp.seed("invoices", [{"ref": f"C{n % 9}-N{n}"} for n in range(1, 41, 3)])


async def _reference(
    script: Any, records: list[dict[str, Any]], settings: dict[str, Any], erp: TableSystem
) -> tuple[list[Any], list[tuple[str, str, str, int]]]:
    """The generic path (``lookup_reference``): the views of the results, and the calls."""
    lookups = PageResolver({"erp": erp}, RetryPolicy())
    return await one_key_per_round(script, records, settings, lookups), lookups.calls


async def test_the_page_maps_as_script_run_does_round_by_round(
    store: Store, erp: TableSystem
) -> None:
    _seed(erp)
    script = dsl.compile(SCRIPT, name="chained.map")
    settings = script.resolve_settings({"paid": "paid"})
    records = _records()
    expected, expected_calls = await _reference(script, records, settings, erp)
    kinds = {view[0] for view in expected}
    assert kinds == {"outcome", "MappingRuntimeError"}  # the data covers errors too
    assert any(v[0] == "outcome" and v[1].get("skipped") for v in expected)
    assert any(v[0] == "outcome" and v[1].get("parked") for v in expected)

    lookups = PageResolver({"erp": erp}, RetryPolicy())
    assert await mapped_by_runner(store, script, records, settings, lookups) == expected
    # the same bulk lookups, round by round
    assert lookups.calls == expected_calls
