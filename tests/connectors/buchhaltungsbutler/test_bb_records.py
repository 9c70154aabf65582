"""Record shaping: write bodies, invoice lines, cursors that resume across connector instances."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from mapwright.connectors.buchhaltungsbutler.records import (
    ReceiptCursor,
    flatten_items,
    read_shape,
    write_body,
)
from mapwright.connectors.buchhaltungsbutler.testing import connect
from mapwright.connectors.errors import FatalError, SkippableError


def test_debtor_read_names_are_written_with_write_names_and_blanks_are_left_out():
    record = {
        "name": "Weiß KG",
        "additional_addressline": "2. OG",
        "sales_tax_id_eu": "DE136695976",
        "email": "",
        "iban": None,
        "type": "debitor",
        "import_pending": 0,
        "uid_ch": None,
    }
    body = write_body("debtors", record)
    assert body == {
        "name": "Weiß KG",
        "additional_address_line": "2. OG",
        "sales_tax_id": "DE136695976",
    }
    assert read_shape(body) == {
        "name": "Weiß KG",
        "additional_addressline": "2. OG",
        "sales_tax_id_eu": "DE136695976",
    }


def test_dates_and_decimals_become_what_bb_expects():
    body = write_body(
        "receipts", {"date": dt.date(2026, 1, 5), "amount": Decimal("12.30"), "invoice_number": ""}
    )
    assert body == {"date": "2026-01-05", "amount": 12.3, "invoice_number": ""}


def test_ids_and_amounts_from_text_become_the_numbers_bb_declares():
    body = write_body(
        "receipts",
        {
            "creditor_debtor": "10041",
            "amount": "119.00",
            "vat_rate": "19",
            "invoice_number": "0042",
        },
    )
    assert body == {
        "creditor_debtor": 10041,
        "amount": 119.0,
        "vat_rate": 19.0,
        "invoice_number": "0042",
    }
    assert write_body("comments", {"receipt_id_by_customer": "7"}) == {"receipt_id_by_customer": 7}
    assert write_body("debtors", {"postingaccount_number": "10041"}) == {
        "postingaccount_number": "10041"  # a string on /settings/add/debtor
    }


def test_invoice_items_become_parallel_string_arrays():
    arrays = flatten_items(
        [
            {
                "name": "Stollen",
                "amount": 3,
                "unit": "Stk",
                "vat": 7,
                "single_price": Decimal("12.50"),
            },
            {"name": "Versand", "amount": 1, "unit": "pauschal", "vat": 19, "single_price": 4.9},
        ]
    )
    assert arrays == {
        "item_name": ["Stollen", "Versand"],
        "item_amount": ["3", "1"],
        "item_unit": ["Stk", "pauschal"],
        "item_vat": ["7", "19"],
        "item_single_price": ["12.50", "4.9"],
    }
    with pytest.raises(SkippableError, match="sku"):
        flatten_items([{"name": "x", "sku": "A-1"}])


def test_receipt_cursors_are_json_strings_and_refuse_foreign_text():
    cursor = ReceiptCursor(since="2026-01-01 10:00:00", scan="2026-01-02 10:00:00", offset=500)
    assert ReceiptCursor.loads(cursor.dumps()) == cursor
    assert json.loads(cursor.dumps())["offset"] == 500
    with pytest.raises(FatalError, match="clear the flow's cursor"):
        ReceiptCursor.loads("page-2")


async def test_a_receipt_scan_resumes_from_its_cursor_in_a_new_connector(pair):
    filters = {"list_direction": "outbound"}
    first = await pair.connector.list("receipts", page_size=15, filters=filters)
    assert first.has_more and first.cursor
    fresh, _, _ = connect(pair.app, pair.clock)
    rest, cursor = [], first.cursor
    while True:
        page = await fresh.list("receipts", cursor=cursor, page_size=15, filters=filters)
        rest += page.records
        cursor = page.cursor
        if not page.has_more:
            break
    everything = await pair.connector.list("receipts", filters=filters)
    ids = [r["id_by_customer"] for r in first.records + rest]
    assert ids == [r["id_by_customer"] for r in everything.records]
    again = await fresh.list("receipts", cursor=cursor, filters=filters)
    assert again.records == []  # nothing changed since the scan (seed data is from 2025)
    await fresh.aclose()


async def test_a_scan_cursor_moves_to_the_scan_start_minus_the_overlap(pair):
    page = await pair.connector.list("receipts", filters={"list_direction": "inbound"})
    assert not page.has_more
    since = dt.datetime.strptime(ReceiptCursor.loads(page.cursor).since or "", "%Y-%m-%d %H:%M:%S")
    now = dt.datetime.fromtimestamp(pair.clock(), ZoneInfo("Europe/Berlin")).replace(tzinfo=None)
    assert now - since == dt.timedelta(seconds=300)


async def test_many_invoice_numbers_are_found_with_one_scan_not_two_calls_each(pair):
    base = {
        "type": "invoice outbound",
        "counterparty": "Krämer KG",
        "date": "2026-01-03",
        "amount": 50,
        "currency": "EUR",
    }
    numbers = [f"SCAN-{n}" for n in range(8)]
    results = await pair.connector.create_batch(
        "receipts", [{**base, "invoice_number": number} for number in numbers]
    )
    ids = {r.record["invoice_number"]: r.record["id_by_customer"] for r in results if r.record}
    before = len(pair.recorder.calls)
    found = await pair.connector.find("receipts", "invoicenumber", [*numbers, "SCAN-none"])
    reads = [path for _, path, _ in pair.recorder.calls[before:]]
    assert reads == ["/api/v1/receipts/get", "/api/v1/receipts/get"]  # outbound, inbound
    assert {n: [r["id_by_customer"] for r in found[n]] for n in numbers} == {
        n: [ids[n]] for n in numbers
    }
    assert found["SCAN-none"] == []
    extra = await pair.connector.create("receipts", {**base, "invoice_number": "SCAN-8"})
    again = await pair.connector.find("receipts", "invoicenumber", [*numbers, "SCAN-8"])
    assert [r["id_by_customer"] for r in again["SCAN-8"]] == [extra["id_by_customer"]]
