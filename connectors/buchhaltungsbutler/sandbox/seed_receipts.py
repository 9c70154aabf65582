"""Seeded receipts, the postings that booked them and the bank payments that settled them.

``book_receipts(rng, debtors, creditors, records)`` makes ``records`` outbound receipts (to
debtors) and ``records // 2`` inbound ones (from creditors). What a flow author can rely on
(``docs/connectors/sandboxes.md`` has the same list):

- every receipt names a seeded party: ``counterparty`` is its name and ``creditor_debtor`` its
  account number; every amount is in EUR (export customers are invoiced in EUR too);
- outbound VAT cases, by the customer: *domestic* (a German customer, or an EU customer without
  VAT id) at 19 %, 7 %, mixed 19 % + 7 % (``vat_rate`` None, always booked) or, for German
  customers, 0 % tax-exempt (account 8100); *intra-EU* (NL/BE/AT with a valid
  ``sales_tax_id_eu``) at 0 % (account 8125); *export* (CH/GB/US) at 0 % (account 8120);
- credit notes are ``credit outbound`` with a **positive** amount (BB marks a reversal with a
  negative amount, a credit note by its type), ``link`` to the invoice they credit (same
  customer, same VAT split, 10-100 % of it, dated later); at most one per invoice;
- booked receipts have postings: one per line, gross amounts that add up to the receipt's
  amount to the cent, VAT code ``19_vat``/``7_vat``/``0_none`` matching the line's rate
  (inbound: ``19_pre``/``7_pre``, ``19_both_2`` for intra-EU acquisitions at rate 0);
  credit notes book the other way round; unbooked receipts have none and a single rate;
- payments are transactions on account 1200 assigned to their receipt: paid on time, paid
  late (after the due date: the receipt's last-modified time is the payment's), partly paid
  (``amount_paid`` below ``amount``: unpaid for ``payment_status``), or unpaid; refunds of credit
  notes and supplier payments are outgoing (negative); a few bank fees are not assigned;
- one unpaid, unbooked outbound invoice is soft-deleted.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")
YEAR_START = dt.date(2025, 1, 1)
YEAR_END = dt.date(2025, 12, 31)
BANK = "1200"
EU = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)

#: line kind -> (rate, posting VAT code, revenue/expense account, line texts)
LINE_KINDS: dict[str, tuple[Decimal, str, str, tuple[str, ...]]] = {
    "19": (Decimal(19), "19_vat", "8400", ("Warenlieferung", "Montage", "Wartung", "Versand")),
    "7": (Decimal(7), "7_vat", "8300", ("Bücher", "Lebensmittel", "Zeitschriften")),
    "exempt": (Decimal(0), "0_none", "8100", ("Schulung (steuerfrei, § 4 Nr. 21 UStG)",)),
    "eu": (Decimal(0), "0_none", "8125", ("Innergemeinschaftliche Lieferung",)),
    "export": (Decimal(0), "0_none", "8120", ("Ausfuhrlieferung",)),
    "in19": (Decimal(19), "19_pre", "3400", ("Wareneingang", "Büromaterial")),
    "in7": (Decimal(7), "7_pre", "3300", ("Wareneingang Lebensmittel",)),
    "acquisition": (Decimal(0), "19_both_2", "3425", ("Innergemeinschaftlicher Erwerb",)),
}


@dataclass(frozen=True)
class Line:
    kind: str
    text: str
    gross: Decimal

    @property
    def rate(self) -> Decimal:
        return LINE_KINDS[self.kind][0]


@dataclass
class Books:
    receipts: list[dict[str, Any]] = field(default_factory=list)
    postings: list[dict[str, Any]] = field(default_factory=list)
    transactions: list[dict[str, Any]] = field(default_factory=list)
    assignments: list[dict[str, Any]] = field(default_factory=list)
    #: (booking time, transaction without id, receipt id or None), numbered at the end
    payments: list[tuple[str, dict[str, Any], int | None]] = field(default_factory=list)


def money(value: Decimal) -> str:
    return str(value.quantize(CENT, ROUND_HALF_UP))


def stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def vat_case(party: dict[str, Any]) -> str:
    """``domestic``, ``eu`` (intra-EU delivery to a business with VAT id) or ``export``."""
    if party["country"] not in EU:
        return "export"
    if party["country"] != "DE" and party["sales_tax_id_eu"]:
        return "eu"
    return "domestic"


def outbound_lines(rng: random.Random, party: dict[str, Any]) -> list[Line]:
    case = vat_case(party)
    if case != "domestic":
        kinds = [case]
    else:
        draw = rng.random()
        if draw < 0.12:
            kinds = ["19", "7"]
        elif draw < 0.37:
            kinds = ["7"]
        elif draw < 0.45 and party["country"] == "DE":
            kinds = ["exempt"]
        else:
            kinds = ["19"]
    return [line for kind in kinds for line in make_lines(rng, kind, mixed=len(kinds) > 1)]


def inbound_lines(rng: random.Random, party: dict[str, Any]) -> list[Line]:
    if party["country"] != "DE" and party["sales_tax_id_eu"]:
        return make_lines(rng, "acquisition", mixed=False)
    return make_lines(rng, "in7" if rng.random() < 0.3 else "in19", mixed=False)


def make_lines(rng: random.Random, kind: str, *, mixed: bool) -> list[Line]:
    rate, _, _, texts = LINE_KINDS[kind]
    count = rng.choice((1, 1, 2) if mixed else (1, 1, 1, 2, 3))
    lines = []
    for _ in range(count):
        net = Decimal(rng.randint(1_500, 160_000)) / 100
        gross = (net * (1 + rate / 100)).quantize(CENT, ROUND_HALF_UP)
        lines.append(Line(kind, rng.choice(texts), gross))
    return lines


def book_receipts(
    rng: random.Random,
    debtors: list[dict[str, Any]],
    creditors: list[dict[str, Any]],
    records: int,
) -> Books:
    """Receipts, postings, transactions and assignments for the seeded parties."""
    books = Books()
    serial = {"RE": 0, "GS": 0}
    open_invoices: dict[str, list[tuple[dict[str, Any], list[Line]]]] = {}
    plan = [True] * (records if debtors else 0) + [False] * (records // 2 if creditors else 0)
    for index, outbound in enumerate(plan):
        party = rng.choice(debtors if outbound else creditors)
        day = YEAR_START + dt.timedelta(days=rng.randint(0, 330))
        account_no = party["postingaccount_number"]
        credit_of = None
        if outbound:
            lines = outbound_lines(rng, party)
            candidates = open_invoices.get(account_no, [])
            if candidates and rng.random() < 0.3:
                original, original_lines = candidates.pop(rng.randrange(len(candidates)))
                share = Decimal(rng.choice((100, 100, 50, 30, 20, 10))) / 100
                lines = [
                    Line(ln.kind, ln.text, (ln.gross * share).quantize(CENT, ROUND_HALF_UP))
                    for ln in original_lines
                ]
                credit_of = original
                earliest = dt.date.fromisoformat(original["date"]) + dt.timedelta(days=3)
                day = min(max(day, earliest + dt.timedelta(days=rng.randint(0, 37))), YEAR_END)
            prefix = "GS" if credit_of else "RE"
            serial[prefix] += 1
            number = f"{prefix}-2025-{serial[prefix]:04d}"
        else:
            lines = inbound_lines(rng, party)
            number = rng.choice(("INV-{}", "{}", "F2025/{}", "R{}")).format(rng.randint(100, 99999))
        receipt = new_receipt(rng, index + 1, party, number, day, lines, outbound, credit_of)
        books.receipts.append(receipt)
        mixed = len({ln.rate for ln in lines}) > 1
        if mixed or rng.random() < 0.65:
            book(rng, books, receipt, lines)
        pay(rng, books, receipt, party)
        if outbound and not credit_of:
            open_invoices.setdefault(account_no, []).append((receipt, lines))
    number_payments(books)
    add_bank_fees(rng, books, records // 20)
    delete_one(books)
    return books


def new_receipt(
    rng: random.Random,
    number: int,
    party: dict[str, Any],
    invoice_number: str,
    day: dt.date,
    lines: list[Line],
    outbound: bool,
    credit_of: dict[str, Any] | None,
) -> dict[str, Any]:
    rates = {ln.rate for ln in lines}
    uploaded = dt.datetime.combine(day, dt.time(8)) + dt.timedelta(minutes=rng.randint(0, 2880))
    kind = "credit" if credit_of else "invoice"
    return {
        "id": number,
        "type": f"{kind} {'outbound' if outbound else 'inbound'}",
        "counterparty": party["name"],
        "creditor_debtor": int(party["postingaccount_number"]),
        "invoicenumber": invoice_number,
        "date": day.isoformat(),
        "date_delivery": (day - dt.timedelta(days=rng.randint(0, 5))).isoformat(),
        "date_payment_due": (day + dt.timedelta(days=rng.choice((14, 30)))).isoformat(),
        "amount": money(sum((ln.gross for ln in lines), Decimal(0))),
        "currency": "EUR",
        "vat_rate": money(next(iter(rates))) if len(rates) == 1 else None,
        "account": None,
        "payment_reference": None,
        "payment_date": None,
        "amount_paid": "0.00",
        "deleted": False,
        "link": credit_of["id"] if credit_of else None,
        "offer": False,
        "filename": f"{invoice_number.lower().replace('/', '-')}.pdf",
        "date_uploaded": stamp(uploaded),
        "modified": stamp(uploaded),
    }


def book(rng: random.Random, books: Books, receipt: dict[str, Any], lines: list[Line]) -> None:
    """The postings of ``receipt``: one per line, between its party and the line's account."""
    party = str(receipt["creditor_debtor"])
    outbound = receipt["type"].endswith("outbound")
    credit = receipt["type"].startswith("credit")
    uploaded = dt.datetime.strptime(receipt["date_uploaded"], "%Y-%m-%d %H:%M:%S")
    booked = stamp(uploaded + dt.timedelta(minutes=rng.randint(60, 4320)))
    for line in lines:
        _, code, account, _ = LINE_KINDS[line.kind]
        debit, other = (party, account) if outbound else (account, party)
        if credit:
            debit, other = other, debit
        books.postings.append(
            {
                "id": len(books.postings) + 1,
                "date": receipt["date"],
                "date_delivery": receipt["date_delivery"],
                "date_vat_effective": receipt["date"],
                "postingtext": f"{receipt['invoicenumber']} {line.text}"[:60],
                "amount": money(line.gross),
                "currency": "EUR",
                "vat": code,
                "debit_postingaccount_number": debit,
                "credit_postingaccount_number": other,
                "receipt_id_by_customer": receipt["id"],
                "status": "fixed" if receipt["date"] < "2025-07-01" else "confirmed",
                "cost_location": None,
                "cost_location_two": None,
                "comment": None,
                "date_last_action": booked,
            }
        )
    receipt["modified"] = max(receipt["modified"], booked)


