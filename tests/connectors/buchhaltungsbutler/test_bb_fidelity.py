"""Sandbox fidelity: detail fields, the spec's types, BB's envelope on injected faults, size 0."""

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
    make_pair,
    sandbox_client,
)
from mapwright.connectors.errors import RetriableError
from mapwright.connectors.faults import fault_state
from mapwright.connectors.sandbox import FaultOptions

RECEIPT = {
    "type": "invoice outbound",
    "counterparty": "Weiß Druckerei KG",
    "invoice_number": "RE-T-1",
    "date": "2026-01-02",
    "amount": 119.0,
    "currency": "EUR",
    "vat_rate": 19.0,
}


class BB:
    def __init__(self, **settings: Any):
        self.clock = FakeClock()
        self.app = make_app(self.clock, **settings)
        self.key = describe(self.app, SANDBOX_URL)["api_key"]
        self.http: httpx.AsyncClient = sandbox_client(self.app)

    async def post(self, path: str, **body: Any) -> httpx.Response:
        return await self.http.post(path, json={"api_key": self.key, **body})


@pytest.fixture
async def bb() -> AsyncIterator[BB]:
    made = BB(records=60)
    yield made
    await made.http.aclose()


def refused(response: httpx.Response) -> tuple[int, int, str]:
    body = response.json()
    assert body["success"] is False and set(body) == {"success", "error_code", "message"}
    return response.status_code, body["error_code"], body["message"]


async def test_receipt_detail_carries_gross_amount_vat_and_currency(bb):
    store = bb.app.state.bb.store
    postings: dict[int, list[dict]] = {}
    for posting in store.all("postings"):
        postings.setdefault(posting["receipt_id_by_customer"], []).append(posting)
    mixed = 0
    for seeded in store.all("receipts"):
        detail = (await bb.post(f"/receipts/get/{seeded['id']}")).json()["data"]
        assert detail["amount"] == seeded["amount"] and detail["currency"] == "EUR"
        lines = postings.get(seeded["id"], [])
        if lines:
            assert sum(Decimal(p["amount"]) for p in lines) == Decimal(detail["amount"])
        codes = {p["vat"] for p in lines}
        if codes == {"19_vat", "7_vat"}:
            mixed += 1
            assert detail["vat"] is None  # several rates: no single rate
        else:
            assert detail["vat"] == seeded["vat_rate"] and detail["vat"] is not None
        assert "date_payment_due" in detail and "due_date" not in detail
        assert "date_delivery" in detail and "delivery_date" not in detail
        assert detail["list_direction"] == seeded["type"].split()[1]
    assert mixed
    row = (await bb.post("/receipts/get", list_direction="outbound", limit=1)).json()["data"][0]
    assert "due_date" in row and "delivery_date" in row and "vat" not in row


@pytest.mark.parametrize(
    ("field", "value", "code", "named"),
    [
        ("amount", "119.00", 20, "amount"),
        ("vat_rate", "19", 22, "vat rate"),
        ("account", "1200", 9, "account"),
        ("creditor_debtor", "10001", 24, "creditor/debtor"),
        ("link_to_receipt_id_by_customer", "1", 37, "link_to_receipt_id_by_customer"),
    ],
)
async def test_receipt_numbers_sent_as_json_strings_are_refused(bb, field, value, code, named):
    status, error, message = refused(await bb.post("/receipts/add", **{**RECEIPT, field: value}))
    assert (status, error) == (400, code) and named in message
    batch = (await bb.post("/receipts/addBatch", receipts=[{**RECEIPT, field: value}])).json()
    assert batch["receipts"] == [] and batch["errors"][0]["error_code"] == code


async def test_the_same_numbers_as_json_numbers_or_form_fields_are_accepted(bb):
    numbers = {"account": 1200, "creditor_debtor": 10001, "link_to_receipt_id_by_customer": 1}
    assert (await bb.post("/receipts/add", **{**RECEIPT, **numbers})).json()["success"]
    form = {k: str(v) for k, v in {**RECEIPT, **numbers, "api_key": bb.key}.items()}
    assert (await bb.http.post("/receipts/add", data=form)).json()["success"]
    assert (await bb.post("/receipts/add", **{**RECEIPT, "vat_rate": ""})).json()["success"]


