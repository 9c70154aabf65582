"""Deterministic seed data for the BuchhaltungsButler sandbox.

``seed_records(seed, records)`` builds, from one ``random.Random(seed)``, the same tenant every
time: ``records`` debtors from DE/NL/BE/AT (companies with and without a contact person, and
private persons; umlauts, accents, house-number additions like ``12a``, ``263 A``, ``45 bus 3``,
``23/4/12``; check-digit-valid VAT ids and IBANs), ``records // 4`` creditors (at least 4),
``records`` outbound and ``records // 2`` inbound receipts (paid and unpaid, 19/7/0 % VAT, EU
reverse charge at 0 %, credit notes linked to their invoice, one soft-deleted receipt) and the
postings of the booked receipts. Receipts refer to their debtor/creditor the way BB does: by
the ``counterparty`` name, and through the postings' debtor/creditor account numbers. All dates
lie in 2025; nothing depends on the wall clock.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from stdnum import iban
from stdnum.at import uid
from stdnum.iso7064 import mod_11_10

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Country:
    code: str
    tld: str
    first_names: tuple[str, ...]
    surnames: tuple[str, ...]
    trades: tuple[str, ...]
    forms: tuple[str, ...]
    streets: tuple[str, ...]
    numbers: tuple[str, ...]
    places: tuple[tuple[str, str], ...]


COUNTRIES = (
    Country(
        "DE",
        "de",
        ("Jürgen", "Sören", "Änne", "Günther", "Lea", "Björn", "Jörg", "Käthe"),
        ("Müller", "Schäfer", "Köhler", "Weiß", "Hübner", "Fürst", "Großmann", "Böhm", "Jäger"),
        ("Bäckerei", "Elektrotechnik", "Maschinenbau", "Gartenbau", "Druckerei", "Möbelhaus"),
        ("GmbH", "KG", "e.K.", "AG", "GmbH & Co. KG"),
        ("Hauptstraße", "Königsallee", "Lindenstraße", "Mühlenweg", "Am Schloßpark"),
        ("12a", "7-9", "103 b", "5/1", "44", "1"),
        (
            ("10115", "Berlin"),
            ("80331", "München"),
            ("50667", "Köln"),
            ("20095", "Hamburg"),
            ("01067", "Dresden"),
            ("97070", "Würzburg"),
        ),
    ),
    Country(
        "NL",
        "nl",
        ("Sanne", "Daan", "Eva", "Joëlle", "Bram", "Fenna"),
        ("van der Berg", "de Vries", "Jansen", "Bakker", "van Dijk", "van 't Veld", "Smit"),
        ("Handel", "Logistiek", "Bloemen", "Installatietechniek", "Bouw"),
        ("B.V.", "V.O.F."),
        ("Keizersgracht", "Prinsengracht", "Oudegracht", "Stationsweg"),
        ("263 A", "123-2", "45 hs", "12 III", "88-B", "7"),
        (("1015 CJ", "Amsterdam"), ("3511 AB", "Utrecht"), ("2511 BT", "Den Haag")),
    ),
    Country(
        "BE",
        "be",
        ("Lotte", "François", "Anaïs", "Wouter", "Noël", "Elise"),
        ("Peeters", "Janssens", "De Smet", "Dubois", "Lemaître", "Claes", "Vandenbroucke"),
        ("Bouw", "Chocolaterie", "Brasserie", "Transport", "Imprimerie"),
        ("BV", "SRL", "NV", "SA"),
        ("Kerkstraat", "Rue de la Loi", "Meir", "Grote Markt", "Chaussée de Wavre"),
        ("45 bus 3", "16/B2", "101 boîte 4", "9", "2A"),
        (("2000", "Antwerpen"), ("1000", "Bruxelles"), ("9000", "Gent"), ("4000", "Liège")),
    ),
    Country(
        "AT",
        "at",
        ("Maximilian", "Anna", "Lukas", "Sophie", "Jürgen", "Verena"),
        ("Gruber", "Huber", "Höller", "Pölzl", "Strauß", "Gößl", "Steiner"),
        ("Holzbau", "Weingut", "Tischlerei", "Konditorei", "Handels"),
        ("GmbH", "OG", "KG", "e.U."),
        ("Mariahilfer Straße", "Getreidegasse", "Herrengasse", "Landstraßer Hauptstraße"),
        ("23/4/12", "9/2", "114 Top 7", "3", "56/1/8"),
        (("1070", "Wien"), ("5020", "Salzburg"), ("8010", "Graz"), ("6020", "Innsbruck")),
    ),
)

#: SKR03 accounts the seed and the sandbox book on: number -> (name, type, subtype)
CHART: dict[str, tuple[str, str, str | None]] = {
    "1000": ("Kasse", "account", "cash"),
    "1200": ("Bank", "account", "bank/institution"),
    "1360": ("Geldtransit", "postingaccount", None),
    "1571": ("Abziehbare Vorsteuer 7 %", "postingaccount", None),
    "1576": ("Abziehbare Vorsteuer 19 %", "postingaccount", None),
    "1771": ("Umsatzsteuer 7 %", "postingaccount", None),
    "1776": ("Umsatzsteuer 19 %", "postingaccount", None),
    "3300": ("Wareneingang 7 % Vorsteuer", "postingaccount", None),
    "3400": ("Wareneingang 19 % Vorsteuer", "postingaccount", None),
    "3425": (
        "Innergemeinschaftlicher Erwerb 19 % Vorsteuer und 19 % Umsatzsteuer",
        "postingaccount",
        None,
    ),
    "4900": ("Sonstige betriebliche Aufwendungen", "postingaccount", None),
    "8125": (
        "Steuerfreie innergemeinschaftliche Lieferungen § 4 Nr. 1b UStG",
        "postingaccount",
        None,
    ),
    "8300": ("Erlöse 7 % USt", "postingaccount", None),
    "8400": ("Erlöse 19 % USt", "postingaccount", None),
    "10000": ("Debitoren (Sammelkonto)", "debtor collective", None),
    "70000": ("Kreditoren (Sammelkonto)", "creditor collective", None),
}
PAYMENT_ACCOUNTS = (("1200", "Geschäftskonto Sparkasse"), ("1000", "Kasse"))
#: posting VAT code -> DATEV tax key (what /postings/get reports as tax_key)
TAX_KEYS = {"19_vat": 3, "7_vat": 2, "19_pre": 9, "7_pre": 8, "19_both_2": 19, "0_none": None}


@dataclass
class Seed:
    debtors: list[dict[str, Any]] = field(default_factory=list)
    creditors: list[dict[str, Any]] = field(default_factory=list)
    receipts: list[dict[str, Any]] = field(default_factory=list)
    postings: list[dict[str, Any]] = field(default_factory=list)


def money(value: Decimal) -> str:
    return str(value.quantize(CENT, ROUND_HALF_UP))


def ascii_slug(text: str) -> str:
    """``Müller & Söhne`` -> ``mueller-soehne`` (for e-mail addresses)."""
    for umlaut, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, plain).replace(umlaut.upper(), plain.capitalize())
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = "".join(c if c.isalnum() else " " for c in text.lower()).split()
    return "-".join(words)


def vat_id(rng: random.Random, country: str) -> str:
    """A VAT id with a valid check digit for ``country``."""
    while True:
        if country == "DE":
            body = str(rng.randint(10_000_000, 99_999_999))
            return f"DE{body}{mod_11_10.calc_check_digit(body)}"
        if country == "AT":
            body = "U" + str(rng.randint(1_000_000, 9_999_999))
            return f"AT{body}{uid.calc_check_digit(body)}"
        if country == "BE":
            digits = rng.randint(2_000_000, 9_999_999)
            return f"BE0{digits}{97 - digits % 97:02d}"
        body = str(rng.randint(10_000_000, 99_999_999))
        check = sum((9 - i) * int(d) for i, d in enumerate(body)) % 11
        if check < 10:
            return f"NL{body}{check}B01"


def iban_for(rng: random.Random, country: str) -> str:
    lengths = {"DE": 18, "NL": 14, "BE": 12, "AT": 16}
    bban = "".join(str(rng.randint(0, 9)) for _ in range(lengths[country]))
    if country == "NL":
        bban = "INGB" + bban[4:]
    if country == "BE":  # a known bank code, and the account's own mod-97 check
        bban = "320" + bban[3:]
        check = int(bban[:10]) % 97 or 97
        bban = f"{bban[:10]}{check:02d}"
    return f"{country}{iban.calc_check_digits(f'{country}00{bban}')}{bban}"


def master_record(rng: random.Random, kind: str, number: int, names: set[str]) -> dict[str, Any]:
    """One debtor/creditor in the shape of BB's list view."""
    country = rng.choice(COUNTRIES)
    company = rng.random() < 0.6 or kind == "creditor"
    tries = 0
    while True:
        surname = rng.choice(country.surnames)
        first = rng.choice(country.first_names)
        if company:
            owner = surname[0].upper() + surname[1:]
            name = f"{owner} {rng.choice(country.trades)} {rng.choice(country.forms)}"
        else:
            name = f"{first} {surname}"
        tries += 1
        if tries > 50:  # the name pool of this country is used up: number the name
            name = f"{name} {tries}"
        if name not in names:
            names.add(name)
            break
    contact = (
        f"{rng.choice(country.first_names)} {surname}" if company and rng.random() < 0.7 else ""
    )
    postcode, city = rng.choice(country.places)
    domain = f"{ascii_slug(name if company else surname)}.{country.tld}"
    email = f"{'buchhaltung' if company else ascii_slug(first)}@{domain}"
    eu_business = company and (country.code != "DE" or rng.random() < 0.5)
    return {
        "type": "debitor" if kind == "debtor" else "creditor",
        "name": name,
        "postingaccount_number": str(number),
        "contact_person_name": contact,
        "street": f"{rng.choice(country.streets)} {rng.choice(country.numbers)}",
        "additional_addressline": "Hinterhaus" if rng.random() < 0.1 else "",
        "zip": postcode,
        "city": city,
        "country": country.code,
        "customer_number": (f"K-{number - 9000}" if rng.random() < 0.5 else "")
        if kind == "debtor"
        else None,
        "sales_tax_id_eu": vat_id(rng, country.code) if eu_business else "",
        "email": email if rng.random() < 0.9 else "",
        "uid_ch": None,
        "iban": iban_for(rng, country.code) if rng.random() < 0.5 else "",
        "bic": "",
        "import_pending": 0,
    }


