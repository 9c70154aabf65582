"""Benchmark: compiled mapping scripts vs hand-written Python, jq and JSONata.

Run: ``.venv/bin/pip install -e '.[bench]' && .venv/bin/python bench/dsl_mapping.py``

Three mappings, each on the same records as hand-written Python that gives the same result:
a copy-only 15-field mapping, a realistic 15-field one (two ``/Date(ms)/`` dates, money
rounding, text, a multiplication, comparisons) and an order mapping (lookups, VAT, lines).
Each prints records/s of the hand-written code, of ``Script.run`` called per record and of
``Script.run_many``, and their ratio to hand-written (the goal is >= 0.8x). The machines are
shared and noisy, so only ratios measured together mean anything: the ways are timed in CPU
time, interleaved in short slices, best of ``--repeat`` rounds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import random
import re
import statistics
import time
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from caches import forget_values
from mapwright import dsl
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
                "ContactEmail": f" Kunde{i}@Example.DE ",
                "Country": "DE",
                "Created": f"/Date({1764028800000 + i * 3_600_000})/",
                "DueDate": f"/Date({1764028800000 + i * 3_600_000 + 14 * 86_400_000})/",
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

REALISTIC = """
Id <- InvoiceID
Number <- text(InvoiceNumber)
InvoiceDate <- date(Created)
DueDate <- date(DueDate)
Currency <- upper(trim(Currency))
Customer <- trim(InvoiceToName)
Email <- lower(trim(ContactEmail))
Reference <- text(YourRef)
Amount <- money(AmountDC)
Vat <- round_money(VATAmountDC)
Gross <- round_money(AmountDC * 1.19)
Paid <- Status == 50
Large <- AmountDC > 500
City <- DeliveryAddress.City
Country <- DeliveryAddress.Country
"""
"""15 fields as a real integration writes them: two ``/Date(ms)/`` dates, money rounding,
text, a multiplication and comparisons."""

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_EXACT_DATE = re.compile(r"/Date\((-?\d+)([+-]\d{4})?\)/")
_CENT = Decimal("0.01")
_VAT_FACTOR = Decimal("1.19")


def _exact_day(value: Any) -> dt.date | None:
    """``/Date(ms)/`` (optionally ``/Date(ms+0100)/``) -> its UTC day, as written by hand."""
    found = _EXACT_DATE.fullmatch(value) if isinstance(value, str) else None
    if found is None:
        return None
    return (_EPOCH + dt.timedelta(milliseconds=int(found.group(1)))).date()


def _cents(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(_CENT, rounding=ROUND_HALF_UP)


def realistic_by_hand(r: dict[str, Any]) -> dict[str, Any]:
    addr = r.get("DeliveryAddress") or {}
    amount = r.get("AmountDC")
    return {
        "Id": r.get("InvoiceID"),
        "Number": str(r.get("InvoiceNumber")),
        "InvoiceDate": _exact_day(r.get("Created")),
        "DueDate": _exact_day(r.get("DueDate")),
        "Currency": r.get("Currency", "").strip().upper(),
        "Customer": r.get("InvoiceToName", "").strip(),
        "Email": r.get("ContactEmail", "").strip().lower(),
        "Reference": str(r.get("YourRef")),
        "Amount": _cents(amount),
        "Vat": _cents(r.get("VATAmountDC")),
        "Gross": None if amount is None else _cents(amount * _VAT_FACTOR),
        "Paid": r.get("Status") == 50,
        "Large": amount is not None and amount > 500,
        "City": addr.get("City"),
        "Country": addr.get("Country"),
    }


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


Way = Callable[[list[dict[str, Any]]], object]

CHUNK = 500
"""Records per timed slice: short slices are often not interrupted on a busy machine."""


def interleaved(
    ways: dict[str, Way], records: list[dict[str, Any]], rounds: int
) -> dict[str, float]:
    """Records/s of each way, in CPU time of this process (time other jobs take does not
    count). The records are timed in slices of ``CHUNK``; each round runs every way on a
    slice in turn (so a noisy neighbour slows all of them alike), and each slice counts with
    its best time over ``rounds`` rounds."""
    chunks = [records[i : i + CHUNK] for i in range(0, len(records), CHUNK)]
    best = {name: [float("inf")] * len(chunks) for name in ways}
    for _ in range(rounds):
        for index, chunk in enumerate(chunks):
            for name, fn in ways.items():
                forget_values()
                start = time.process_time()
                fn(chunk)
                best[name][index] = min(best[name][index], time.process_time() - start)
    return {name: len(records) / sum(times) for name, times in best.items()}


def ways(
    by_hand: Callable[[dict[str, Any]], object], script: dsl.Script, **options: Any
) -> dict[str, Way]:
    """Hand-written Python, ``Script.run`` per record and ``Script.run_many`` (when this
    version has it), each mapping a list of records."""
    run: Callable[[Any], object] = (
        functools.partial(script.run, **options) if options else script.run
    )
    found: dict[str, Way] = {
        "hand-written Python": lambda records: [by_hand(r) for r in records],
        "mapwright run (per record)": lambda records: [run(r) for r in records],
    }
    if hasattr(script, "run_many"):
        found["mapwright run_many"] = lambda records: list(script.run_many(records, **options))
    return found


def show(title: str, rates: dict[str, float]) -> None:
    base = rates["hand-written Python"]
    print(f"\n{title:<33}records/s   vs hand-written")
    for name, rate in rates.items():
        print(f"  {name:<30} {rate:>9,.0f}   {rate / base:5.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--no-peers", action="store_true", help="skip jq and JSONata")
    args = parser.parse_args()
    rows = invoices(args.records)
    print(f"{args.records:,} records, best of {args.repeat} interleaved rounds")

    script = dsl.compile(FIFTEEN, name="fifteen.map")
    assert plain(script.run(rows[0]).output) == plain(fifteen_by_hand(rows[0]))
    results = interleaved(ways(fifteen_by_hand, script), rows, args.repeat)
    if not args.no_peers:
        results.update(peers(rows, args.repeat))
    show("copy-only 15-field mapping", results)

    real = dsl.compile(REALISTIC, name="realistic.map")
    for r in rows[:100]:
        assert real.run(r).output == realistic_by_hand(r), r["InvoiceID"]
    rates = interleaved(ways(realistic_by_hand, real), rows, args.repeat)
    show("realistic 15-field mapping", rates)

    accounts: dict[str, list[dict[str, Any]]] = {
        r["Email"]: [{"Email": r["Email"], "VATNumber": "DE123456789"}] for r in rows[::3]
    }
    indexed = _IndexedResolver(accounts)
    order = dsl.compile(ORDER, name="order.map")
    check = order.run(rows[0], resolver=indexed)
    assert len(check.operations) == 2
    subset = rows[: max(1000, args.records // 4)]
    rates = interleaved(
        ways(lambda r: order_by_hand(r, accounts), order, resolver=indexed), subset, args.repeat
    )
    show("order mapping (lookups, VAT, lines)", rates)

    lines = [f'F{i} <- upper(trim(field_{i} ?? "x")) & " " & text(n_{i} * 2)' for i in range(100)]
    hundred = "\n".join(lines) + "\n"
    samples = []
    for _ in range(20):
        start = time.perf_counter()
        assert dsl.lint(hundred) == []
        samples.append(time.perf_counter() - start)
    print(f"\nlint of a 100-line script: {statistics.median(samples) * 1000:.1f} ms (median of 20)")


def peers(rows: list[dict[str, Any]], repeat: int) -> dict[str, float]:
    """jq and JSONata on the copy-only mapping (they take floats, not Decimals)."""
    results = {}
    floats = [plain(r) for r in rows[:5000]]
    for r in floats:
        r["AmountDC"] = float(r["AmountDC"])
        r["VATAmountDC"] = float(r["VATAmountDC"])
        for line in r["SalesInvoiceLines"]:
            line["UnitPrice"] = float(line["UnitPrice"])
    try:
        import jq

        prog = jq.compile(FIFTEEN_JQ)
        results["jq (python binding)"] = best_rate(
            lambda: [prog.input_value(r).first() for r in floats], len(floats), repeat
        )
    except ImportError:
        print("jq not installed: pip install -e '.[bench]'")
    try:
        import jsonata

        expr = jsonata.Jsonata(FIFTEEN_JSONATA)
        sample = floats[:1000]
        results["jsonata-python"] = best_rate(
            lambda: [expr.evaluate(r) for r in sample], len(sample), max(1, repeat // 2)
        )
    except ImportError:
        print("jsonata-python not installed: pip install -e '.[bench]'")
    return results


class _IndexedResolver:
    """Answers lookups from a dict, like the engine's page resolver after its bulk fetch."""

    def __init__(self, by_email: dict[str, list[dict[str, Any]]]):
        self.by_email = by_email

    def find(self, lookup: dsl.Lookup) -> list[dict[str, Any]]:
        return self.by_email.get(lookup.value, [])


if __name__ == "__main__":
    main()
