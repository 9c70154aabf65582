"""The BB sandbox speaks BB's transport as documented: auth, envelopes, paging, limits, rules."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from mapwright.connectors.buchhaltungsbutler.sandbox import describe
from mapwright.connectors.buchhaltungsbutler.testing import SANDBOX_URL, FakeClock, make_app


class Raw:
    """Plain HTTP to a sandbox app, with the right credentials unless told otherwise."""

    def __init__(self, **settings: Any):
        self.clock = FakeClock()
        self.app = make_app(self.clock, **settings)
        self.info = describe(self.app, SANDBOX_URL)
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app),
            base_url=self.info["base_url"],
            auth=(self.info["api_client"], self.info["api_secret"]),
        )

    async def post(self, path: str, **body: Any) -> httpx.Response:
        return await self.http.post(path, json={"api_key": self.info["api_key"], **body})


@pytest.fixture
async def raw() -> AsyncIterator[Raw]:
    made = Raw()
    yield made
    await made.http.aclose()


def error_of(response: httpx.Response) -> tuple[int, int]:
    body = response.json()
    assert body["success"] is False and set(body) == {"success", "error_code", "message"}
    return response.status_code, body["error_code"]


async def test_success_envelopes_for_list_detail_and_create(raw):
    listed = (await raw.post("/receipts/get", list_direction="outbound", limit=2)).json()
    assert listed["success"] is True and listed["message"] == "" and listed["rows"] == 2
    detail = (await raw.post(f"/receipts/get/{listed['data'][0]['id_by_customer']}")).json()
    assert isinstance(detail["data"], dict) and "rows" not in detail
    created = (await raw.post("/settings/add/debtor", name="Köhler AG")).json()
    assert set(created) == {"success", "message", "postingaccount_number"}


async def test_answers_are_utf8_json_with_a_session_cookie(raw):
    response = await raw.post("/accounts/get")
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert "bbutler=" in response.headers["set-cookie"]


async def test_unknown_paths_answer_html_404(raw):
    for path in ("/postings/reservations/get", "/../nope"):
        response = await raw.post(path)
        assert response.status_code == 404 and response.headers["content-type"].startswith(
            "text/html"
        )


async def test_only_post_is_accepted(raw):
    response = await raw.http.get("/accounts/get")
    assert error_of(response) == (400, 2)


async def test_documented_but_unmodelled_paths_say_so(raw):
    response = await raw.post("/reports/get/bwa")
    assert response.status_code == 501 and "not modelled" in response.json()["message"]


async def test_wrong_basic_auth_is_401_code_3(raw):
    response = await raw.http.post(
        "/accounts/get", json={"api_key": raw.info["api_key"]}, auth=("sandbox-client", "wrong")
    )
    assert error_of(response) == (401, 3)
    response = await raw.http.post(
        "/accounts/get",
        json={"api_key": raw.info["api_key"]},
        auth=None,
        headers={"authorization": ""},
    )
    assert error_of(response) == (401, 3)


async def test_wrong_or_missing_api_key_is_401_code_4(raw):
    assert error_of(await raw.http.post("/accounts/get", json={"api_key": "x"})) == (401, 4)
    assert error_of(await raw.http.post("/accounts/get", json={"limit": 1})) == (401, 4)


async def test_an_empty_body_is_400_code_23(raw):
    assert error_of(await raw.http.post("/accounts/get")) == (400, 23)
    assert error_of(
        await raw.http.post(
            "/accounts/get", content=b"[1]", headers={"content-type": "application/json"}
        )
    ) == (400, 23)


async def test_an_inactive_tenant_is_403_code_11():
    made = Raw(tenant_active=False)
    assert error_of(await made.post("/accounts/get")) == (403, 11)


async def test_form_encoded_bodies_with_php_arrays_are_accepted(raw):
    form = {
        "api_key": raw.info["api_key"],
        "type": "invoice",
        "show_prices_type": "gross",
        "company_name": "Grünwald GmbH",
        "date": "2026-01-05",
        "item_name[0]": "Stollen",
        "item_amount[0]": "3",
        "item_unit[0]": "Stk",
        "item_vat[0]": "7",
        "item_single_price[0]": "12.50",
        "item_name[1]": "Versand",
        "item_amount[1]": "1",
        "item_unit[1]": "pauschal",
        "item_vat[1]": "19",
        "item_single_price[1]": "4.90",
    }
    response = await raw.http.post("/invoices/create", data=form)
    body = response.json()
    assert body["success"] is True
    receipt = (await raw.post(f"/receipts/get/{body['id_by_customer']}")).json()["data"]
    assert receipt["amount"] == "42.40" and receipt["vat"] is None  # two rates: no single vat


async def test_receipt_pages_default_to_500_and_refuse_more(raw):
    assert error_of(await raw.post("/receipts/get", list_direction="inbound", limit=501)) == (
        400,
        10,
    )
    assert error_of(await raw.post("/receipts/get", list_direction="inbound", limit=0)) == (400, 10)
    assert error_of(await raw.post("/receipts/get", list_direction="sideways")) == (400, 5)
    assert error_of(await raw.post("/receipts/get")) == (400, 5)
    past = (await raw.post("/receipts/get", list_direction="inbound", offset=10_000)).json()
    assert past["rows"] == 0 and past["data"] == []


async def test_debtor_pages_default_to_25(raw):
    first = (await raw.post("/settings/get/debtors")).json()
    assert first["rows"] == 25
    rest = (await raw.post("/settings/get/debtors", offset=25, limit=100)).json()
    assert rest["rows"] == 15  # 40 seeded debtors
    assert error_of(await raw.post("/settings/get/debtors", limit=1001))[0] == 400


async def test_modified_since_with_a_date_means_the_end_of_that_day(raw):
    everything = (await raw.post("/receipts/get", list_direction="outbound")).json()["data"]
    since_day = (
        await raw.post(
            "/receipts/get", list_direction="outbound", date_since_last_modified="2025-06-30"
        )
    ).json()["data"]
    since_time = (
        await raw.post(
            "/receipts/get",
            list_direction="outbound",
            date_since_last_modified="2025-06-30 23:59:59",
        )
    ).json()["data"]
    assert since_day == since_time and 0 < len(since_day) < len(everything)


async def test_debtor_numbers_are_unique_and_in_range(raw):
    assert error_of(
        await raw.post("/settings/add/debtor", name="X", postingaccount_number="10001")
    ) == (400, 7)
    assert error_of(
        await raw.post("/settings/add/debtor", name="X", postingaccount_number="70001")
    ) == (400, 7)
    first = (await raw.post("/settings/add/debtor", name="Same Name")).json()
    second = (await raw.post("/settings/add/debtor", name="Same Name")).json()
    assert int(second["postingaccount_number"]) == int(first["postingaccount_number"]) + 1


async def test_debtors_are_written_with_write_names_and_read_with_read_names(raw):
    number = (
        await raw.post(
            "/settings/add/debtor",
            name="Böhm KG",
            additional_address_line="3. OG",
            sales_tax_id="DE136695976",
            country="Dänemark",
        )
    ).json()["postingaccount_number"]
    rows = (await raw.post("/settings/get/debtors", limit=1000)).json()["data"]
    record = next(r for r in rows if r["postingaccount_number"] == number)
    assert (
        record["additional_addressline"] == "3. OG" and record["sales_tax_id_eu"] == "DE136695976"
    )
    assert record["country"] == "DK" and record["type"] == "debitor" and record["uid_ch"] is None


async def test_debtor_field_checks_use_the_documented_codes(raw):
    cases = {
        ("name", ""): 8,
        ("country", "Germany"): 16,
        ("email", "no-at-sign"): 20,
        ("zip", "!"): 13,
        ("city", ""): 14,
    }
    for (field, value), code in cases.items():
        body = {"name": "Valid GmbH", field: value}
        assert error_of(await raw.post("/settings/add/debtor", **body)) == (400, code)


async def test_updating_needs_an_integer_number_of_an_existing_debtor(raw):
    assert error_of(await raw.post("/settings/update/debtor", postingaccount_number="abc")) == (
        400,
        1,
    )
    assert error_of(await raw.post("/settings/update/debtor", postingaccount_number=69999)) == (
        400,
        24,
    )
    updated = (
        await raw.post("/settings/update/debtor", postingaccount_number=10001, city="Linz")
    ).json()
    assert updated["data"]["city"] == "Linz" and updated["data"]["postingaccount_number"] == "10001"


async def test_payment_account_names_and_numbers_are_unique(raw):
    assert error_of(
        await raw.post("/accounts/add", type="bank", name="Kasse", postingaccount_number=1300)
    ) == (400, 9)
    assert error_of(
        await raw.post("/accounts/add", type="bank", name="Neu", postingaccount_number=1200)
    ) == (400, 16)
    assert (
        await raw.post("/accounts/add", type="bank", name="Neu", postingaccount_number=1210)
    ).json()["success"]


async def test_receipts_have_no_duplicate_check_but_invoice_numbers_do(raw):
    receipt = {
        "type": "invoice outbound",
        "counterparty": "Weiß",
        "invoice_number": "X-1",
        "date": "2026-01-02",
        "amount": 5,
        "currency": "EUR",
    }
    one = (await raw.post("/receipts/add", **receipt)).json()
    two = (await raw.post("/receipts/add", **receipt)).json()
    assert one["id_by_customer"] != two["id_by_customer"]
    invoice = {
        "type": "invoice",
        "show_prices_type": "net",
        "company_name": "Weiß",
        "date": "2026-01-02",
        "invoicenumber": "RE-2025-0001",
        "item_name": ["a"],
        "item_amount": ["1"],
        "item_unit": ["Stk"],
        "item_vat": ["19"],
        "item_single_price": ["1.00"],
    }
    assert error_of(await raw.post("/invoices/create", **invoice)) == (400, 22)


async def test_receipt_amounts_must_not_be_zero_and_delivery_not_after_the_date(raw):
    receipt = {
        "type": "credit outbound",
        "counterparty": "Weiß",
        "invoice_number": "",
        "date": "2026-01-02",
        "amount": -12.3,
        "currency": "EUR",
    }
    assert (await raw.post("/receipts/add", **receipt)).json()["success"]
    assert error_of(await raw.post("/receipts/add", **{**receipt, "amount": 0}))[0] == 400
    assert (
        error_of(await raw.post("/receipts/add", **{**receipt, "date_delivery": "2026-01-03"}))[0]
        == 400
    )
    assert error_of(await raw.post("/receipts/add", **{**receipt, "currency": "XXX"}))[0] == 400


async def test_postings_need_symbolic_vat_codes(raw):
    body = {
        "receipt_id_by_customer": 1,
        "postingaccounts": ["8400"],
        "postingtexts": ["x"],
        "vats": ["19"],
        "amounts": [10],
    }
    assert error_of(await raw.post("/postings/add/receipt", **body)) == (400, 19)
    assert (await raw.post("/postings/add/receipt", **{**body, "vats": ["19_vat"]})).json()[
        "success"
    ]


async def test_reads_over_100_per_minute_get_the_configured_status():
    made = Raw()
    for _ in range(100):
        assert (await made.post("/accounts/get")).status_code == 200
    assert error_of(await made.post("/accounts/get")) == (429, 15)
    made.clock.advance(60)
    assert (await made.post("/accounts/get")).status_code == 200
    strict = Raw(over_limit_status=403, rate_limit=2)
    await strict.post("/accounts/get")
    await strict.post("/accounts/get")
    assert error_of(await strict.post("/accounts/get")) == (403, 15)


async def test_receipt_batches_faster_than_one_per_5_seconds_are_restricted(raw):
    item = {
        "type": "invoice inbound",
        "counterparty": "Huber",
        "invoice_number": "1",
        "date": "2026-01-02",
        "amount": 1,
        "currency": "EUR",
    }
    assert (await raw.post("/receipts/addBatch", receipts=[item])).status_code == 200
    assert error_of(await raw.post("/receipts/addBatch", receipts=[item])) == (403, 15)
    raw.clock.advance(5)
    assert (await raw.post("/receipts/addBatch", receipts=[item])).status_code == 200
    raw.clock.advance(5)
    assert error_of(await raw.post("/receipts/addBatch", receipts=[item] * 51))[0] == 400


async def test_state_survives_a_restart_with_a_data_file(tmp_path):
    path = str(tmp_path / "bb.sqlite")
    first = Raw(data_file=path)
    number = (await first.post("/settings/add/debtor", name="Dauerhaft GmbH")).json()[
        "postingaccount_number"
    ]
    again = Raw(data_file=path)
    rows = (await again.post("/settings/get/debtors", limit=1000)).json()["data"]
    assert [r["name"] for r in rows].count("Dauerhaft GmbH") == 1 and len(rows) == 41
    assert any(r["postingaccount_number"] == number for r in rows)


def test_settings_come_from_extra_then_environment_then_defaults():
    from mapwright.connectors.buchhaltungsbutler.sandbox import BBSettings

    environ = {
        "MAPWRIGHT_BB_SANDBOX_OVER_LIMIT_STATUS": "403",
        "MAPWRIGHT_BB_SANDBOX_TENANT_ACTIVE": "false",
        "MAPWRIGHT_BB_SANDBOX_RATE_LIMIT": "7",
    }
    settings = BBSettings.from_extra({"rate_limit": 9}, environ)
    assert (settings.over_limit_status, settings.tenant_active, settings.rate_limit) == (
        403,
        False,
        9,
    )
    assert BBSettings.from_extra({}, {}).over_limit_status == 429
    with pytest.raises(ValueError, match="MAPWRIGHT_BB_SANDBOX_RATE_LIMIT"):
        BBSettings.from_extra({}, {"MAPWRIGHT_BB_SANDBOX_RATE_LIMIT": "many"})
    with pytest.raises(ValueError, match="rate_limt"):
        BBSettings.from_extra({"rate_limt": 3}, {})


async def test_offers_are_listed_only_when_asked_for(raw):
    offer = {
        "type": "offer",
        "show_prices_type": "net",
        "company_name": "Angebot GmbH",
        "date": "2026-01-02",
        "item_name": ["a"],
        "item_amount": ["1"],
        "item_unit": ["Stk"],
        "item_vat": ["19"],
        "item_single_price": ["100.00"],
    }
    number = (await raw.post("/invoices/create", **offer)).json()["id_by_customer"]
    plain = (await raw.post("/receipts/get", list_direction="outbound")).json()["data"]
    offers = (
        await raw.post("/receipts/get", list_direction="outbound", include_offers=True)
    ).json()
    assert number not in {r["id_by_customer"] for r in plain}
    assert number in {r["id_by_customer"] for r in offers["data"]}
