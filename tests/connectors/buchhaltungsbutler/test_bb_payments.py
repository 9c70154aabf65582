"""Payments in the BB sandbox: transactions, assigning them to receipts, "unpaid now, paid later".

Everything goes through BB's documented endpoints over (in-process) HTTP, as a user would.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from mapwright.connectors.buchhaltungsbutler.sandbox import describe
from mapwright.connectors.buchhaltungsbutler.testing import (
    SANDBOX_URL,
    FakeClock,
    make_app,
    pay_later,
    sandbox_client,
)


class BB:
    """Plain HTTP to a seeded sandbox; ``post`` returns (status, body)."""

    def __init__(self, **settings: Any):
        self.clock = FakeClock()
        self.app = make_app(self.clock, **settings)
        self.key = describe(self.app, SANDBOX_URL)["api_key"]
        self.http: httpx.AsyncClient = sandbox_client(self.app)

    async def post(self, path: str, **body: Any) -> tuple[int, dict[str, Any]]:
        answer = await self.http.post(path, json={"api_key": self.key, **body})
        return answer.status_code, answer.json()

    async def ok(self, path: str, **body: Any) -> dict[str, Any]:
        status, data = await self.post(path, **body)
        assert status == 200 and data["success"] is True, data
        return data

    async def error(self, path: str, **body: Any) -> tuple[int, int]:
        status, data = await self.post(path, **body)
        assert data["success"] is False and set(data) == {"success", "error_code", "message"}
        return status, data["error_code"]

    async def receipt(self, number: int) -> dict[str, Any]:
        return (await self.ok(f"/receipts/get/{number}"))["data"]

    async def outbound(self, **filters: Any) -> list[dict[str, Any]]:
        return (await self.ok("/receipts/get", list_direction="outbound", **filters))["data"]


@pytest.fixture
async def bb() -> AsyncIterator[BB]:
    made = BB()
    yield made
    await made.http.aclose()


async def unpaid_invoice(bb: BB) -> dict[str, Any]:
    rows = await bb.outbound(payment_status="unpaid")
    return next(r for r in rows if r["type"] == "invoice outbound" and r["amount_paid"] == "0.00")


def payment(**extra: Any) -> dict[str, Any]:
    return {
        "account": 1200,
        "to_from": "Köhler Bäckerei GmbH",
        "amount": 119.0,
        "booking_date": "2026-01-15 11:00:00",
        **extra,
    }


async def test_added_transactions_read_back_in_list_and_detail_shape(bb):
    added = await bb.ok("/transactions/add", **payment(purpose="RE-1", bank_name="Sparkasse"))
    assert set(added) == {"success", "message", "id_by_customer"}
    number = int(added["id_by_customer"])
    detail = (await bb.ok(f"/transactions/get/{number}"))["data"]
    assert detail["amount"] == "119.00" and detail["account"] == "1200"
    assert detail["value_date"] == "2026-01-15 11:00:00"  # defaults to the booking date
    assert detail["bank_name"] == "Sparkasse" and detail["currency"] == "EUR"
    listed = (await bb.ok("/transactions/get", limit=1))["data"][0]  # newest first
    assert listed["id_by_customer"] == number  # a number in the list, as live
    assert set(listed) == {
        "id_by_customer",
        "to_from",
        "amount",
        "booking_date",
        "value_date",
        "purpose",
    }
    ascending = (await bb.ok("/transactions/get", id_by_customer_from=1, limit=2))["data"]
    assert [t["id_by_customer"] for t in ascending] == [2, 3]  # exclusive bound, ascending
    assert await bb.error("/transactions/get/999999") == (400, 6)


async def test_transactions_refuse_what_bb_refuses(bb):
    assert await bb.error("/transactions/add", **payment(account=None)) == (400, 5)
    assert await bb.error("/transactions/add", **payment(account=4711)) == (400, 7)
    assert await bb.error("/transactions/add", **payment(to_from=None)) == (400, 8)
    assert await bb.error("/transactions/add", **payment(amount=None)) == (400, 10)
    assert await bb.error("/transactions/add", **payment(amount=0)) == (400, 13)
    assert await bb.error("/transactions/add", **payment(booking_date=None)) == (400, 14)
    assert await bb.error("/transactions/add", **payment(booking_date="2026-01-15")) == (400, 16)
    assert await bb.error("/transactions/add", **payment(currency="XXX")) == (400, 26)
    assert (await bb.ok("/transactions/add", **payment(purpose="", booking_text="")))["success"]


async def test_numbers_sent_as_json_strings_are_refused_naming_the_field(bb):
    status, body = await bb.post("/transactions/add", **payment(amount="119.00"))
    assert (status, body["error_code"]) == (400, 13) and "amount" in body["message"]
    status, body = await bb.post("/transactions/add", **payment(account="1200"))
    assert (status, body["error_code"]) == (400, 6) and "account" in body["message"]
    invoice = await unpaid_invoice(bb)
    number = int((await bb.ok("/transactions/add", **payment()))["id_by_customer"])
    assert await bb.error(
        "/transactions/assign/receipt",
        transaction_id_by_customer=str(number),
        receipt_id_by_customer=int(invoice["id_by_customer"]),
    ) == (400, 6)


async def test_assigning_a_payment_makes_the_receipt_paid_and_modified(bb):
    invoice = await unpaid_invoice(bb)
    number = int(invoice["id_by_customer"])
    bb.clock.advance(3600)
    since = "2026-01-15 10:30:00"
    assert await bb.outbound(date_since_last_modified=since) == []
    added = await bb.ok("/transactions/add", **payment(amount=float(invoice["amount"])))
    transaction = int(added["id_by_customer"])
    await bb.ok(
        "/transactions/assign/receipt",
        transaction_id_by_customer=transaction,
        receipt_id_by_customer=number,
    )
    paid = await bb.receipt(number)
    assert paid["amount_paid"] == invoice["amount"] and paid["payment_date"] == "2026-01-15"
    assert paid["account"] == "1200"
    changed = await bb.outbound(date_since_last_modified=since)
    assert [r["id_by_customer"] for r in changed] == [invoice["id_by_customer"]]
    assert invoice["id_by_customer"] in {
        r["id_by_customer"] for r in await bb.outbound(payment_status="paid", limit=500)
    }
    linked = await bb.ok("/receipts/assigned-transactions/get", receipt_id_by_customer=number)
    assert [t["id_by_customer"] for t in linked["data"]] == [transaction]
    receipts = await bb.ok(
        "/transactions/assigned-receipts/get", transaction_id_by_customer=transaction
    )
    assert receipts["data"] == [{"id_by_customer": str(number), "filename": paid["filename"]}]


async def test_two_part_payments_pay_a_receipt_only_together_and_unassign_undoes_it(bb):
    invoice = await unpaid_invoice(bb)
    number, gross = int(invoice["id_by_customer"]), Decimal(invoice["amount"])
    first_part = (gross / 3).quantize(Decimal("0.01"))
    first = await pay_later(bb.app, number, amount=first_part)
    half = await bb.receipt(number)
    assert Decimal(half["amount_paid"]) == first_part and half["payment_date"] is None
    assert number not in {
        int(r["id_by_customer"]) for r in await bb.outbound(payment_status="paid", limit=500)
    }
    second = await pay_later(bb.app, number)  # the rest
    whole = await bb.receipt(number)
    assert whole["amount_paid"] == invoice["amount"] and whole["payment_date"]
    await bb.ok(
        "/transactions/unassign/receipt",
        transaction_id_by_customer=second,
        receipt_id_by_customer=number,
    )
    again = await bb.receipt(number)
    assert Decimal(again["amount_paid"]) == first_part and again["payment_date"] is None
    assert await bb.error(
        "/transactions/unassign/receipt",
        transaction_id_by_customer=second,
        receipt_id_by_customer=number,
    ) == (400, 23)
    assert first != second


async def test_one_transfer_for_two_invoices_is_shared_in_assignment_order(bb):
    rows = await bb.outbound(payment_status="unpaid")
    a, b = [r for r in rows if r["type"] == "invoice outbound" and r["amount_paid"] == "0.00"][:2]
    total = Decimal(a["amount"]) + Decimal(b["amount"])
    added = await bb.ok("/transactions/add", **payment(amount=float(total)))
    pairs = [
        {
            "transaction_id_by_customer": int(added["id_by_customer"]),
            "receipt_id_by_customer": int(r["id_by_customer"]),
        }
        for r in (a, b)
    ]
    pairs.append({"transaction_id_by_customer": 999999, "receipt_id_by_customer": 1})
    answer = await bb.ok("/transactions/assign-batch/receipt", transactions_to_receipts=pairs)
    assert len(answer["transactions_to_receipts"]) == 2
    assert [(e["error_code"], e["request_data"]) for e in answer["errors"]] == [(8, pairs[2])]
    for row in (a, b):
        receipt = await bb.receipt(int(row["id_by_customer"]))
        assert receipt["amount_paid"] == row["amount"] and receipt["payment_date"]
    assert await bb.error("/transactions/assign-batch/receipt", transactions_to_receipts=[]) == (
        400,
        12,
    )
    too_many = [pairs[0]] * 51
    assert await bb.error(
        "/transactions/assign-batch/receipt", transactions_to_receipts=too_many
    ) == (
        400,
        10,
    )


async def test_assignment_errors_use_bbs_codes(bb):
    invoice = int((await unpaid_invoice(bb))["id_by_customer"])
    transaction = int((await bb.ok("/transactions/add", **payment()))["id_by_customer"])
    path = "/transactions/assign/receipt"
    assert await bb.error(path, receipt_id_by_customer=invoice) == (400, 6)
    assert await bb.error(path, transaction_id_by_customer=transaction) == (400, 7)
    assert await bb.error(
        path, transaction_id_by_customer=999999, receipt_id_by_customer=invoice
    ) == (400, 8)
    assert await bb.error(
        path, transaction_id_by_customer=transaction, receipt_id_by_customer=999999
    ) == (400, 9)
    assert await bb.error(
        "/transactions/unassign/receipt",
        transaction_id_by_customer=transaction,
        receipt_id_by_customer=invoice,
    ) == (400, 23)
    assert await bb.error(
        "/transactions/assigned-receipts/get", transaction_id_by_customer=999999
    ) == (
        400,
        6,
    )
    assert await bb.error("/receipts/assigned-transactions/get", receipt_id_by_customer=999999) == (
        400,
        6,
    )


async def test_a_payment_reference_assigns_the_transaction_by_itself(bb):
    created = await bb.ok(
        "/receipts/add",
        type="invoice outbound",
        counterparty="Referenz GmbH",
        invoice_number="RE-REF-1",
        date="2026-01-10",
        amount=238.0,
        currency="EUR",
        payment_reference="pp_4711",
    )
    await bb.ok("/transactions/add", **payment(amount=238.0, payment_reference="pp_4711"))
    receipt = await bb.receipt(int(created["id_by_customer"]))
    assert receipt["amount_paid"] == "238.00" and receipt["payment_date"] == "2026-01-15"


async def test_transaction_batches_report_each_item_and_keep_to_50(bb):
    good, bad = payment(), payment(amount="12")
    answer = await bb.ok("/transactions/addBatch", transactions=[good, bad])
    assert len(answer["transactions"]) == 1 and answer["errors"][0]["error_code"] == 13
    assert answer["errors"][0]["request_data"] == bad
    bb.clock.advance(5)
    assert await bb.error("/transactions/addBatch", transactions=[good] * 51) == (400, 5)


async def test_seeded_payments_read_back_through_the_endpoints(bb):
    paid = await bb.outbound(payment_status="paid", limit=500)
    assert paid
    for row in paid[:10]:
        number = int(row["id_by_customer"])
        linked = (
            await bb.ok("/receipts/assigned-transactions/get", receipt_id_by_customer=number)
        )["data"]
        assert sum(abs(Decimal(t["amount"])) for t in linked) == Decimal(row["amount_paid"])
        assert max(t["booking_date"] for t in linked)[:10] == row["payment_date"]
