"""Line money on POST, as the issue 9 contract fixes it from Exact's field docs.

UnitPrice (posted, else the item's default price), Discount, NetPrice, AmountFC (excl. VAT),
the VAT amount from the line's VAT code, posted values honoured, a line without any price
refused, header totals; credit notes with their signs; SalesInvoices.Type; SalesEntries.
"""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Wire

ORDERS = "salesorder/SalesOrders"
INVOICES = "salesinvoice/SalesInvoices"
ENTRIES = "salesentry/SalesEntries"


def customer(wire: Wire) -> str:
    return next(a["ID"] for a in wire.rows("crm/Accounts") if a["Status"] == "C")


def item_id(wire: Wire, code: str) -> str:
    return str(wire.one("logistics/Items", Code=code)["ID"])


async def priced_item(wire: Wire, code: str, price: float, vat: str = "1") -> str:
    made = await wire.post(
        "logistics/Items", {"Code": code, "Description": code, "SalesVatCode": vat}
    )
    assert made.status_code == 201, made.text
    key = made.json()["d"]["ID"]
    listed = await wire.post("logistics/SalesItemPrices", {"Item": key, "Price": price})
    assert listed.status_code == 201, listed.text
    return str(key)


async def order(wire: Wire, *lines: dict[str, Any]) -> dict[str, Any]:
    answer = await wire.post(
        ORDERS + "?$expand=SalesOrderLines",
        {"OrderedBy": customer(wire), "SalesOrderLines": list(lines)},
    )
    assert answer.status_code == 201, answer.text
    key = answer.json()["d"]["OrderID"]
    read = await wire.get(f"{ORDERS}(guid'{key}')", **{"$expand": "SalesOrderLines"})
    return dict(read.json()["d"])


async def invoice(wire: Wire, *lines: dict[str, Any], **header: Any) -> dict[str, Any]:
    body = {
        "OrderedBy": customer(wire),
        "Journal": "70",
        **header,
        "SalesInvoiceLines": list(lines),
    }
    answer = await wire.post(INVOICES, body)
    assert answer.status_code == 201, answer.text
    key = answer.json()["d"]["InvoiceID"]
    read = await wire.get(f"{INVOICES}(guid'{key}')", **{"$expand": "SalesInvoiceLines"})
    return dict(read.json()["d"])


