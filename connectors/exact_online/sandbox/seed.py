"""Deterministic seed data: the same ``seed`` and ``records`` give the same division.

A German division (currency EUR, the VAT codes of ``VAT_CODES``). Companies and private
persons from DE, NL, BE and AT (umlauts, ``ß``, house-number additions such as ``12a``,
``123-II``, ``16 bus 3``, ``45/3/12``), each with contacts and visit/invoice/delivery
addresses; EU companies with a VAT id default to the intra-EU code "4", everyone else to "1".
Item groups; stock items (VAT code "1") whose variants are separate Items grouped by
``Class_01`` (Exact has no variant entity) with extra-field values, pictures, barcodes, an
active ``SalesItemPrices`` row each (EUR, no Account; ``StandardSalesPrice`` mirrors it) and
stock in two warehouses; the bookkeeping items UMSATZ19/UMSATZ7/UMSATZ0 without a price;
payment conditions, shipping methods, a sales journal; sales orders with a shipping method
(some partly or fully delivered, a few with back-to-back ``ReservedStock``), goods deliveries
carrying their order's shipping method, invoices, a credit note and sales entries. Documents
are created through the same ``Rules`` the API uses, so totals, numbers and stock agree.
``records`` 0 gives the setup data only (no relations, stock items or documents).
"""

from __future__ import annotations

import random
from typing import Any

from mapwright.connectors.exact_online.sandbox.rules import Rules
from mapwright.connectors.exact_online.sandbox.state import Store, new_guid

COUNTRIES: dict[str, dict[str, Any]] = {
    "DE": {
        "first": ["Jürgen", "Björn", "Käthe", "Jörg", "Sören", "Uwe", "Änne", "Günther"],
        "last": ["Müller", "Größ", "Schäfer", "Köhler", "Weiß", "Brühl", "Hoß", "Lübke"],
        "company": ["{} Bäckerei GmbH", "{} & Söhne KG", "Büromöbel {} AG", "{} Gärtnerei e.K."],
        "street": ["Hauptstraße {}a", "Königsallee {}", "Mühlenweg {}b", "Schloßstraße {}-{}"],
        "city": [
            ("10115", "Berlin"),
            ("80331", "München"),
            ("50667", "Köln"),
            ("20095", "Hamburg"),
        ],
        "vat": "DE{:09d}",
    },
    "NL": {
        "first": ["Joël", "Anouk", "Daan", "Inés", "Sven", "Fenna", "Ruud", "Lotte"],
        "last": [
            "de Vries",
            "van den Berg",
            "Jansen",
            "Bakker",
            "Visser",
            "van Dijk",
            "Smit",
            "de Jong",
        ],
        "company": ["{} B.V.", "Handelsonderneming {}", "{} Installatietechniek", "{} V.O.F."],
        "street": ["Keizersgracht {}-II", "Dorpsstraat {} A", "Kerkweg {}bis", "Marktplein {}-1"],
        "city": [
            ("1015 CJ", "Amsterdam"),
            ("3011 AD", "Rotterdam"),
            ("3511 LN", "Utrecht"),
            ("9711 LM", "Groningen"),
        ],
        "vat": "NL{:09d}B01",
    },
    "BE": {
        "first": ["Amélie", "Thibaut", "Zoë", "Noël", "Maëlle", "Jef", "Chloé", "Wouter"],
        "last": [
            "Peeters",
            "Dubois",
            "Janssens",
            "Lemaître",
            "Maes",
            "Claes",
            "Goossens",
            "Lambrechts",
        ],
        "company": ["{} BV", "{} SRL", "Brasserie {}", "{} & Fils SA"],
        "street": [
            "Rue de la Loi {} bus 3",
            "Meir {}/2",
            "Chaussée de Gand {}A",
            "Kerkstraat {} b1",
        ],
        "city": [("1000", "Bruxelles"), ("2000", "Antwerpen"), ("9000", "Gent"), ("4000", "Liège")],
        "vat": "BE0{:09d}",
    },
    "AT": {
        "first": [
            "Jürgen",
            "Theresa",
            "Kärntner",
            "Lukas",
            "Sophie",
            "Matthäus",
            "Hannelore",
            "Dominik",
        ],
        "last": ["Gruber", "Huber", "Bauer", "Wagner", "Pichler", "Steiner", "Moser", "Höller"],
        "company": ["{} GmbH", "Tischlerei {} OG", "{} Weinbau KG", "Café {}"],
        "street": [
            "Mariahilfer Straße {}/3/12",
            "Getreidegasse {}",
            "Ringstraße {}/Top 4",
            "Landstraßer Hauptstraße {}a",
        ],
        "city": [("1060", "Wien"), ("5020", "Salzburg"), ("8010", "Graz"), ("6020", "Innsbruck")],
        "vat": "ATU{:08d}",
    },
}

