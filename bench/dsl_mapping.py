"""Benchmark: compiled mapping scripts vs hand-written Python, jq and JSONata.

Run: ``.venv/bin/pip install -e '.[bench]' && .venv/bin/python bench/dsl_mapping.py``

Prints records/s for each way of doing the same mapping, measured in this run, and the
ratio of the compiled script to hand-written Python dict code (the goal is >= 0.8x). The
machines are shared and noisy, so only ratios measured together mean anything.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from mapwright import dsl
from mapwright.dsl import MemoryResolver
from mapwright.dsl.jsonio import plain

# ---- data --------------------------------------------------------------------------------


def invoices(n: int, seed: int = 7) -> list[dict[str, Any]]:
    rnd = random.Random(seed)
    rows = []
    for i in range(n):
        lines = [
            {
                "ItemCode": f"SKU-{rnd.randint(1, 500)}",
                "Quantity": rnd.randint(1, 5),
                "UnitPrice": Decimal(rnd.randint(100, 9999)) / 100,
                "VATPercentage": rnd.choice([19, 7, 0]),
            }
            for _ in range(rnd.randint(1, 4))
        ]
        rows.append(
            {
                "InvoiceID": f"guid-{i}",
                "InvoiceNumber": 20260000 + i,
                "OrderNumber": 5000 + i,
                "InvoiceDate": "2026-11-25",
                "Currency": "EUR",
                "Description": f"Order {i}",
                "InvoiceToName": rnd.choice(["Müller GmbH", "Jan de Vries", "Bäckerei Huber KG"]),
                "InvoiceToContactPersonFullName": "Jana Müller",
                "YourRef": f"RE-{i}",
                "AmountDC": Decimal(rnd.randint(1000, 99999)) / 100,
                "VATAmountDC": Decimal("19.00"),
                "PaymentCondition": rnd.choice(["14", "30"]),
                "Status": 50,
                "Journal": "70",
                "DeliveryAddress": {
                    "Street": "Am Markt 3b",
                    "City": "Köln",
                    "Country": "DE",
                    "Postcode": "50667",
                },
                "SalesInvoiceLines": lines,
                "Email": f"kunde{i}@example.de",
                "Country": "DE",
            }
        )
    return rows


FIFTEEN = """
Id <- InvoiceID
Number <- InvoiceNumber
Order <- OrderNumber
Date <- InvoiceDate
Currency <- Currency
Description <- Description
Customer <- InvoiceToName
Contact <- InvoiceToContactPersonFullName
Reference <- YourRef
Amount <- AmountDC
Vat <- VATAmountDC
Street <- DeliveryAddress.Street
City <- DeliveryAddress.City
Country <- DeliveryAddress.Country
FirstItem <- SalesInvoiceLines[0].ItemCode
"""


def fifteen_by_hand(r: dict[str, Any]) -> dict[str, Any]:
    addr = r.get("DeliveryAddress") or {}
    lines = r.get("SalesInvoiceLines") or []
    return {
        "Id": r.get("InvoiceID"),
        "Number": r.get("InvoiceNumber"),
        "Order": r.get("OrderNumber"),
        "Date": r.get("InvoiceDate"),
        "Currency": r.get("Currency"),
        "Description": r.get("Description"),
        "Customer": r.get("InvoiceToName"),
        "Contact": r.get("InvoiceToContactPersonFullName"),
        "Reference": r.get("YourRef"),
        "Amount": r.get("AmountDC"),
        "Vat": r.get("VATAmountDC"),
        "Street": addr.get("Street"),
        "City": addr.get("City"),
        "Country": addr.get("Country"),
        "FirstItem": lines[0].get("ItemCode") if lines else None,
    }


FIFTEEN_JQ = (
    "{Id: .InvoiceID, Number: .InvoiceNumber, Order: .OrderNumber, Date: .InvoiceDate, "
    "Currency: .Currency, Description: .Description, Customer: .InvoiceToName, "
    "Contact: .InvoiceToContactPersonFullName, Reference: .YourRef, Amount: .AmountDC, "
    "Vat: .VATAmountDC, Street: .DeliveryAddress.Street, City: .DeliveryAddress.City, "
    "Country: .DeliveryAddress.Country, FirstItem: .SalesInvoiceLines[0].ItemCode}"
)
FIFTEEN_JSONATA = (
    "{'Id': InvoiceID, 'Number': InvoiceNumber, 'Order': OrderNumber, "
    "'Date': InvoiceDate, 'Currency': Currency, 'Description': Description, "
    "'Customer': InvoiceToName, 'Contact': InvoiceToContactPersonFullName, "
    "'Reference': YourRef, 'Amount': AmountDC, 'Vat': VATAmountDC, "
    "'Street': DeliveryAddress.Street, 'City': DeliveryAddress.City, "
    "'Country': DeliveryAddress.Country, 'FirstItem': SalesInvoiceLines[0].ItemCode}"
)

ORDER = """
setting vat_codes: table = { "DE:19": "3", "DE:7": "2", "DE:0": "0", "EU:0:reverse": "7" }
let customer = find(exact_online.accounts, Email = Email)
upsert exact_online.accounts as debtor match Email = normalize_email(Email) {
  Name <- InvoiceToName
  City <- DeliveryAddress.City
  Country <- country_code(DeliveryAddress.Country)
  VATNumber <- customer.VATNumber on create
}
create exact_online.sales_orders unless exists YourRef = YourRef {
  OrderedBy <- debtor.ID
  YourRef <- YourRef
  OrderDate <- to_exact_date(parse_date(InvoiceDate))
  Currency <- Currency ?? "EUR"
  Description <- truncate("Order {OrderNumber} " & Description, 60)
  SalesOrderLines <- each SalesInvoiceLines as l where l.Quantity > 0 {
    Item <- l.ItemCode
    Quantity <- l.Quantity
    NetPrice <- round_money(l.UnitPrice)
    VATCode <- vat_code(l.VATPercentage, Country, "person", settings.vat_codes)
    AmountFC <- round_money(l.UnitPrice * l.Quantity)
  }
}
"""

VAT = {"DE:19": "3", "DE:7": "2", "DE:0": "0", "EU:0:reverse": "7"}


def order_by_hand(r: dict[str, Any], accounts: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """The same order mapping written directly in Python (reusing the same helpers)."""
    from mapwright.dsl.functions.registry import REGISTRY as F

    email = str(r.get("Email"))
    found = accounts.get(email, [])
    customer = found[0] if found else {}
    addr = r.get("DeliveryAddress") or {}
    lines = []
    for line in r.get("SalesInvoiceLines") or []:
        if line["Quantity"] > 0:
            lines.append(
                {
                    "Item": line["ItemCode"],
                    "Quantity": line["Quantity"],
                    "NetPrice": F["round_money"].impl(line["UnitPrice"]),
                    "VATCode": F["vat_code"].impl(
                        line["VATPercentage"], r["Country"], "person", VAT
                    ),
                    "AmountFC": F["round_money"].impl(line["UnitPrice"] * line["Quantity"]),
                }
            )
    debtor = {
        "Name": r.get("InvoiceToName"),
        "City": addr.get("City"),
        "Country": F["country_code"].impl(addr.get("Country")),
    }
    if customer.get("VATNumber"):
        debtor["VATNumber"] = customer["VATNumber"]
    return {
        "debtor": (F["normalize_email"].impl(email), debtor),
        "order": {
            "OrderedBy": "debtor.ID",
            "YourRef": r["YourRef"],
            "OrderDate": F["to_exact_date"].impl(F["parse_date"].impl(r["InvoiceDate"])),
            "Currency": r.get("Currency") or "EUR",
            "Description": F["truncate"].impl(f"Order {r['OrderNumber']} {r['Description']}", 60),
            "SalesOrderLines": lines,
        },
    }


# ---- timing ------------------------------------------------------------------------------


def best_rate(fn: Callable[[], object], n: int, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return n / min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rows = invoices(args.records)
    print(f"{args.records:,} records, best of {args.repeat}\n")

    script = dsl.compile(FIFTEEN, name="fifteen.map")
    assert plain(script.run(rows[0]).output) == plain(fifteen_by_hand(rows[0]))
    run = script.run
    results = {
        "hand-written Python": best_rate(
            lambda: [fifteen_by_hand(r) for r in rows], len(rows), args.repeat
        ),
        "mapwright script": best_rate(lambda: [run(r) for r in rows], len(rows), args.repeat),
    }
    floats = [plain(r) for r in rows[:5000]]  # the peers take floats, not Decimals
    for r in floats:
        r["AmountDC"] = float(r["AmountDC"])
        r["VATAmountDC"] = float(r["VATAmountDC"])
        for line in r["SalesInvoiceLines"]:
            line["UnitPrice"] = float(line["UnitPrice"])
    try:
        import jq

        prog = jq.compile(FIFTEEN_JQ)
        results["jq (python binding)"] = best_rate(
            lambda: [prog.input_value(r).first() for r in floats], len(floats), args.repeat
        )
    except ImportError:
        print("jq not installed: pip install -e '.[bench]'")
    try:
        import jsonata

        expr = jsonata.Jsonata(FIFTEEN_JSONATA)
        sample = floats[:1000]
        results["jsonata-python"] = best_rate(
            lambda: [expr.evaluate(r) for r in sample], len(sample), max(1, args.repeat // 2)
        )
    except ImportError:
        print("jsonata-python not installed: pip install -e '.[bench]'")

    base = results["hand-written Python"]
    print("15-field mapping                 records/s   vs hand-written")
    for name, rate in results.items():
        print(f"  {name:<28} {rate:>11,.0f}   {rate / base:5.2f}x")

    accounts: dict[str, list[dict[str, Any]]] = {
        r["Email"]: [{"Email": r["Email"], "VATNumber": "DE123456789"}] for r in rows[::3]
    }
    resolver = MemoryResolver({"exact_online.accounts": [a[0] for a in accounts.values()]})
    indexed = _IndexedResolver(accounts)
    order = dsl.compile(ORDER, name="order.map")
    check = order.run(rows[0], resolver=indexed)
    assert len(check.operations) == 2 and resolver is not None
    subset = rows[: max(1000, args.records // 4)]
    hand = best_rate(lambda: [order_by_hand(r, accounts) for r in subset], len(subset), args.repeat)
    ours = best_rate(
        lambda: [order.run(r, resolver=indexed) for r in subset], len(subset), args.repeat
    )
    print("\nfull order mapping (lookups, dates, VAT, lines)")
    print(f"  {'hand-written Python':<28} {hand:>11,.0f}   1.00x")
    print(f"  {'mapwright script':<28} {ours:>11,.0f}   {ours / hand:5.2f}x")

    lines = [f'F{i} <- upper(trim(field_{i} ?? "x")) & " " & text(n_{i} * 2)' for i in range(100)]
    hundred = "\n".join(lines) + "\n"
    samples = []
    for _ in range(20):
        start = time.perf_counter()
        assert dsl.lint(hundred) == []
        samples.append(time.perf_counter() - start)
    print(f"\nlint of a 100-line script: {statistics.median(samples) * 1000:.1f} ms (median of 20)")


class _IndexedResolver:
    """Answers lookups from a dict, like the engine's page resolver after its bulk fetch."""

    def __init__(self, by_email: dict[str, list[dict[str, Any]]]):
        self.by_email = by_email

    def find(self, lookup: dsl.Lookup) -> list[dict[str, Any]]:
        return self.by_email.get(lookup.value, [])


if __name__ == "__main__":
    main()
