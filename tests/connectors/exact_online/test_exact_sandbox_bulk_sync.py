"""sync/* and bulk/* endpoints of the reference, injected faults in Exact's shape, --records 0."""

from __future__ import annotations

import httpx
import pytest
from mapwright.connectors.errors import RetriableError
from mapwright.connectors.exact_online.sandbox import create_app
from mapwright.connectors.exact_online.testing import make_connector, make_sandbox
from mapwright.connectors.faults import fault_state
from mapwright.connectors.sandbox import SandboxOptions

from .conftest import Wire, open_wire

SELECT_TEXT = "Please add a $select or a $top=1 statement to the query string."
SYNC = [
    "sync/CRM/Accounts",
    "sync/CRM/Contacts",
    "sync/CRM/Addresses",
    "sync/Logistics/Items",
    "sync/Logistics/SalesItemPrices",
    "sync/Inventory/ItemWarehouses",
    "sync/Inventory/StockPositions",
    "sync/SalesOrder/SalesOrderHeaders",
    "sync/SalesOrder/SalesOrderLines",
    "sync/SalesOrder/GoodsDeliveries",
    "sync/SalesOrder/GoodsDeliveryLines",
    "sync/SalesInvoice/SalesInvoices",
    "sync/Deleted",
]
#: bulk endpoint -> (table, a field to filter on)
BULK = {
    "bulk/CRM/Accounts": ("crm/Accounts", "ID"),
    "bulk/CRM/Contacts": ("crm/Contacts", "ID"),
    "bulk/CRM/Addresses": ("crm/Addresses", "ID"),
    "bulk/Logistics/Items": ("logistics/Items", "ID"),
    "bulk/Logistics/SalesItemPrices": ("logistics/SalesItemPrices", "ID"),
    "bulk/SalesOrder/SalesOrders": ("salesorder/SalesOrders", "OrderID"),
    "bulk/SalesOrder/SalesOrderLines": ("salesorder/SalesOrderLines", "ID"),
    "bulk/SalesOrder/GoodsDeliveries": ("salesorder/GoodsDeliveries", "EntryID"),
    "bulk/SalesInvoice/SalesInvoices": ("salesinvoice/SalesInvoices", "InvoiceID"),
}
EVERYTHING = "00000000-0000-0000-0000-000000000000"


def text(answer: httpx.Response) -> str:
    return str(answer.json()["error"]["message"]["value"])


async def read_all(wire: Wire, path: str, **params: str) -> tuple[list[dict], list[int]]:
    answer = await wire.get(path, **params)
    assert answer.status_code == 200, answer.text
    body = answer.json()["d"]
    rows, sizes = list(body["results"]), [len(body["results"])]
    while body.get("__next"):
        body = (await wire.http.get(body["__next"])).json()["d"]
        rows += body["results"]
        sizes.append(len(body["results"]))
    return rows, sizes


@pytest.mark.parametrize("path", SYNC)
async def test_sync_endpoints_answer_by_timestamp_with_a_select(wire: Wire, path: str) -> None:
    if path == "sync/Deleted":
        gone = wire.rows("crm/Addresses")[0]["ID"]
        assert (await wire.delete("crm/Addresses", gone)).status_code == 204
    rows, _ = await read_all(wire, path, **{"$select": "Timestamp", "$filter": "Timestamp gt 1"})
    assert rows and all(isinstance(r["Timestamp"], int) for r in rows)
    stamps = [r["Timestamp"] for r in rows]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
    bare = await wire.get(path, **{"$filter": "Timestamp gt 1"})
    assert (bare.status_code, text(bare)) == (400, SELECT_TEXT)
    other = await wire.get(path, **{"$select": "Timestamp", "$filter": "Timestamp ge 1"})
    assert other.status_code == 400


@pytest.mark.parametrize("path", sorted(BULK))
async def test_bulk_endpoints_answer_with_a_select_and_a_filter(wire: Wire, path: str) -> None:
    table, key = BULK[path]
    rows, _ = await read_all(
        wire, path, **{"$select": key, "$filter": f"{key} ne guid'{EVERYTHING}'"}
    )
    assert sorted(r[key] for r in rows) == sorted(wire.sandbox.store.table(table))
    bare = await wire.get(path, **{"$filter": f"{key} ne guid'{EVERYTHING}'"})
    assert (bare.status_code, text(bare)) == (400, SELECT_TEXT)
    unfiltered = await wire.get(path, **{"$select": key})
    assert unfiltered.status_code == 400, "bulk endpoints with a sync twin must be filtered"


async def test_bulk_sales_order_lines_are_the_lines_with_their_money(wire: Wire) -> None:
    order = wire.rows("salesorder/SalesOrders")[0]
    rows, _ = await read_all(
        wire,
        "bulk/SalesOrder/SalesOrderLines",
        **{
            "$select": "ID,OrderID,Item,Quantity,AmountFC,VATAmount",
            "$filter": f"OrderID eq guid'{order['OrderID']}'",
        },
    )
    stored = [
        r for r in wire.rows("salesorder/SalesOrderLines") if r["OrderID"] == order["OrderID"]
    ]
    assert sorted((r["ID"], r["AmountFC"]) for r in rows) == sorted(
        (r["ID"], r["AmountFC"]) for r in stored
    )
    assert round(sum(r["AmountFC"] + r["VATAmount"] for r in rows), 2) == order["AmountFC"]