PREFIX = {"DE": 49, "NL": 31, "BE": 32, "AT": 43}

#: a German division's VAT codes: code, description, fraction, Type, VATTransactionType,
#: EUSalesListing, Charged (issue 9 contract)
VAT_CODES = (
    ("1", "Umsatzsteuer 19 %", 0.19, "E", "S", "N", False),
    ("2", "Umsatzsteuer 7 %", 0.07, "E", "S", "N", False),
    ("0", "Steuerfrei Inland 0 %", 0.0, "B", "S", "N", False),
    ("4", "Innergemeinschaftliche Lieferung 0 % (EU)", 0.0, "B", "S", "L", True),
    ("5", "Sonstige Leistung EU, Reverse Charge 0 %", 0.0, "B", "S", "S", True),
    ("6", "Ausfuhrlieferung Drittland 0 %", 0.0, "B", "S", "N", False),
    ("11", "Vorsteuer 19 %", 0.19, "E", "P", "N", False),
    ("12", "Vorsteuer 7 %", 0.07, "E", "P", "N", False),
)
#: prices are valid from this day on (2020-01-01, ms)
PRICES_FROM = 1_577_836_800_000

PRODUCTS = [
    ("SHIRT", "Funktionsshirt Trägerlos", ["S", "M", "L", "XL"], "Größe"),
    ("MUG", "Kaffeebecher Grün", [], ""),
    ("SHOE", "Wanderschuh Höhenweg", ["40", "41", "42", "43"], "Größe"),
    ("LAMP", "Leeslamp Messing", ["Zwart", "Wit"], "Kleur"),
    ("SCARF", "Écharpe laine mérinos", [], ""),
    ("BAG", "Rucksack Übersee 30 l", ["Blau", "Rot"], "Farbe"),
]


def _ean(rng: random.Random) -> str:
    digits = [rng.randrange(10) for _ in range(12)]
    check = (10 - sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10) % 10
    return "".join(map(str, digits)) + str(check)


def seed_division(store: Store, rules: Rules, rng: random.Random, records: int) -> None:
    """Fill an empty store with one division's data."""
    put = store.put
    stamp = rules.stamp
    warehouses = []
    for code, name, main in (("1", "Hauptlager", 1), ("2", "Magazijn Utrecht", 0)):
        row: dict[str, Any] = {"ID": new_guid(rng), "Code": code, "Description": name, "Main": main}
        stamp(row, True)
        warehouses.append(put("inventory/Warehouses", row["ID"], row))
    for code, desc, pct, kind, side, listing, charged in VAT_CODES:
        rules.create(
            "vat/VATCodes",
            {
                "Code": code,
                "Description": desc,
                "Type": kind,
                "Percentage": pct,
                "VATTransactionType": side,
                "EUSalesListing": listing,
                "Charged": charged,
                "IsBlocked": False,
            },
        )
    for code, desc, days, method in (
        ("00", "Direct", 0, "K"),
        ("14", "14 dagen", 14, "B"),
        ("30", "30 dagen", 30, "B"),
        ("SD", "Lastschrift", 7, "I"),
    ):
        rules.create(
            "cashflow/PaymentConditions",
            {"Code": code, "Description": desc, "PaymentDays": days, "PaymentMethod": method},
        )
    shipping = []
    for code, desc, url in (
        ("DHL", "DHL Paket", "https://www.dhl.de/track?{}"),
        ("POSTNL", "PostNL Pakket", "https://postnl.nl/tracktrace/?{}"),
        ("DPD", "DPD Classic", "https://tracking.dpd.de/{}"),
        ("PICKUP", "Afhalen / Abholung", ""),
    ):
        row = {
            "ID": new_guid(rng),
            "Code": code,
            "Description": desc,
            "Active": True,
            "TrackingURL": url or None,
        }
        stamp(row, True)
        shipping.append(put("sales/ShippingMethods", row["ID"], row))
    journal: dict[str, Any] = {
        "ID": new_guid(rng),
        "Code": "70",
        "Description": "Verkoopboek",
        "Type": 20,
    }
    stamp(journal, True)
    put("financial/Journals", journal["ID"], journal)
    groups = []
    for code, desc in (("TEX", "Textilien"), ("HOME", "Wonen & Keuken"), ("OUT", "Outdoor")):
        row = {"ID": new_guid(rng), "Code": code, "Description": desc, "IsDefault": 0}
        stamp(row, True)
        groups.append(put("logistics/ItemGroups", row["ID"], row))

    if records > 0:
        items = _items(rules, rng, groups, warehouses, records)
        accounts = _accounts(rules, rng, records)
        customers = [a for a in accounts if a.get("Status") == "C"]
        _documents(rules, rng, customers, items, shipping, records)
    _revenue_items(rules)


