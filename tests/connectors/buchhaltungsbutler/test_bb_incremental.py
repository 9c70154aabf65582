"""Incremental reads across runs, with the cursor kept the way the engine keeps it.

``run`` mirrors ``engine/runner.py``: start from the stored cursor, store each page's cursor
unless it is None ("do not move"), stop after a page without ``has_more``.
"""

from __future__ import annotations

from typing import Any

from mapwright.connectors.buchhaltungsbutler.client import BuchhaltungsButler
from mapwright.connectors.buchhaltungsbutler.records import RESTART
from mapwright.connectors.buchhaltungsbutler.testing import make_pair, pay_later, sandbox_client


async def run(
    bb: BuchhaltungsButler, object: str, stored: str | None, **kw: Any
) -> tuple[list[dict[str, Any]], str | None]:
    records: list[dict[str, Any]] = []
    while True:
        page = await bb.list(object, cursor=stored, **kw)
        records += page.records
        if page.cursor is not None:
            stored = page.cursor
        if not page.has_more or not page.records:
            return records, stored


async def test_a_receipt_paid_later_is_read_again_on_the_next_run():
    pair = make_pair(records=60)
    filters = {"list_direction": "outbound", "payment_status": "paid"}
    first, cursor = await run(pair.connector, "receipts", None, filters=filters, page_size=20)
    assert first and all(r["payment_date"] for r in first)
    everything, _ = await run(
        pair.connector, "receipts", None, filters={"list_direction": "outbound"}
    )
    unpaid = next(
        r for r in everything if r["type"] == "invoice outbound" and r["amount_paid"] == "0.00"
    )
    assert unpaid["id_by_customer"] not in {r["id_by_customer"] for r in first}
    pair.clock.advance(86_400)  # a day later the customer pays
    await pay_later(pair.app, unpaid["id_by_customer"])
    pair.clock.advance(3600)  # the next run, an hour later
    second, cursor = await run(pair.connector, "receipts", cursor, filters=filters)
    assert [r["id_by_customer"] for r in second] == [unpaid["id_by_customer"]]
    assert second[0]["amount_paid"] == unpaid["amount"] and second[0]["payment_date"]
    third, _ = await run(pair.connector, "receipts", cursor, filters=filters)
    assert third == []  # nothing changed since (outside the re-read overlap of 5 minutes)
    await pair.connector.aclose()


async def test_debtors_are_read_in_full_every_run_so_a_changed_debtor_comes_again():
    pair = make_pair(records=40, options={"debtor_page_size": 15})
    first, cursor = await run(pair.connector, "debtors", None)
    assert len(first) == 40 and cursor == RESTART
    changed = first[7]
    async with sandbox_client(pair.app) as http:
        answer = await http.post(
            "/settings/update/debtor",
            json={
                "api_key": pair.info["api_key"],
                "postingaccount_number": int(changed["postingaccount_number"]),
                "city": "Bamberg",
            },
        )
        assert answer.json()["success"] is True
    second, cursor = await run(pair.connector, "debtors", cursor)
    assert len(second) == 40 and cursor == RESTART
    again = next(
        d for d in second if d["postingaccount_number"] == changed["postingaccount_number"]
    )
    assert again["city"] == "Bamberg"
    await pair.connector.aclose()


async def test_an_interrupted_debtor_scan_resumes_at_its_offset_then_starts_over():
    pair = make_pair(records=40, options={"debtor_page_size": 15})
    page = await pair.connector.list("debtors")
    assert page.has_more and page.cursor == "15"
    rest, cursor = await run(pair.connector, "debtors", page.cursor)
    numbers = [d["postingaccount_number"] for d in page.records + rest]
    assert numbers == [str(n) for n in range(10001, 10041)] and cursor == RESTART
    await pair.connector.aclose()