def vat_rule(party: dict[str, Any], rng: random.Random, outbound: bool) -> tuple[Decimal, str, str]:
    """(rate, posting VAT code, revenue/expense account) for a receipt with ``party``."""
    reverse_charge = party["country"] != "DE" and bool(party["sales_tax_id_eu"])
    if reverse_charge:
        return (Decimal(0), "0_none", "8125") if outbound else (Decimal(0), "19_both_2", "3425")
    if rng.random() < 0.3:
        return Decimal(7), "7_vat" if outbound else "7_pre", "8300" if outbound else "3300"
    return Decimal(19), "19_vat" if outbound else "19_pre", "8400" if outbound else "3400"


def seed_records(seed: int, records: int) -> Seed:
    """The whole seeded tenant for ``seed`` (same input, same output)."""
    rng = random.Random(seed)
    data = Seed()
    names: set[str] = set()
    data.debtors = [master_record(rng, "debtor", 10001 + i, names) for i in range(records)]
    creditor_count = max(4, records // 4)
    data.creditors = [
        master_record(rng, "creditor", 70001 + i, names) for i in range(creditor_count)
    ]
    start = dt.date(2025, 1, 1)
    serial = {"RE": 0, "GS": 0}
    invoices_of: dict[str, list[dict[str, Any]]] = {}
    plan = [True] * records + [False] * (records // 2)
    for index, outbound in enumerate(plan):
        party = rng.choice(data.debtors if outbound else data.creditors)
        day = start + dt.timedelta(days=rng.randint(0, 330))
        rate, code, account = vat_rule(party, rng, outbound)
        earlier = invoices_of.get(party["postingaccount_number"], [])
        credit = bool(earlier) and rng.random() < 0.15
        net = Decimal(rng.randint(1_500, 480_000)) / 100
        gross = (net * (1 + rate / 100)).quantize(CENT, ROUND_HALF_UP)
        link = None
        if credit:
            original = rng.choice(earlier)
            gross = (Decimal(original["amount"]) * Decimal("0.2")).quantize(CENT)
            link = original["id"]
            day = max(day, dt.date.fromisoformat(original["date"]) + dt.timedelta(days=3))
        if outbound:
            prefix = "GS" if credit else "RE"
            serial[prefix] += 1
            number = f"{prefix}-2025-{serial[prefix]:04d}"
        else:
            number = rng.choice(("INV-{}", "{}", "F2025/{}", "R{}")).format(rng.randint(100, 99999))
        paid = rng.random() < 0.6
        paid_on = day + dt.timedelta(days=rng.randint(2, 30)) if paid else None
        uploaded = dt.datetime.combine(day, dt.time(8)) + dt.timedelta(minutes=rng.randint(0, 2880))
        last = dt.datetime.combine(paid_on, dt.time(9, 30)) if paid_on else uploaded
        receipt = {
            "id": index + 1,
            "type": f"{'credit' if credit else 'invoice'} {'outbound' if outbound else 'inbound'}",
            "counterparty": party["name"],
            "creditor_debtor": int(party["postingaccount_number"]),
            "invoicenumber": number,
            "date": day.isoformat(),
            "date_delivery": (day - dt.timedelta(days=rng.randint(0, 5))).isoformat(),
            "date_payment_due": (day + dt.timedelta(days=rng.choice((14, 30)))).isoformat(),
            "amount": money(gross),
            "currency": "EUR",
            "vat_rate": money(rate),
            "account": "1200" if paid else None,
            "payment_reference": None,
            "payment_date": paid_on.isoformat() if paid_on else None,
            "amount_paid": money(gross) if paid else "0.00",
            "deleted": False,
            "link": link,
            "offer": False,
            "filename": f"{ascii_slug(number) or 'beleg'}.pdf",
            "date_uploaded": uploaded.strftime("%Y-%m-%d %H:%M:%S"),
            "modified": last.strftime("%Y-%m-%d %H:%M:%S"),
        }
        data.receipts.append(receipt)
        if outbound and not credit:
            invoices_of.setdefault(party["postingaccount_number"], []).append(receipt)
        if paid or rng.random() < 0.5:
            data.postings.append(posting_for(receipt, account, code, len(data.postings) + 1))
    unpaid = [r for r in data.receipts if not r["payment_date"]]
    if unpaid:
        rng.choice(unpaid)["deleted"] = True
    return data


def posting_for(receipt: dict[str, Any], account: str, code: str, number: int) -> dict[str, Any]:
    """The posting that books ``receipt`` against its revenue or expense ``account``."""
    party = str(receipt["creditor_debtor"])
    outbound = receipt["type"].endswith("outbound")
    credit = receipt["type"].startswith("credit")
    debit, other = (party, account) if outbound else (account, party)
    if credit:
        debit, other = other, debit
    fixed = receipt["date"] < "2025-07-01"
    return {
        "id": number,
        "date": receipt["date"],
        "date_delivery": receipt["date_delivery"],
        "date_vat_effective": receipt["date"],
        "postingtext": f"{receipt['counterparty']} {receipt['invoicenumber']}",
        "amount": receipt["amount"],
        "currency": "EUR",
        "vat": code,
        "debit_postingaccount_number": debit,
        "credit_postingaccount_number": other,
        "receipt_id_by_customer": receipt["id"],
        "status": "fixed" if fixed else "confirmed",
        "cost_location": None,
        "cost_location_two": None,
        "comment": None,
        "date_last_action": receipt["modified"],
    }