def pay(rng: random.Random, books: Books, receipt: dict[str, Any], party: dict[str, Any]) -> None:
    """Maybe a bank payment for ``receipt`` (on time, late, partly), assigned to it."""
    day = dt.date.fromisoformat(receipt["date"])
    due = dt.date.fromisoformat(receipt["date_payment_due"])
    gross = Decimal(receipt["amount"])
    draw = rng.random()
    if receipt["type"] == "invoice outbound":
        if draw < 0.45:
            paid_on, amount = day + dt.timedelta(days=rng.randint(1, (due - day).days)), gross
        elif draw < 0.60:
            paid_on, amount = due + dt.timedelta(days=rng.randint(5, 60)), gross
        elif draw < 0.65:
            share = Decimal(rng.randint(30, 70)) / 100
            paid_on = day + dt.timedelta(days=rng.randint(5, 40))
            amount = (gross * share).quantize(CENT, ROUND_HALF_UP)
        else:
            return
    elif draw < 0.6:  # refund of a credit note, or paying a supplier: money goes out
        paid_on, amount = day + dt.timedelta(days=rng.randint(2, 30)), -gross
    else:
        return
    if paid_on > YEAR_END:
        return
    booked = dt.datetime.combine(paid_on, dt.time(rng.randint(7, 17), rng.randint(0, 59)))
    incoming = amount > 0
    transaction = {
        "account": BANK,
        "to_from": party["name"],
        "amount": money(amount),
        "currency": "EUR",
        "booking_date": stamp(booked),
        "value_date": stamp(booked),
        "account_number": party["iban"] or None,
        "bank_code": None,
        "bank_name": None,
        "purpose": f"{receipt['invoicenumber']} {party['name']}",
        "type": "Gutschrift" if incoming else "Überweisung",
        "booking_text": "SEPA-Gutschrift" if incoming else "SEPA-Überweisung",
        "payment_reference": None,
        "modified": stamp(booked),
    }
    books.payments.append((stamp(booked), transaction, receipt["id"]))
    receipt["amount_paid"] = money(abs(amount))
    receipt["account"] = BANK
    if abs(amount) >= abs(gross):
        receipt["payment_date"] = paid_on.isoformat()
    receipt["modified"] = max(receipt["modified"], stamp(booked))