def _revenue_items(rules: Rules) -> None:
    """Non-stock items that book revenue per German VAT rate: what a bookkeeping-driven
    order flow (BuchhaltungsButler receipts have no article lines) puts on invoice lines."""
    for code, text, vat in (
        ("UMSATZ19", "Umsatz 19 % USt", "1"),
        ("UMSATZ7", "Umsatz 7 % USt", "2"),
        ("UMSATZ0", "Umsatz steuerfrei", "0"),
    ):
        rules.create(
            "logistics/Items",
            {
                "Code": code,
                "Description": text,
                "SalesVatCode": vat,
                "IsSalesItem": True,
                "IsStockItem": False,
                "IsWebshopItem": 0,
            },
        )


def _items(
    rules: Rules,
    rng: random.Random,
    groups: list[dict[str, Any]],
    warehouses: list[dict[str, Any]],
    records: int,
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    n = 0
    while len(items) < max(records, 6):
        base, desc, variants, axis = PRODUCTS[n % len(PRODUCTS)]
        serial = n // len(PRODUCTS) + 1
        code = f"{base}-{serial:03d}"
        price = round(rng.uniform(5, 150), 2)
        group = groups[n % len(groups)]
        options: list[str | None] = list(variants) or [None]
        for variant in options:
            item_code = f"{code}-{variant}" if variant else code
            text = f"{desc} {variant}" if variant else desc
            item = rules.create(
                "logistics/Items",
                {
                    "Code": item_code,
                    "Description": text[:60],
                    "ItemGroup": group["ID"],
                    "Barcode": _ean(rng),
                    "Class_01": code if variant else None,
                    "FreeTextField_01": variant,
                    "SalesVatCode": "1",
                    "ExtraDescription": f"{desc} — {axis} {variant}" if variant else None,
                    "NetWeight": round(rng.uniform(0.1, 3), 2),
                    "IsWebshopItem": 1,
                },
            )
            item["PictureName"] = f"{item_code.lower()}.jpg"
            item["PictureUrl"] = f"https://sandbox.invalid/docs/images/{item_code.lower()}.jpg"
            item["PictureThumbnailUrl"] = item["PictureUrl"].replace(".jpg", "_thumb.jpg")
            rules.store.put("logistics/Items", item["ID"], item)
            rules.create(
                "logistics/SalesItemPrices",
                {
                    "Item": item["ID"],
                    "Price": price,
                    "Currency": "EUR",
                    "Unit": "pc",
                    "StartDate": f"/Date({PRICES_FROM})/",
                },
            )
            for number, (label, value) in enumerate(
                ((axis or "Material", variant or "Baumwolle"), ("Herkunft", "EU")), start=1
            ):
                row = {
                    "ItemID": item["ID"],
                    "Number": number,
                    "Description": label,
                    "Value": value,
                    "Modified": rules.clock.ms(),
                }
                rules.store.put("read/logistics/ItemExtraField", f"{item['ID']}:{number}", row)
            for wh in warehouses:
                rules.move_stock(
                    item["ID"], current=float(rng.randrange(0, 80)), warehouse=wh["ID"]
                )
            items.append(item)
        n += 1
    return items


def _accounts(rules: Rules, rng: random.Random, records: int) -> list[dict[str, Any]]:
    accounts = []
    codes = list(COUNTRIES)
    for n in range(records):
        country = codes[n % len(codes)]
        data = COUNTRIES[country]
        first, last = rng.choice(data["first"]), rng.choice(data["last"])
        person = n % 3 == 2
        street = rng.choice(data["street"]).format(rng.randrange(1, 200), rng.randrange(1, 9))
        postcode, city = rng.choice(data["city"])
        name = f"{first} {last}" if person else rng.choice(data["company"]).format(last)
        account = rules.create(
            "crm/Accounts",
            {
                "Name": name,
                "Status": "P" if n % 7 == 6 else "C",
                "Country": country,
                "AddressLine1": street,
                "Postcode": postcode,
                "City": city,
                "Email": f"info{n}@example.{country.lower()}",
                "Phone": f"+{PREFIX[country]} {rng.randrange(10**7, 10**8)}",
                "VATNumber": None if person else data["vat"].format(rng.randrange(10**7, 10**8)),
                "ChamberOfCommerce": None if person else str(rng.randrange(10**7, 10**8)),
                "PaymentConditionSales": "14" if person else "30",
                "SalesVATCode": "1" if person or country == "DE" else "4",
                "Language": {"DE": "DE", "NL": "NL", "BE": "FR", "AT": "DE"}[country],
            },
        )
        people = (
            [(first, last)]
            if person
            else [(first, last), (rng.choice(data["first"]), rng.choice(data["last"]))]
        )
        for given, family in people:
            rules.create(
                "crm/Contacts",
                {
                    "Account": account["ID"],
                    "FirstName": given,
                    "LastName": family,
                    "Email": f"{given[0].lower()}.{n}@example.com",
                },
            )
        for kind in (1, 3, 4):
            rules.create(
                "crm/Addresses",
                {
                    "Account": account["ID"],
                    "Type": kind,
                    "Main": True,
                    "AddressLine1": street,
                    "Postcode": postcode,
                    "City": city,
                    "Country": country,
                },
            )
        accounts.append(account)
    return accounts


def _documents(
    rules: Rules,
    rng: random.Random,
    customers: list[dict[str, Any]],
    items: list[dict[str, Any]],
    shipping: list[dict[str, Any]],
    records: int,
) -> None:
    for n in range(max(records // 2, 1)):
        customer = customers[n % len(customers)]
        vat = customer["SalesVATCode"]
        chosen = rng.sample(items, k=min(len(items), rng.randrange(1, 4)))
        order = rules.create(
            "salesorder/SalesOrders",
            {
                "OrderedBy": customer["ID"],
                "YourRef": f"WEB-{10000 + n}",
                "Description": f"Webshop order {10000 + n}",
                "ShippingMethod": shipping[n % len(shipping)]["ID"],
                "PaymentCondition": "30",
                "SalesOrderLines": [
                    {"Item": i["ID"], "Quantity": float(rng.randrange(1, 4)), "VATCode": vat}
                    for i in chosen
                ],
            },
        )
        lines = [
            r
            for r in rules.store.table("salesorder/SalesOrderLines").values()
            if r["OrderID"] == order["OrderID"]
        ]
        if n % 5 == 2 and n % 3 != 0:
            _back_to_back(rules, lines[0])
        if n % 3 == 0:
            rules.create(
                "salesorder/GoodsDeliveries",
                {
                    "DeliveryDate": f"/Date({rules.clock.ms()})/",
                    "ShippingMethod": order["ShippingMethod"],
                    "TrackingNumber": f"JJD{rng.randrange(10**11, 10**12)}",
                    "GoodsDeliveryLines": [
                        {"SalesOrderLineID": r["ID"], "QuantityDelivered": r["Quantity"]}
                        for r in lines[: max(1, len(lines) - n % 2)]
                    ],
                },
            )
        if n % 4 == 0:
            invoice = rules.create(
                "salesinvoice/SalesInvoices",
                {
                    "OrderedBy": customer["ID"],
                    "YourRef": order["YourRef"],
                    "Journal": "70",
                    "SalesInvoiceLines": [
                        {
                            "Item": r["Item"],
                            "Quantity": r["Quantity"],
                            "UnitPrice": r["UnitPrice"],
                            "VATCode": vat,
                        }
                        for r in lines
                    ],
                },
            )
            if n % 8 == 4:  # a returned unit: Exact has no link field, Remarks names the invoice
                rules.create(
                    "salesinvoice/SalesInvoices",
                    {
                        "OrderedBy": customer["ID"],
                        "Type": 8021,
                        "YourRef": order["YourRef"],
                        "Journal": "70",
                        "Description": f"Gutschrift zu Rechnung {invoice['InvoiceNumber']}",
                        "Remarks": f"Rechnung {invoice['InvoiceNumber']}",
                        "SalesInvoiceLines": [
                            {
                                "Item": lines[0]["Item"],
                                "Quantity": -1.0,
                                "UnitPrice": lines[0]["UnitPrice"],
                                "VATCode": vat,
                            }
                        ],
                    },
                )
        if n % 5 == 0:
            rules.create(
                "salesentry/SalesEntries",
                {
                    "Customer": customer["ID"],
                    "Journal": "70",
                    "YourRef": f"POS-{n}",
                    "SalesEntryLines": [
                        {
                            "AmountFC": round(rng.uniform(10, 300), 2),
                            "GLAccount": new_guid(rng),
                            "VATCode": vat,
                        }
                    ],
                },
            )


def _back_to_back(rules: Rules, line: dict[str, Any]) -> None:
    """The line's goods came in on a purchase order for it: ReservedStock until delivery."""
    line["_reserved"] = line["Quantity"]
    rules.store.put("salesorder/SalesOrderLines", line["ID"], line)
    rules.move_stock(line["Item"], reserved=line["Quantity"])
