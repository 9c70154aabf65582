"""The BuchhaltungsButler contract: what the connector promises, against sandbox and real API.

Every test uses only the ``bb`` fixture, so the same checks run against the in-process
sandbox and, when ``MAPWRIGHT_BB_*`` credentials are set, against the real API. Tests that
write use names with a per-run suffix so they can run repeatedly on one test tenant.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from mapwright.connectors.buchhaltungsbutler.client import BuchhaltungsButler
from mapwright.connectors.buchhaltungsbutler.errors import RecordNotFound
from mapwright.connectors.errors import (
    AuthError,
    FatalError,
    SkippableError,
    UnsupportedObject,
)

RUN = uuid.uuid4().hex[:8]


def is_paid(receipt: dict) -> bool:
    return bool(receipt["payment_date"]) and receipt["amount_paid"] == receipt["amount"]


async def all_pages(bb: BuchhaltungsButler, object: str, **kw) -> list[dict]:
    records, cursor = [], None
    while True:
        page = await bb.list(object, cursor=cursor, **kw)
        records += page.records
        if not page.has_more:
            return records
        cursor = page.cursor


async def some_outbound_receipt_id(bb: BuchhaltungsButler) -> str:
    """An existing outbound receipt's id (one is added when the tenant has none)."""
    first = await bb.list("receipts", page_size=1, filters={"list_direction": "outbound"})
    if first.records:
        return first.records[0]["id_by_customer"]
    created = await bb.create(
        "receipts",
        {
            "type": "invoice outbound",
            "counterparty": f"Weiß {RUN}",
            "invoice_number": f"MW-{RUN}",
            "date": "2026-01-02",
            "amount": 19.0,
            "currency": "EUR",
        },
    )
    return created["id_by_customer"]


async def test_debtor_lists_default_to_25_rows(bb):
    answer = await bb.call("/settings/get/debtors", {}, write=False)
    everything = await bb.scan("debtors")
    assert answer["rows"] == len(answer["data"]) == min(25, len(everything))


async def test_debtor_scan_pages_through_every_debtor_once(bb):
    records = await all_pages(bb, "debtors", page_size=25)
    numbers = [r["postingaccount_number"] for r in records]
    assert len(numbers) == len(set(numbers))
    assert all(r["type"] == "debitor" and r["name"] for r in records)
    assert sorted(numbers) == sorted(r["postingaccount_number"] for r in await bb.scan("debtors"))


async def test_created_debtor_is_found_by_email_and_number_with_read_names(bb):
    email = f"buchhaltung-{RUN}@mueller-baeckerei.de"
    created = await bb.create(
        "debtors",
        {
            "name": f"Bäckerei Müller {RUN} GmbH",
            "contact_person_name": "Jürgen Weiß",
            "street": "Hauptstraße 12a",
            "additional_addressline": "Hinterhaus",
            "zip": "50667",
            "city": "Köln",
            "country": "DE",
            "email": email,
        },
    )
    number = created["postingaccount_number"]
    assert number.isdigit() and 10000 <= int(number) <= 69999
    bb.forget()
    found = await bb.find("debtors", "email", [email.upper(), "nobody@example.org"])
    assert [r["postingaccount_number"] for r in found[email.upper()]] == [number]
    assert found["nobody@example.org"] == []
    record = found[email.upper()][0]
    assert record["additional_addressline"] == "Hinterhaus"
    assert record["street"] == "Hauptstraße 12a" and record["city"] == "Köln"
    by_number = await bb.find("debtors", "postingaccount_number", [int(number)])
    assert by_number[int(number)][0]["email"] == email


async def test_updating_a_debtor_answers_its_new_state(bb):
    created = await bb.create("debtors", {"name": f"Jansen Logistiek {RUN} B.V.", "country": "NL"})
    updated = await bb.update(
        "debtors", created["postingaccount_number"], {"city": "Den Haag", "zip": "2511 BT"}
    )
    assert updated["city"] == "Den Haag" and updated["name"] == f"Jansen Logistiek {RUN} B.V."
    bb.forget()
    found = await bb.find("debtors", "postingaccount_number", [created["postingaccount_number"]])
    assert found[created["postingaccount_number"]][0]["zip"] == "2511 BT"


async def test_updating_an_unknown_debtor_is_a_record_error(bb):
    with pytest.raises(RecordNotFound) as caught:
        await bb.update("debtors", 69998, {"city": "Graz"})
    assert caught.value.code == "24"


