"""The sandbox's wire behaviour, checked with plain HTTP (no connector in between)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from mapwright.connectors.exact_online.sandbox import describe
from mapwright.connectors.exact_online.testing import BASE, make_sandbox


@pytest.fixture
async def api() -> AsyncIterator[tuple[httpx.AsyncClient, str, Any]]:
    app, sandbox, clock = make_sandbox(records=40)
    info = describe(app, BASE)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as http:
        token = (
            await http.post(
                "/api/oauth2/token",
                data={
                    "grant_type": "refresh_token",
                    "refresh_token": info["refresh_token"],
                    "client_id": info["client_id"],
                    "client_secret": info["client_secret"],
                },
            )
        ).json()
        http.headers["Authorization"] = f"Bearer {token['access_token']}"
        yield http, f"/api/v1/{info['division']}", sandbox


async def test_pages_of_sixty_with_next_links(api) -> None:
    http, root, sandbox = api
    everything = {"$filter": "Modified ge datetime'2000-01-01T00:00:00'"}
    first = (await http.get(f"{root}/crm/Addresses", params=everything)).json()["d"]
    assert len(first["results"]) == 60 and first["__next"].startswith(BASE)
    assert "&$skiptoken=guid'" in first["__next"]
    ids = [r["ID"] for r in first["results"]]
    link = first["__next"]
    while link:
        page = (await http.get(link)).json()["d"]
        ids += [r["ID"] for r in page["results"]]
        link = page.get("__next")
    assert len(ids) == len(set(ids)) == len(sandbox.store.table("crm/Addresses"))


async def test_top_caps_the_result(api) -> None:
    http, root, _ = api
    params = {"$top": "5", "$filter": "IsSalesItem eq true"}
    body = (await http.get(f"{root}/logistics/Items", params=params)).json()["d"]
    assert len(body["results"]) == 5 and "__next" not in body


async def test_record_shape(api) -> None:
    http, root, _ = api
    params = {"$top": "1", "$filter": "Status ne 45"}
    order = (await http.get(f"{root}/salesorder/SalesOrders", params=params)).json()
    record = order["d"]["results"][0]
    assert record["__metadata"]["type"] == "Exact.Web.Api.Models.SalesOrder"
    assert "__deferred" in record["SalesOrderLines"]
    assert record["OrderDate"].startswith("/Date(") and record["OrderDate"].endswith(")/")
    single = await http.get(f"{root}/salesorder/SalesOrders(guid'{record['OrderID']}')")
    assert single.json()["d"]["OrderID"] == record["OrderID"]


async def test_sync_needs_select_and_only_timestamp_filters(api) -> None:
    http, root, _ = api
    bare = await http.get(f"{root}/sync/CRM/Accounts")
    assert bare.status_code == 400
    assert "$select" in bare.json()["error"]["message"]["value"]
    wrong = await http.get(
        f"{root}/sync/CRM/Accounts", params={"$select": "ID", "$filter": "Name eq 'x'"}
    )
    assert wrong.status_code == 400
    ok = await http.get(
        f"{root}/sync/CRM/Accounts", params={"$select": "ID,Timestamp", "$filter": "Timestamp gt 1"}
    )
    stamps = [r["Timestamp"] for r in ok.json()["d"]["results"]]
    assert stamps == sorted(stamps) and len(stamps) == 40


async def test_errors_have_the_odata_shape(api) -> None:
    http, root, sandbox = api
    other = await http.get(f"/api/v1/{sandbox.division + 1}/crm/Accounts")
    assert other.status_code == 403
    assert other.json()["error"]["message"]["value"] == "Forbidden - WrongDivision"
    missing = await http.get(f"{root}/crm/Nothing")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == ""
    unknown = await http.post(f"{root}/crm/Accounts", json={"Name": "x", "IsPerson": True})
    assert unknown.status_code == 400
    mandatory = await http.post(f"{root}/salesorder/SalesOrders", json={"Description": "x"})
    assert mandatory.json()["error"]["message"]["value"] == (
        "Mandatory: OrderedBy\r\nMandatory: SalesOrderLines"
    )
    bad = await http.get(f"{root}/crm/Accounts", params={"$filter": "Name eq"})
    assert bad.status_code == 400 and "syntax" in bad.text


async def test_post_201_put_204_delete_204(api) -> None:
    http, root, sandbox = api
    made = await http.post(
        f"{root}/crm/Accounts",
        json={"Name": "Brötchen AG"},
        headers={"Prefer": "return=representation"},
    )
    assert made.status_code == 201
    record = made.json()["d"]
    assert record["Code"] == "41".rjust(18) and record["Created"].startswith("/Date(")
    url = f"{root}/crm/Accounts(guid'{record['ID']}')"
    changed = await http.put(url, json={"City": "Zürich"})
    assert changed.status_code == 204 and changed.content == b""
    assert (await http.get(url)).json()["d"]["City"] == "Zürich"
    assert (await http.delete(url)).status_code == 204
    assert (await http.get(url)).status_code == 404
    sparse = await http.post(f"{root}/crm/Accounts", json={"Name": "Ohne Prefer"})
    assert sparse.json()["d"]["Code"] is None and sparse.json()["d"]["Name"] == "Ohne Prefer"


async def test_duplicate_code_and_bad_reference(api) -> None:
    http, root, sandbox = api
    code = next(iter(sandbox.store.table("logistics/Items").values()))["Code"]
    dup = await http.post(f"{root}/logistics/Items", json={"Code": code, "Description": "x"})
    assert dup.status_code == 500
    assert dup.json()["error"]["message"]["value"] == "Record already exists."
    ref = await http.post(
        f"{root}/salesorder/SalesOrders",
        json={
            "OrderedBy": "00000000-0000-0000-0000-000000000001",
            "SalesOrderLines": [{"Item": "00000000-0000-0000-0000-000000000002"}],
        },
    )
    assert ref.status_code == 500 and "OrderedBy" in ref.text


async def test_endpoints_with_a_sync_twin_must_be_filtered(api) -> None:
    http, root, _ = api
    unfiltered = await http.get(f"{root}/crm/Accounts")
    assert (
        unfiltered.status_code == 400 and "sync" in unfiltered.json()["error"]["message"]["value"]
    )
    assert (await http.get(f"{root}/vat/VATCodes")).status_code == 200


async def test_contact_email_overwrites_business_email(api) -> None:
    http, root, sandbox = api
    account = next(iter(sandbox.store.table("crm/Accounts")))
    made = await http.post(
        f"{root}/crm/Contacts",
        headers={"Prefer": "return=representation"},
        json={
            "Account": account,
            "LastName": "Öztürk",
            "BusinessEmail": "office@example.com",
            "Email": "a@example.com",
        },
    )
    assert made.json()["d"]["BusinessEmail"] == "a@example.com"
    url = f"{root}/crm/Contacts(guid'{made.json()['d']['ID']}')"
    await http.put(url, json={"Email": "b@example.com"})
    assert (await http.get(url)).json()["d"]["BusinessEmail"] == "b@example.com"
