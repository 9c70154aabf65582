"""The sandbox's seed data: deterministic, shaped like a real BB tenant, and true to the cent.

The invariants here are the ones a flow relies on: every receipt names a seeded party, its
postings add up to its gross amount, each posting's VAT code is its rate, the receipt's ``vat``
is its single rate (or none when mixed), payments are assigned transactions.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
from mapwright.connectors.buchhaltungsbutler.sandbox.seed import seed_records
from mapwright.connectors.buchhaltungsbutler.sandbox.seed_receipts import EU, vat_case
from stdnum import iban
from stdnum.at import uid
from stdnum.be import vat as be_vat
from stdnum.ch import uid as ch_uid
from stdnum.de import vat as de_vat
from stdnum.nl import btw

VALID_VAT = {"DE": de_vat.is_valid, "AT": uid.is_valid, "BE": be_vat.is_valid, "NL": btw.is_valid}
#: posting VAT code -> the rate it means (outbound and inbound codes the seed uses)
CODE_RATE = {"19_vat": 19, "7_vat": 7, "0_none": 0, "19_pre": 19, "7_pre": 7, "19_both_2": 0}
#: the revenue account of each outbound VAT case at 0 %
ZERO_ACCOUNTS = {"domestic": "8100", "eu": "8125", "export": "8120"}
FAKE_NOW = "2026-01-15 10:00:00"  # testing.START: later than every seeded timestamp


@pytest.fixture(scope="module")
def world():
    return seed_records(11, 200)


def postings_of(data) -> dict[int, list[dict]]:
    found: dict[int, list[dict]] = {}
    for posting in data.postings:
        found.setdefault(posting["receipt_id_by_customer"], []).append(posting)
    return found


def outbound(data) -> list[dict]:
    return [r for r in data.receipts if r["type"].endswith("outbound")]


def test_the_same_seed_gives_the_same_tenant_and_another_seed_another():
    assert seed_records(5, 30) == seed_records(5, 30)
    assert seed_records(5, 30).debtors != seed_records(6, 30).debtors
    assert seed_records(5, 30).receipts != seed_records(6, 30).receipts


@pytest.mark.parametrize("records", [0, 1, 2, 1000])
def test_any_size_seeds(records):
    data = seed_records(3, records)
    assert len(data.debtors) == records
    assert len(outbound(data)) == records
    assert len(data.receipts) == records + records // 2


def test_debtors_come_from_the_eu_and_from_export_countries(world):
    debtors = world.debtors
    assert {d["country"] for d in debtors} == {"DE", "NL", "BE", "AT", "CH", "GB", "US"}
    assert any(ch in d["name"] + d["street"] + d["city"] for d in debtors for ch in "äöüßÄÖÜ")
    streets = [d["street"] for d in debtors]
    assert any(" bus " in s for s in streets) and any("/" in s for s in streets)
    assert any(s[0].isdigit() for s in streets)  # "221B Baker Street"
    assert len({d["name"] for d in debtors}) == len(debtors)
    assert {c["country"] for c in world.creditors} <= EU


def test_companies_with_and_without_contact_persons_and_private_persons(world):
    persons = [d for d in world.debtors if len(d["name"].split()) == 2 and not d["uid_ch"]]
    companies = [d for d in world.debtors if d not in persons]
    assert companies and persons
    assert any(d["contact_person_name"] for d in companies)
    assert any(not d["contact_person_name"] for d in companies)
    assert all(not d["contact_person_name"] and not d["sales_tax_id_eu"] for d in persons)


def test_vat_ids_swiss_uids_and_ibans_carry_valid_check_digits(world):
    for party in world.debtors + world.creditors:
        if party["sales_tax_id_eu"]:
            assert party["country"] in EU and VALID_VAT[party["country"]](party["sales_tax_id_eu"])
        if party["uid_ch"]:
            assert party["country"] == "CH" and ch_uid.is_valid(party["uid_ch"])
        if party["iban"]:
            assert iban.is_valid(party["iban"]), party
    assert any(d["uid_ch"] for d in world.debtors)


def test_every_receipt_names_a_seeded_party_of_its_direction(world):
    debtors = {d["postingaccount_number"]: d for d in world.debtors}
    creditors = {c["postingaccount_number"]: c for c in world.creditors}
    for receipt in world.receipts:
        parties = debtors if receipt["type"].endswith("outbound") else creditors
        party = parties[str(receipt["creditor_debtor"])]
        assert party["name"] == receipt["counterparty"]
        assert receipt["currency"] == "EUR"


def test_outbound_vat_follows_the_customer(world):
    debtors = {d["postingaccount_number"]: d for d in world.debtors}
    seen: Counter[tuple[str, str | None]] = Counter()
    for receipt in outbound(world):
        party = debtors[str(receipt["creditor_debtor"])]
        case = vat_case(party)
        seen[(case, receipt["vat_rate"])] += 1
        if case == "export":
            assert party["country"] not in EU and receipt["vat_rate"] == "0.00"
        elif case == "eu":
            assert VALID_VAT[party["country"]](party["sales_tax_id_eu"])
            assert receipt["vat_rate"] == "0.00"
        else:
            assert receipt["vat_rate"] in ("19.00", "7.00", None) or (
                receipt["vat_rate"] == "0.00" and party["country"] == "DE"
            )
    wanted: list[tuple[str, str | None]] = [("domestic", "19.00"), ("domestic", "7.00")]
    wanted += [("domestic", "0.00"), ("domestic", None), ("eu", "0.00"), ("export", "0.00")]
    assert all(seen[case] for case in wanted), seen


def test_postings_add_up_to_the_gross_amount_with_the_vat_code_of_their_rate(world):
    debtors = {d["postingaccount_number"]: d for d in world.debtors}
    postings = postings_of(world)
    for receipt in world.receipts:
        lines = postings.get(receipt["id"], [])
        if not lines:
            assert receipt["vat_rate"] is not None  # unbooked receipts have one rate
            continue
        assert sum(Decimal(p["amount"]) for p in lines) == Decimal(receipt["amount"])
        rates = {CODE_RATE[p["vat"]] for p in lines}
        if receipt["vat_rate"] is None:
            assert rates == {19, 7}
        else:
            assert rates == {int(Decimal(receipt["vat_rate"]))} or (
                {p["vat"] for p in lines} == {"19_both_2"} and receipt["vat_rate"] == "0.00"
            )
        if receipt["type"].endswith("outbound"):
            assert {p["vat"] for p in lines} <= {"19_vat", "7_vat", "0_none"}
            if receipt["vat_rate"] == "0.00":
                case = vat_case(debtors[str(receipt["creditor_debtor"])])
                revenue = {
                    p["debit_postingaccount_number"] + p["credit_postingaccount_number"]
                    for p in lines
                }
                assert all(ZERO_ACCOUNTS[case] in sides for sides in revenue)


def test_booked_and_unbooked_receipts_of_every_kind(world):
    booked = set(postings_of(world))
    for kind in ("invoice outbound", "credit outbound", "invoice inbound"):
        of_kind = [r["id"] for r in world.receipts if r["type"] == kind]
        assert any(i in booked for i in of_kind) and any(i not in booked for i in of_kind), kind
    paid_unbooked = [r for r in outbound(world) if r["payment_date"] and r["id"] not in booked]
    assert paid_unbooked


def test_credit_notes_are_positive_linked_smaller_later_and_booked_the_other_way(world):
    receipts = {r["id"]: r for r in world.receipts}
    postings = postings_of(world)
    credits = [r for r in world.receipts if r["type"] == "credit outbound"]
    assert len(credits) >= 10
    for credit in credits:
        invoice = receipts[credit["link"]]
        assert invoice["type"] == "invoice outbound"
        assert invoice["creditor_debtor"] == credit["creditor_debtor"]
        assert Decimal(0) < Decimal(credit["amount"]) <= Decimal(invoice["amount"])
        assert credit["date"] > invoice["date"]
        assert credit["vat_rate"] == invoice["vat_rate"]
        for posting in postings.get(credit["id"], []):
            assert posting["credit_postingaccount_number"] == str(credit["creditor_debtor"])
    assert len({c["link"] for c in credits}) == len(credits)  # one credit note per invoice


def test_payments_are_transactions_assigned_to_their_receipt(world):
    transactions = {t["id"]: t for t in world.transactions}
    paid_by: dict[int, list[dict]] = {}
    for link in world.assignments:
        paid_by.setdefault(link["receipt"], []).append(transactions[link["transaction"]])
    for receipt in world.receipts:
        payments = paid_by.get(receipt["id"], [])
        total = sum((abs(Decimal(t["amount"])) for t in payments), Decimal(0))
        assert Decimal(receipt["amount_paid"]) == total
        gross = Decimal(receipt["amount"])
        if total >= gross:
            last = max(t["booking_date"] for t in payments)
            assert receipt["payment_date"] == last[:10] and receipt["account"] == "1200"
            assert receipt["modified"] >= last
        else:
            assert receipt["payment_date"] is None
        incoming = receipt["type"] == "invoice outbound"
        assert all((Decimal(t["amount"]) > 0) == incoming for t in payments)
    assert any(
        not any(link["transaction"] == t for link in world.assignments) for t in transactions
    )  # bank fees belong to no receipt


def test_paid_on_time_paid_late_partly_paid_and_unpaid_invoices(world):
    invoices = [r for r in world.receipts if r["type"] == "invoice outbound"]
    on_time = [
        r for r in invoices if r["payment_date"] and r["payment_date"] <= r["date_payment_due"]
    ]
    late = [r for r in invoices if r["payment_date"] and r["payment_date"] > r["date_payment_due"]]
    partly = [r for r in invoices if not r["payment_date"] and r["amount_paid"] != "0.00"]
    unpaid = [r for r in invoices if r["amount_paid"] == "0.00"]
    assert on_time and late and partly and unpaid
    for receipt in late:  # paid later: its last change is the payment, weeks after the upload
        assert receipt["modified"][:10] == receipt["payment_date"] > receipt["date_uploaded"][:10]


def test_one_unpaid_unbooked_invoice_is_deleted_and_nothing_is_dated_after_the_fake_now(world):
    deleted = [r for r in world.receipts if r["deleted"]]
    assert len(deleted) == 1 and deleted[0]["amount_paid"] == "0.00"
    assert deleted[0]["id"] not in postings_of(world)
    stamps = [r["modified"] for r in world.receipts] + [t["modified"] for t in world.transactions]
    assert max(stamps) < FAKE_NOW