async def test_paid_outbound_filter_returns_only_paid_outbound_receipts(bb):
    filters = {"list_direction": "outbound", "payment_status": "paid"}
    records = await all_pages(bb, "receipts", filters=filters)
    assert all(r["type"].endswith("outbound") and is_paid(r) for r in records)
    unpaid = await all_pages(bb, "receipts", filters={**filters, "payment_status": "unpaid"})
    assert not {r["id_by_customer"] for r in records} & {r["id_by_customer"] for r in unpaid}


async def test_incremental_cursor_returns_a_receipt_added_after_the_last_scan(bb):
    filters = {"list_direction": "inbound"}
    page = await bb.list("receipts", filters=filters)
    while page.has_more:
        page = await bb.list("receipts", cursor=page.cursor, filters=filters)
    assert page.cursor is not None
    created = await bb.create(
        "receipts",
        {
            "type": "invoice inbound",
            "counterparty": f"Höller Holzbau {RUN} GmbH",
            "invoice_number": f"MW-{RUN}",
            "date": "2026-01-14",
            "amount": 119.0,
            "currency": "EUR",
            "vat_rate": 19,
        },
    )
    later = await bb.list("receipts", cursor=page.cursor, filters=filters)
    assert created["id_by_customer"] in {r["id_by_customer"] for r in later.records}


async def test_receipt_detail_has_the_fields_the_list_lacks(bb):
    receipt = await bb.get("receipts", await some_outbound_receipt_id(bb))
    assert receipt is not None
    assert {"currency", "vat", "list_direction", "date_payment_due", "date_delivery"} <= set(
        receipt
    )
    assert receipt["list_direction"] == "outbound"
    assert await bb.get("receipts", 987654321) is None


async def test_receipts_are_found_by_invoice_number(bb):
    number = f"MW-FIND-{RUN}"
    created = await bb.create(
        "receipts",
        {
            "type": "invoice outbound",
            "counterparty": f"Gößl Weingut {RUN} OG",
            "invoice_number": number,
            "date": "2026-01-10",
            "amount": 107.0,
            "currency": "EUR",
            "vat_rate": 7,
        },
    )
    found = await bb.find("receipts", "invoicenumber", [number, f"MW-NONE-{RUN}"])
    assert [r["id_by_customer"] for r in found[number]] == [created["id_by_customer"]]
    assert found[f"MW-NONE-{RUN}"] == []


async def test_created_invoice_becomes_an_outbound_receipt(bb):
    created = await bb.create(
        "invoices",
        {
            "type": "invoice",
            "show_prices_type": "net",
            "company_name": f"De Smet Bouw {RUN} BV",
            "date": "2026-01-12",
            "items": [
                {
                    "name": "Beratung",
                    "amount": 2,
                    "unit": "Std",
                    "vat": 19,
                    "single_price": "80.00",
                },
                {
                    "name": "Fahrtkosten",
                    "amount": 1,
                    "unit": "pauschal",
                    "vat": 19,
                    "single_price": Decimal("20.00"),
                },
            ],
        },
    )
    assert created["invoicenumber"] and created["id_by_customer"]
    receipt = await bb.get("receipts", created["id_by_customer"])
    assert receipt is not None and receipt["list_direction"] == "outbound"
    assert Decimal(receipt["amount"]) == Decimal("214.20")


async def test_comments_attach_to_existing_receipts_only(bb):
    receipt_id = await some_outbound_receipt_id(bb)
    await bb.create(
        "comments",
        {"comment_text": f"DHL 00340434 {RUN}", "receipt_id_by_customer": int(receipt_id)},
    )
    with pytest.raises(SkippableError):
        await bb.create("comments", {"comment_text": "x", "receipt_id_by_customer": 987654321})


async def test_debtor_batch_reports_each_record(bb):
    results = await bb.create_batch(
        "debtors",
        [
            {"name": f"Peeters Transport {RUN} NV", "country": "BE", "city": "Gent"},
            {"name": f"Van Dijk Handel {RUN} B.V.", "country": "Germany"},
            {"name": f"Anna Grünberger {RUN}", "country": "Österreich", "zip": "1070"},
        ],
    )
    assert [r.index for r in results] == [0, 1, 2]
    assert results[0].ok and results[2].ok
    assert isinstance(results[1].error, SkippableError) and results[1].error.code == "16"
    assert results[2].record is not None and results[2].record["postingaccount_number"]