def number_payments(books: Books) -> None:
    """Transaction ids in booking order (as a bank import numbers them), then the links."""
    books.payments.sort(key=lambda item: item[0])
    for number, (_, transaction, receipt_id) in enumerate(books.payments, start=1):
        transaction["id"] = number
        books.transactions.append(transaction)
        if receipt_id is not None:
            books.assignments.append(
                {"transaction": number, "receipt": receipt_id, "seq": len(books.assignments) + 1}
            )


def add_bank_fees(rng: random.Random, books: Books, count: int) -> None:
    """Account fees: transactions no receipt belongs to."""
    for _ in range(count):
        day = YEAR_START + dt.timedelta(days=rng.randint(0, 360))
        booked = stamp(dt.datetime.combine(day, dt.time(6)))
        books.transactions.append(
            {
                "id": len(books.transactions) + 1,
                "account": BANK,
                "to_from": "Sparkasse",
                "amount": money(-Decimal(rng.randint(490, 1250)) / 100),
                "currency": "EUR",
                "booking_date": booked,
                "value_date": booked,
                "account_number": None,
                "bank_code": None,
                "bank_name": None,
                "purpose": "Kontoführungsentgelt",
                "type": "Entgelt",
                "booking_text": "Abschluss",
                "payment_reference": None,
                "modified": booked,
            }
        )


def delete_one(books: Books) -> None:
    """Soft-delete one unpaid, unbooked, uncredited outbound invoice (or any unpaid one)."""
    booked = {p["receipt_id_by_customer"] for p in books.postings}
    credited = {r["link"] for r in books.receipts if r["link"]}
    unpaid = [r for r in books.receipts if r["amount_paid"] == "0.00"]
    plain = [
        r for r in unpaid if r["type"] == "invoice outbound" and r["id"] not in booked | credited
    ]
    chosen = (plain or unpaid)[:1]
    for receipt in chosen:
        receipt["deleted"] = True