async def test_bulk_addresses_filter_only_on_their_documented_fields(wire: Wire) -> None:
    account = wire.rows("crm/Accounts")[0]["ID"]
    refused = await wire.get("bulk/CRM/Addresses", **{"$select": "ID", "$filter": "City eq 'Köln'"})
    assert refused.status_code == 400 and "Account" in text(refused)
    rows, _ = await read_all(
        wire,
        "bulk/CRM/Addresses",
        **{"$select": "ID,Type", "$filter": f"Account eq guid'{account}'"},
    )
    assert sorted(r["Type"] for r in rows) == [1, 3, 4]


async def test_sync_and_bulk_pages_hold_a_thousand_rows() -> None:
    app, sandbox, _ = make_sandbox(records=12)
    with sandbox.store.batch():
        for n in range(1100):
            sandbox.rules.create("crm/Accounts", {"Name": f"Massenkunde {n}", "Status": "C"})
    wire = await open_wire(app)
    total = len(sandbox.store.table("crm/Accounts"))
    _, sizes = await read_all(
        wire, "sync/CRM/Accounts", **{"$select": "ID", "$filter": "Timestamp gt 1"}
    )
    assert sizes == [1000, total - 1000]
    _, sizes = await read_all(
        wire, "bulk/CRM/Accounts", **{"$select": "ID", "$filter": "Status eq 'C'"}
    )
    customers = sum(1 for a in sandbox.store.table("crm/Accounts").values() if a["Status"] == "C")
    assert sizes == [1000, customers - 1000]
    normal = await wire.get("crm/Accounts", **{"$select": "ID", "$filter": "Status eq 'C'"})
    assert len(normal.json()["d"]["results"]) == 60
    await wire.http.aclose()


async def test_sync_sales_invoices_mix_headers_and_lines(wire: Wire) -> None:
    rows, _ = await read_all(
        wire,
        "sync/SalesInvoice/SalesInvoices",
        **{
            "$select": "Timestamp,ID,InvoiceID,LineNumber,AmountFC,AmountFCExclVat",
            "$filter": "Timestamp gt 1",
        },
    )
    headers = {r["InvoiceID"]: r for r in rows if r["LineNumber"] == 0}
    assert sorted(headers) == sorted(wire.sandbox.store.table("salesinvoice/SalesInvoices"))
    assert all(h["ID"] == key for key, h in headers.items())
    lines = [r for r in rows if r["LineNumber"] > 0]
    assert len(lines) == len(wire.rows("salesinvoice/SalesInvoiceLines"))
    for key, header in headers.items():
        amounts = sum(r["AmountFC"] for r in lines if r["InvoiceID"] == key)
        assert round(amounts, 2) == header["AmountFCExclVat"]


async def test_an_injected_429_looks_like_exact_when_the_minute_is_spent(wire: Wire) -> None:
    fault_state(wire.app).options.burst_429 = 1
    answer = await wire.get("vat/VATCodes", **{"$filter": "Code eq '1'"})
    assert answer.status_code == 429 and answer.content == b""
    assert answer.headers["X-RateLimit-Minutely-Remaining"] == "0"
    assert int(answer.headers["X-RateLimit-Minutely-Reset"]) > 0
    assert "X-RateLimit-Remaining" not in answer.headers
    assert "X-RateLimit-Limit" not in answer.headers


@pytest.mark.parametrize(("status", "value"), [(500, ""), (503, "Service Unavailable")])
async def test_injected_server_errors_use_the_odata_envelope(
    wire: Wire, status: int, value: str
) -> None:
    fault_state(wire.app).options.error_rates = {status: 1.0}
    answer = await wire.get("vat/VATCodes", **{"$filter": "Code eq '1'"})
    assert answer.status_code == status
    assert answer.json() == {"error": {"code": "", "message": {"lang": "", "value": value}}}
    assert "X-RateLimit-Remaining" in answer.headers


async def test_an_injected_500_on_a_write_is_retried_not_parked() -> None:
    app, sandbox, clock = make_sandbox()
    connector = make_connector(app, clock)
    await connector.division()
    before = len(sandbox.store.table("crm/Accounts"))
    fault_state(app).options.error_rates = {500: 1.0}
    with pytest.raises(RetriableError):
        await connector.create("accounts", {"Name": "Nicht geparkt GmbH"})
    assert len(sandbox.store.table("crm/Accounts")) == before
    await connector.aclose()


async def test_records_zero_gives_a_division_with_setup_data_only() -> None:
    app = create_app(SandboxOptions(seed=3, records=0))
    wire = await open_wire(app)
    tables = wire.sandbox.store.tables
    assert not tables.get("crm/Accounts") and not tables.get("salesorder/SalesOrders")
    codes = sorted(r["Code"] for r in tables["logistics/Items"].values())
    assert codes == ["UMSATZ0", "UMSATZ19", "UMSATZ7"]
    answer = await wire.get("vat/VATCodes", **{"$filter": "Percentage gt 0"})
    assert sorted(r["Code"] for r in answer.json()["d"]["results"]) == ["1", "11", "12", "2"]
    await wire.http.aclose()