async def test_receipt_batch_refuses_a_zero_amount_and_keeps_the_rest(bb):
    base = {"type": "invoice outbound", "date": "2026-01-13", "currency": "EUR", "vat_rate": 0}
    results = await bb.create_batch(
        "receipts",
        [
            {**base, "counterparty": f"Pölzl {RUN}", "invoice_number": f"B1-{RUN}", "amount": 10.0},
            {**base, "counterparty": f"Pölzl {RUN}", "invoice_number": f"B2-{RUN}", "amount": 0},
            {**base, "counterparty": f"Pölzl {RUN}", "invoice_number": f"B3-{RUN}", "amount": 30.5},
        ],
    )
    assert [r.ok for r in results] == [True, False, True]
    assert isinstance(results[1].error, SkippableError)
    ids = {r.record["id_by_customer"] for r in results if r.record}
    found = await bb.find("receipts", "invoicenumber", [f"B1-{RUN}", f"B3-{RUN}"])
    assert {r["id_by_customer"] for hits in found.values() for r in hits} == ids


async def test_payment_and_posting_accounts_are_listed(bb):
    accounts = (await bb.list("payment_accounts")).records
    assert accounts and all(a["postingaccount_number"] and a["name"] for a in accounts)
    chart = await all_pages(bb, "posting_accounts")
    numbers = {a["postingaccount_number"] for a in chart}
    assert {a["postingaccount_number"] for a in accounts} <= numbers
    assert any(a["type"] == "debtor" for a in chart)


async def test_postings_are_listed_within_a_date_range(bb):
    page = await bb.list("postings", filters={"date_from": "2025-01-01", "date_to": "2025-06-30"})
    assert all("2025-01-01" <= p["date"] <= "2025-06-30" for p in page.records)


async def test_wrong_api_key_is_an_auth_error(bb):
    wrong = BuchhaltungsButler(
        type(bb.config)(
            kind="buchhaltungsbutler",
            base_url=bb.base_url,
            credentials={**bb.config.credentials, "api_key": "not-a-key"},
        ),
        transport=bb.transport,
        clock=bb.pacer.clock,
        sleep=bb.sleep,
    )
    with pytest.raises(AuthError) as caught:
        await wrong.list("payment_accounts")
    assert (caught.value.status, caught.value.code) == (401, "4")
    await wrong.aclose()


async def test_unknown_endpoint_is_fatal_and_names_the_base_url(bb):
    with pytest.raises(FatalError) as caught:
        await bb.call("/postings/reservations/get", {}, write=False)
    assert caught.value.status == 404 and "base_url" in caught.value.message


async def test_receipts_need_a_list_direction(bb):
    with pytest.raises(FatalError, match="list_direction"):
        await bb.list("receipts")


async def test_page_size_above_the_documented_maximum_is_refused(bb):
    with pytest.raises(FatalError, match="1..500"):
        await bb.list("receipts", page_size=501, filters={"list_direction": "inbound"})


async def test_roles_bb_lacks_name_the_alternative(bb):
    for role, alternative in (
        ("orders", "receipts"),
        ("products", "invoices"),
        ("shipments", "comments"),
        ("stock", "inventory"),
    ):
        with pytest.raises(UnsupportedObject) as caught:
            await bb.list(role)
        assert alternative in (caught.value.alternative or "")


async def test_a_receipt_leads_to_its_debtor_by_name_and_to_its_posting_lines(bb):
    """The order flow's reads: receipt header, debtor master data, posting lines."""
    debtor = await bb.create("debtors", {"name": f"Claes Imprimerie {RUN} SA", "country": "BE"})
    number = int(debtor["postingaccount_number"])
    receipt = await bb.create(
        "receipts",
        {
            "type": "invoice outbound",
            "counterparty": debtor["name"],
            "creditor_debtor": number,
            "invoice_number": f"MW-POST-{RUN}",
            "date": "2026-01-14",
            "amount": 238.0,
            "currency": "EUR",
            "vat_rate": 19,
        },
    )
    receipt_id = int(receipt["id_by_customer"])
    await bb.create(
        "postings",
        {
            "receipt_id_by_customer": receipt_id,
            "postingaccounts": [8400, 8400],
            "postingtexts": ["Druck", "Versand"],
            "vats": ["19_vat", "19_vat"],
            "amounts": [200.0, 38.0],
        },
    )
    header = await bb.get("receipts", receipt_id)
    assert header is not None
    found = await bb.find("debtors", "name", [header["counterparty"]])
    assert [d["postingaccount_number"] for d in found[header["counterparty"]]] == [str(number)]
    lines = (await bb.find("postings", "receipt_id_by_customer", [receipt_id]))[receipt_id]
    assert sorted(line["amount"] for line in lines) == ["200.00", "38.00"]
    assert all(line["debit_postingaccount_number"] == str(number) for line in lines)
    assert all(line["credit_postingaccount_number"] == "8400" for line in lines)