async def test_receipts_for_the_wrong_kind_of_party_are_refused(bb):
    outbound_to_creditor = {**RECEIPT, "creditor_debtor": 70001}
    assert refused(await bb.post("/receipts/add", **outbound_to_creditor))[:2] == (400, 26)
    inbound_from_debtor = {**RECEIPT, "type": "invoice inbound", "creditor_debtor": 10001}
    assert refused(await bb.post("/receipts/add", **inbound_from_debtor))[:2] == (400, 28)
    assert refused(await bb.post("/receipts/add", **{**RECEIPT, "creditor_debtor": 99}))[:2] == (
        400,
        25,
    )


async def test_fields_the_spec_declares_as_strings_stay_strings(bb):
    invoice = {
        "type": "invoice",
        "show_prices_type": "gross",
        "company_name": "Grünwald GmbH",
        "date": "2026-01-05",
        "item_name": ["Stollen"],
        "item_amount": ["3"],
        "item_unit": ["Stk"],
        "item_vat": ["7"],
        "item_single_price": ["12.50"],
    }
    assert (await bb.post("/invoices/create", **invoice)).json()["success"]
    free = {
        "date": "2026-01-05",
        "postingtext": "Umbuchung",
        "amount": "12.30",
        "postingaccount_debit": 1200,
        "postingaccount_credit": 1360,
        "vat": "0_none",
    }
    assert (await bb.post("/postings/add/free", **free)).json()["success"]
    assert refused(await bb.post("/postings/add/free", **{**free, "postingaccount_debit": "1200"}))[
        :2
    ] == (400, 8)


async def test_ids_declared_as_integers_refuse_strings(bb):
    assert refused(await bb.post("/settings/update/debtor", postingaccount_number="10001"))[:2] == (
        400,
        1,
    )
    comment = {"comment_text": "geprüft", "receipt_id_by_customer": "1"}
    assert refused(await bb.post("/comments/add", **comment))[:2] == (400, 6)
    assert (await bb.post("/comments/add", **{**comment, "receipt_id_by_customer": 1})).json()[
        "success"
    ]


@pytest.mark.parametrize(("status", "code"), [(500, 0), (504, 30), (403, 15), (429, 15)])
async def test_injected_errors_use_bbs_envelope_without_rate_headers(bb, status, code):
    fault_state(bb.app).replace(FaultOptions(error_rates={status: 1.0}))
    response = await bb.post("/accounts/get")
    assert refused(response)[:2] == (status, code)
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert "retry-after" not in response.headers
    fault_state(bb.app).replace(FaultOptions(burst_429=1))
    assert refused(await bb.post("/accounts/get"))[:2] == (429, 15)


async def test_the_connector_reads_an_injected_504_on_a_write_as_maybe_committed():
    pair = make_pair()
    fault_state(pair.app).replace(FaultOptions(error_rates={504: 1.0}))
    with pytest.raises(RetriableError) as caught:
        await pair.connector.create("debtors", {"name": "Zeitüberschreitung GmbH"})
    assert caught.value.maybe_committed is True and caught.value.code == "30"
    await pair.connector.aclose()


async def test_an_empty_tenant_serves_every_list_and_takes_payments():
    empty = BB(records=0)
    for path, body in [
        ("/receipts/get", {"list_direction": "outbound"}),
        ("/settings/get/debtors", {}),
        ("/transactions/get", {}),
        ("/postings/get", {"date_from": "2025-01-01", "date_to": "2026-12-31"}),
    ]:
        answer = (await empty.post(path, **body)).json()
        assert answer["success"] is True and answer["rows"] == 0, path
    created = (await empty.post("/receipts/add", **RECEIPT)).json()
    added = (
        await empty.post(
            "/transactions/add",
            account=1200,
            to_from="Weiß",
            amount=119.0,
            booking_date="2026-01-15 09:00:00",
        )
    ).json()
    assign = {
        "transaction_id_by_customer": int(added["id_by_customer"]),
        "receipt_id_by_customer": int(created["id_by_customer"]),
    }
    assert (await empty.post("/transactions/assign/receipt", **assign)).json()["success"]
    paid = await empty.post("/receipts/get", list_direction="outbound", payment_status="paid")
    assert [r["id_by_customer"] for r in paid.json()["data"]] == [created["id_by_customer"]]
    await empty.http.aclose()