def lines(document: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return list(document[name]["results"])


async def test_a_line_without_a_price_takes_the_item_price_list(wire: Wire) -> None:
    key = await priced_item(wire, "PRICED-1", 12.5)
    made = await order(wire, {"Item": key, "Quantity": 3})
    (line,) = lines(made, "SalesOrderLines")
    assert (line["UnitPrice"], line["Discount"], line["NetPrice"]) == (12.5, 0.0, 12.5)
    assert line["AmountFC"] == 37.5 and line["VATPercentage"] == 0.19
    assert line["VATAmount"] == 7.13  # 37.50 x 19 % = 7.125, half up
    assert (made["AmountFCExclVat"], made["AmountFC"]) == (37.5, 44.63)


async def test_posted_net_price_is_kept_and_the_discount_follows_from_it(wire: Wire) -> None:
    key = await priced_item(wire, "PRICED-2", 50.0)
    made = await order(wire, {"Item": key, "Quantity": 3, "NetPrice": 40.0})
    (line,) = lines(made, "SalesOrderLines")
    assert (line["UnitPrice"], line["NetPrice"]) == (50.0, 40.0)
    assert line["Discount"] == pytest.approx(0.2)
    assert (line["AmountFC"], line["VATAmount"]) == (120.0, 22.8)
    assert made["AmountFC"] == 142.8


async def test_posted_discount_lowers_the_net_price(wire: Wire) -> None:
    key = await priced_item(wire, "PRICED-3", 10.0)
    made = await invoice(wire, {"Item": key, "Quantity": 2, "UnitPrice": 80.0, "Discount": 0.25})
    (line,) = lines(made, "SalesInvoiceLines")
    assert (line["UnitPrice"], line["Discount"], line["NetPrice"]) == (80.0, 0.25, 60.0)
    assert (line["AmountFC"], line["VATAmountFC"]) == (120.0, 22.8)
    assert (made["AmountFCExclVat"], made["VATAmountFC"], made["AmountFC"]) == (120.0, 22.8, 142.8)


async def test_posted_amount_and_vat_are_honoured_to_the_cent(wire: Wire) -> None:
    made = await invoice(
        wire,
        {"Item": item_id(wire, "UMSATZ19"), "AmountFC": 568.32, "VATAmountFC": 107.98},
        {"Item": item_id(wire, "UMSATZ7"), "AmountFC": 100.0},
    )
    first, second = lines(made, "SalesInvoiceLines")
    assert (first["AmountFC"], first["VATAmountFC"], first["VATCode"]) == (568.32, 107.98, "1")
    assert (second["AmountFC"], second["VATAmountFC"], second["VATCode"]) == (100.0, 7.0, "2")
    assert first["UnitPrice"] == first["NetPrice"] == 568.32  # no price anywhere: per unit
    assert made["AmountFCExclVat"] == 668.32
    assert made["VATAmountFC"] == 114.98
    assert made["AmountFC"] == 783.3


async def test_cents_round_half_away_from_zero(wire: Wire) -> None:
    made = await invoice(
        wire,
        {"Item": item_id(wire, "UMSATZ7"), "UnitPrice": 0.125},
        {"Item": item_id(wire, "UMSATZ7"), "UnitPrice": -0.125},
    )
    first, second = lines(made, "SalesInvoiceLines")
    assert (first["AmountFC"], second["AmountFC"]) == (0.13, -0.13)
    assert (first["VATAmountFC"], second["VATAmountFC"]) == (0.01, -0.01)


async def test_a_line_with_no_price_at_all_is_refused_and_nothing_is_stored(wire: Wire) -> None:
    stock = await priced_item(wire, "PRICED-4", 9.99)
    before = {t: len(wire.rows(t)) for t in (ORDERS, "salesorder/SalesOrderLines", INVOICES)}
    body = {
        "OrderedBy": customer(wire),
        "SalesOrderLines": [
            {"Item": stock, "Quantity": 1},
            {"Item": item_id(wire, "UMSATZ19"), "Quantity": 1},
        ],
    }
    refused = await wire.post(ORDERS, body)
    assert refused.status_code == 400
    assert refused.json()["error"]["message"]["value"] == "Mandatory: Price (item UMSATZ19)"
    body["SalesInvoiceLines"] = body.pop("SalesOrderLines")
    assert (await wire.post(INVOICES, body)).status_code == 400
    assert {t: len(wire.rows(t)) for t in before} == before
    planned = [w for w in wire.rows("inventory/ItemWarehouses") if w["Item"] == stock]
    assert planned == [], "a refused order must not plan stock"
    numbers = [i["InvoiceNumber"] for i in wire.rows(INVOICES)]
    made = await invoice(wire, {"Item": stock})
    assert made["InvoiceNumber"] == max(numbers) + 1, "a refusal leaves no gap in the numbers"


async def test_credit_notes_carry_their_signs(wire: Wire) -> None:
    by_quantity = await invoice(
        wire, {"Item": item_id(wire, "UMSATZ19"), "Quantity": -1, "UnitPrice": 100.0}, Type=8021
    )
    (line,) = lines(by_quantity, "SalesInvoiceLines")
    assert (line["Quantity"], line["AmountFC"], line["VATAmountFC"]) == (-1.0, -100.0, -19.0)
    assert (by_quantity["Type"], by_quantity["AmountFC"]) == (8021, -119.0)
    by_amount = await invoice(
        wire, {"Item": item_id(wire, "UMSATZ7"), "AmountFC": -50.0}, Type=8021, Remarks="24000001"
    )
    assert (by_amount["VATAmountFC"], by_amount["AmountFC"]) == (-3.5, -53.5)
    assert by_amount["Remarks"] == "24000001"


@pytest.mark.parametrize("kind", [8020, 8021])
async def test_invoice_and_credit_note_types_are_accepted(wire: Wire, kind: int) -> None:
    made = await invoice(wire, {"Item": item_id(wire, "UMSATZ0"), "AmountFC": 10.0}, Type=kind)
    assert made["Type"] == kind and made["AmountFC"] == 10.0


async def test_unknown_invoice_types_are_refused(wire: Wire) -> None:
    before = len(wire.rows(INVOICES))
    body = {
        "OrderedBy": customer(wire),
        "Type": 8025,
        "SalesInvoiceLines": [{"Item": item_id(wire, "UMSATZ19"), "AmountFC": 1.0}],
    }
    refused = await wire.post(INVOICES, body)
    assert refused.status_code == 400 and "Type" in refused.json()["error"]["message"]["value"]
    assert len(wire.rows(INVOICES)) == before


async def test_direct_invoices_need_a_warehouse(wire: Wire) -> None:
    line = {"Item": item_id(wire, "UMSATZ19"), "AmountFC": 10.0}
    body = {"OrderedBy": customer(wire), "Type": 8023, "SalesInvoiceLines": [line]}
    refused = await wire.post(INVOICES, body)
    assert refused.json()["error"]["message"]["value"] == "Mandatory: Warehouse"
    warehouse = wire.rows("inventory/Warehouses")[0]["ID"]
    made = await invoice(wire, line, Type=8024, Warehouse=warehouse)
    assert made["Type"] == 8024 and made["AmountFC"] == 11.9


async def test_sales_entry_lines_compute_or_keep_the_vat(wire: Wire) -> None:
    gl = wire.rows("salesentry/SalesEntryLines")[0]["GLAccount"]
    body = {
        "Customer": customer(wire),
        "Journal": "70",
        "SalesEntryLines": [
            {"AmountFC": 100.0, "GLAccount": gl, "VATCode": "2"},
            {"AmountFC": 200.0, "GLAccount": gl, "VATCode": "1", "VATAmountFC": 37.99},
        ],
    }
    made = await wire.post(ENTRIES, body)
    assert made.status_code == 201, made.text
    key = made.json()["d"]["EntryID"]
    entry = (await wire.get(f"{ENTRIES}(guid'{key}')", **{"$expand": "SalesEntryLines"})).json()
    first, second = entry["d"]["SalesEntryLines"]["results"]
    assert (first["VATPercentage"], first["VATAmountFC"]) == (0.07, 7.0)
    assert (second["VATPercentage"], second["VATAmountFC"]) == (0.19, 37.99)
    assert (entry["d"]["VATAmountFC"], entry["d"]["AmountFC"]) == (44.99, 344.99)


async def test_a_line_posted_on_its_own_is_priced_and_totalled(wire: Wire) -> None:
    key = await priced_item(wire, "PRICED-5", 20.0)
    made = await order(wire, {"Item": key, "Quantity": 1})
    added = await wire.post(
        "salesorder/SalesOrderLines", {"OrderID": made["OrderID"], "Item": key, "Quantity": 2}
    )
    assert added.status_code == 201, added.text
    assert (added.json()["d"]["AmountFC"], added.json()["d"]["LineNumber"]) == (40.0, 2)
    again = (await wire.get(f"{ORDERS}(guid'{made['OrderID']}')")).json()["d"]
    assert (again["AmountFCExclVat"], again["AmountFC"]) == (60.0, 71.4)


async def test_changing_an_invoice_type_is_checked_too(wire: Wire) -> None:
    made = await invoice(wire, {"Item": item_id(wire, "UMSATZ19"), "AmountFC": 10.0})
    key = made["InvoiceID"]
    assert (await wire.put(INVOICES, key, {"Type": 9999})).status_code == 400
    assert wire.one(INVOICES, InvoiceID=key)["Type"] == 8020
    assert (await wire.put(INVOICES, key, {"Type": 8021})).status_code == 204
    changed = wire.one(INVOICES, InvoiceID=key)
    assert (changed["Type"], changed["TypeDescription"]) == (8021, "Sales credit note")
