"""The sandbox's seed data: deterministic, DE/NL/BE/AT, and shaped like a real BB tenant."""

from __future__ import annotations

from decimal import Decimal

from mapwright.connectors.buchhaltungsbutler.sandbox.seed import seed_records
from stdnum import iban
from stdnum.at import uid
from stdnum.be import vat as be_vat
from stdnum.de import vat as de_vat
from stdnum.nl import btw

VALID_VAT = {"DE": de_vat.is_valid, "AT": uid.is_valid, "BE": be_vat.is_valid, "NL": btw.is_valid}


def test_the_same_seed_gives_the_same_tenant_and_another_seed_another():
    assert seed_records(5, 30) == seed_records(5, 30)
    assert seed_records(5, 30).debtors != seed_records(6, 30).debtors


def test_debtors_come_from_four_countries_with_umlauts_and_house_number_additions():
    debtors = seed_records(11, 60).debtors
    assert {d["country"] for d in debtors} == {"DE", "NL", "BE", "AT"}
    assert any(ch in d["name"] + d["street"] + d["city"] for d in debtors for ch in "äöüßÄÖÜ")
    streets = [d["street"] for d in debtors]
    assert any(s.endswith(("a", " A", " b")) or "/" in s or " bus " in s for s in streets)
    assert len({d["name"] for d in debtors}) == len(debtors)


def test_companies_with_and_without_contact_persons_and_private_persons():
    debtors = seed_records(11, 60).debtors
    forms = ("GmbH", "KG", "AG", "e.K.", "B.V.", "V.O.F.", "BV", "SRL", "NV", "SA", "OG", "e.U.")
    companies = [d for d in debtors if d["name"].endswith(forms)]
    persons = [d for d in debtors if d not in companies]
    assert companies and persons
    assert any(d["contact_person_name"] for d in companies)
    assert any(not d["contact_person_name"] for d in companies)
    assert all(not d["contact_person_name"] and not d["sales_tax_id_eu"] for d in persons)


def test_vat_ids_and_ibans_carry_valid_check_digits():
    data = seed_records(11, 60)
    for party in data.debtors + data.creditors:
        if party["sales_tax_id_eu"]:
            assert VALID_VAT[party["country"]](party["sales_tax_id_eu"]), party
        if party["iban"]:
            assert iban.is_valid(party["iban"]), party


def test_receipts_have_19_7_and_0_percent_paid_and_unpaid_and_credit_notes():
    receipts = seed_records(11, 60).receipts
    assert {r["vat_rate"] for r in receipts} == {"19.00", "7.00", "0.00"}
    assert any(r["payment_date"] for r in receipts) and any(not r["payment_date"] for r in receipts)
    credits = [r for r in receipts if r["type"].startswith("credit")]
    assert credits and all(r["link"] for r in credits)
    assert {r["type"].split()[1] for r in receipts} == {"inbound", "outbound"}
    assert sum(r["deleted"] for r in receipts) == 1


def test_zero_vat_is_reverse_charge_for_eu_businesses_only():
    data = seed_records(11, 60)
    parties = {p["postingaccount_number"]: p for p in data.debtors + data.creditors}
    for receipt in data.receipts:
        party = parties[str(receipt["creditor_debtor"])]
        reverse_charge = party["country"] != "DE" and bool(party["sales_tax_id_eu"])
        assert (receipt["vat_rate"] == "0.00") == reverse_charge


def test_receipts_refer_to_their_party_by_name_and_postings_by_account_number():
    data = seed_records(11, 60)
    parties = {p["postingaccount_number"]: p for p in data.debtors + data.creditors}
    receipts = {r["id"]: r for r in data.receipts}
    for receipt in data.receipts:
        assert parties[str(receipt["creditor_debtor"])]["name"] == receipt["counterparty"]
    assert data.postings
    for posting in data.postings:
        receipt = receipts[posting["receipt_id_by_customer"]]
        sides = {posting["debit_postingaccount_number"], posting["credit_postingaccount_number"]}
        assert str(receipt["creditor_debtor"]) in sides
        assert posting["amount"] == receipt["amount"]


def test_credit_notes_are_smaller_than_and_later_than_their_invoice():
    receipts = {r["id"]: r for r in seed_records(11, 60).receipts}
    for credit in (r for r in receipts.values() if r["link"]):
        invoice = receipts[credit["link"]]
        assert invoice["counterparty"] == credit["counterparty"]
        assert Decimal(credit["amount"]) < Decimal(invoice["amount"])
        assert credit["date"] > invoice["date"]
