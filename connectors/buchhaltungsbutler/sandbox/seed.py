"""Deterministic seed data for the BuchhaltungsButler sandbox: the tenant's parties.

``seed_records(seed, records)`` builds, from one ``random.Random(seed)``, the same tenant every
time: ``records`` debtors from DE/NL/BE/AT (EU) and CH/GB/US (export), companies with and
without a contact person and private persons (umlauts, accents, house-number additions like
``12a``, ``263 A``, ``45 bus 3``, ``23/4/12``, number-first ``221B Baker Street``;
check-digit-valid EU VAT ids on EU companies, Swiss UIDs in ``uid_ch``, valid IBANs), and
``records // 4`` creditors (at least 4, EU only). The receipts, their postings and the
payments that settled them come from ``seed_receipts.book_receipts``. All dates lie in 2025;
nothing depends on the wall clock, and ``records`` may be 0.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from mapwright.connectors.buchhaltungsbutler.sandbox.seed_receipts import book_receipts
from stdnum import iban
from stdnum.at import uid
from stdnum.ch import uid as ch_uid
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
    eu: bool = True
    number_first: bool = False  # "221B Baker Street"
    weight: int = 10


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
        weight=40,
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
        weight=14,
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
        weight=12,
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
        weight=12,
    ),
    Country(
        "CH",
        "ch",
        ("Urs", "Regula", "Beat", "Nadine", "Reto", "Corinne"),
        ("Meier", "Keller", "Brunner", "Zürcher", "Gerber", "Frei"),
        ("Uhrenatelier", "Käserei", "Treuhand", "Metallbau", "Velohandel"),
        ("AG", "GmbH", "Sàrl"),
        ("Bahnhofstrasse", "Marktgasse", "Rue du Rhône", "Seestrasse"),
        ("12", "3a", "47", "108"),
        (("8001", "Zürich"), ("3011", "Bern"), ("1204", "Genève"), ("4051", "Basel")),
        eu=False,
        weight=6,
    ),
    Country(
        "GB",
        "co.uk",
        ("Oliver", "Amelia", "Harry", "Isla", "George", "Sian"),
        ("Smith", "O'Brien", "Taylor", "Davies", "Wright", "Hughes"),
        ("Engineering", "Trading", "Print", "Joinery", "Foods"),
        ("Ltd", "LLP", "plc"),
        ("Baker Street", "High Street", "Station Road", "Victoria Road"),
        ("221B", "14", "7a", "310"),
        (("NW1 6XE", "London"), ("M1 1AE", "Manchester"), ("EH1 1YZ", "Edinburgh")),
        eu=False,
        number_first=True,
        weight=4,
    ),
    Country(
        "US",
        "com",
        ("James", "Emily", "Michael", "Olivia", "Daniel", "Grace"),
        ("Johnson", "Miller", "Garcia", "Anderson", "Thompson", "Walker"),
        ("Supply", "Manufacturing", "Imports", "Tools", "Outfitters"),
        ("Inc.", "LLC", "Corp."),
        ("Main Street", "Oak Avenue", "Market Street", "Lake Shore Drive"),
        ("1600", "42", "875", "12"),
        (("10001", "New York"), ("60601", "Chicago"), ("94103", "San Francisco")),
        eu=False,
        number_first=True,
        weight=4,
    ),
)
EU_COUNTRIES = tuple(c for c in COUNTRIES if c.eu)
BY_CODE = {c.code: c for c in COUNTRIES}

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
    "4970": ("Nebenkosten des Geldverkehrs", "postingaccount", None),
    "8100": ("Steuerfreie Umsätze § 4 Nr. 8 ff. UStG", "postingaccount", None),
    "8120": ("Steuerfreie Umsätze § 4 Nr. 1a UStG (Ausfuhr Drittland)", "postingaccount", None),
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
    transactions: list[dict[str, Any]] = field(default_factory=list)
    assignments: list[dict[str, Any]] = field(default_factory=list)


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
    """A VAT id with a valid check digit for ``country`` (an EU country)."""
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


def swiss_uid(rng: random.Random) -> str:
    """A Swiss enterprise number (UID) with its check digit, as ``CHE-123.456.789``."""
    while True:
        body = str(rng.randint(10_000_000, 99_999_999))
        check = ch_uid.calc_check_digit(body)
        if check != "10":
            return ch_uid.format(f"CHE{body}{check}")


def iban_for(rng: random.Random, country: str) -> str:
    """A valid IBAN for ``country`` ("" where IBANs are not used, the US)."""
    lengths = {"DE": 18, "NL": 14, "BE": 12, "AT": 16, "CH": 17, "GB": 18}
    if country not in lengths:
        return ""
    bban = "".join(str(rng.randint(0, 9)) for _ in range(lengths[country]))
    if country == "NL":
        bban = "INGB" + bban[4:]
    if country == "GB":
        bban = "NWBK" + bban[4:]
    if country == "BE":  # a known bank code, and the account's own mod-97 check
        bban = "320" + bban[3:]
        check = int(bban[:10]) % 97 or 97
        bban = f"{bban[:10]}{check:02d}"
    return f"{country}{iban.calc_check_digits(f'{country}00{bban}')}{bban}"


def master_record(
    rng: random.Random,
    kind: str,
    number: int,
    names: set[str],
    countries: tuple[Country, ...] = COUNTRIES,
) -> dict[str, Any]:
    """One debtor/creditor in the shape of BB's list view."""
    country = rng.choices(countries, weights=[c.weight for c in countries])[0]
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
    eu_business = country.eu and company and (country.code != "DE" or rng.random() < 0.5)
    street, number_text = rng.choice(country.streets), rng.choice(country.numbers)
    return {
        "type": "debitor" if kind == "debtor" else "creditor",
        "name": name,
        "postingaccount_number": str(number),
        "contact_person_name": contact,
        "street": f"{number_text} {street}" if country.number_first else f"{street} {number_text}",
        "additional_addressline": "Hinterhaus" if rng.random() < 0.1 else "",
        "zip": postcode,
        "city": city,
        "country": country.code,
        "customer_number": (f"K-{number - 9000}" if rng.random() < 0.5 else "")
        if kind == "debtor"
        else None,
        "sales_tax_id_eu": vat_id(rng, country.code) if eu_business else "",
        "email": email if rng.random() < 0.9 else "",
        "uid_ch": swiss_uid(rng) if country.code == "CH" and company else None,
        "iban": iban_for(rng, country.code) if rng.random() < 0.5 else "",
        "bic": "",
        "import_pending": 0,
    }


def seed_records(seed: int, records: int) -> Seed:
    """The whole seeded tenant for ``seed`` (same input, same output)."""
    rng = random.Random(seed)
    data = Seed()
    names: set[str] = set()
    records = max(0, records)
    data.debtors = [master_record(rng, "debtor", 10001 + i, names) for i in range(records)]
    creditor_count = max(4, records // 4)
    data.creditors = [
        master_record(rng, "creditor", 70001 + i, names, EU_COUNTRIES)
        for i in range(creditor_count)
    ]
    books = book_receipts(rng, data.debtors, data.creditors, records)
    data.receipts, data.postings = books.receipts, books.postings
    data.transactions, data.assignments = books.transactions, books.assignments
    return data
