"""VAT case and code, VAT-id and IBAN checks."""

from __future__ import annotations

from decimal import Decimal

import pytest
from mapwright.dsl.errors import MappingValueError
from mapwright.dsl.functions import tax
from mapwright.dsl.values import MISSING

CODES = {
    "DE:19": "3",
    "DE:7": "2",
    "DE:0": "0",
    "EU:0:reverse": "7",
    "EU:FR:20": "FR20",
    "EU:20": "8",
    "EXPORT:0": "9",
}


@pytest.mark.parametrize(
    ("country", "kind", "home", "case"),
    [
        ("DE", "person", "DE", "domestic"),
        ("Deutschland", "company_with_vat_id", "DE", "domestic"),
        ("NL", "company_with_vat_id", "DE", "intra_eu_reverse_charge"),
        ("NL", "company", "DE", "intra_eu"),
        ("NL", "person", "DE", "intra_eu"),
        ("NL", MISSING, "DE", "intra_eu"),
        ("CH", "company_with_vat_id", "DE", "export"),
        ("GB", "person", "DE", "export"),
        ("DE", "company_with_vat_id", "AT", "intra_eu_reverse_charge"),
        ("AT", "person", "Österreich", "domestic"),
        ("DE", "company_with_vat_id", "CH", "export"),
        ("CH", "person", "CH", "domestic"),
    ],
)
def test_vat_case_classifies_the_sale(country: str, kind: object, home: str, case: str) -> None:
    assert tax.vat_case(Decimal(19), country, kind, home) == case


def test_vat_case_refuses_unknown_kinds_and_lists_the_known_ones() -> None:
    with pytest.raises(MappingValueError, match="'company_with_vat_id', 'company', 'person'"):
        tax.vat_case(19, "NL", "business", "DE")


def test_vat_case_keeps_absent_rate_and_country_absent() -> None:
    assert tax.vat_case(MISSING, "DE", "person") is MISSING
    assert tax.vat_case(19, None, "person") is None


@pytest.mark.parametrize(
    ("rate", "country", "kind", "code"),
    [
        (Decimal(19), "DE", "person", "3"),
        (Decimal("7.00"), "DE", "company", "2"),
        ("7 %", "DE", "company", "2"),
        (0, "NL", "company_with_vat_id", "7"),
        (Decimal(20), "FR", "person", "FR20"),
        (Decimal(20), "AT", "person", "8"),
        (0, "US", "company_with_vat_id", "9"),
    ],
)
def test_vat_code_looks_up_the_key_of_the_case(
    rate: object, country: str, kind: str, code: str
) -> None:
    assert tax.vat_code(rate, country, kind, CODES) == code


def test_vat_code_keys_ignore_case_and_trailing_zeros() -> None:
    assert tax.vat_code(Decimal("5.50"), "DE", "person", {"de:5.5": "X"}) == "X"
    assert tax.vat_code(0, "BE", "company_with_vat_id", {"eu:0.0:REVERSE": "R"}) == "R"


def test_vat_code_prefers_the_country_key_even_when_written_in_lower_case() -> None:
    assert tax.vat_code(20, "FR", "person", {"EU:20": "8", "eu:fr:20": "FR20"}) == "FR20"


def test_vat_case_checks_the_kind_also_for_domestic_sales() -> None:
    with pytest.raises(MappingValueError, match="unknown kind 'business'"):
        tax.vat_case(19, "DE", "business")


def test_vat_code_uses_the_home_country_for_domestic_keys() -> None:
    assert tax.vat_code(20, "AT", "person", {"AT:20": "A20"}, "AT") == "A20"


def test_vat_code_names_the_missing_key_and_the_setting() -> None:
    with pytest.raises(MappingValueError) as caught:
        tax.vat_code(Decimal(21), "BE", "person", CODES)
    message = str(caught.value)
    assert '"EU:21"' in message and '"EU:BE:21"' in message and "vat_codes setting" in message


def test_vat_code_names_the_reverse_charge_key() -> None:
    with pytest.raises(MappingValueError, match='add "EU:19:reverse" to the vat_codes setting'):
        tax.vat_code(19, "NL", "company_with_vat_id", CODES)


def test_vat_code_needs_a_table() -> None:
    with pytest.raises(MappingValueError, match="'table' must be an object"):
        tax.vat_code(19, "DE", "person", MISSING)


def test_vat_code_refuses_negative_rates() -> None:
    with pytest.raises(MappingValueError, match="0 or more"):
        tax.vat_code(-19, "DE", "person", CODES)


@pytest.mark.parametrize(
    ("vat_id", "company", "person", "kind"),
    [
        ("DE136695976", "ACME GmbH", MISSING, "company_with_vat_id"),
        ("DE136695975", "ACME GmbH", MISSING, "company"),
        (None, "Jane Doe", "Jane Doe", "person"),
    ],
)
def test_vat_kind_prefers_a_valid_vat_id(
    vat_id: object, company: object, person: object, kind: str
) -> None:
    assert tax.vat_kind(vat_id, company, person) == kind


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("DE136695976", True),
        ("de 136 695 976", True),
        ("NL004495445B01", True),
        ("DE136695975", False),
        ("DE13669597", False),
        ("", False),
        (MISSING, False),
        (None, False),
        (Decimal(136695976), False),
    ],
)
def test_valid_vat_id_checks_format_and_check_digits(value: object, valid: bool) -> None:
    assert tax.valid_vat_id(value) is valid


def test_normalize_vat_id_compacts_and_refuses_invalid_ids() -> None:
    assert tax.normalize_vat_id("de 136.695.976") == "DE136695976"
    with pytest.raises(MappingValueError, match="'DE1' is not a valid EU VAT id"):
        tax.normalize_vat_id("DE1")


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("DE89370400440532013000", True),
        ("DE89 3704 0044 0532 0130 00", True),
        ("NL91ABNA0417164300", True),
        ("DE89370400440532013001", False),
        ("DE89", False),
        (None, False),
        (Decimal(1), False),
    ],
)
def test_valid_iban_checks_format_and_check_digits(value: object, valid: bool) -> None:
    assert tax.valid_iban(value) is valid


def test_normalize_iban_compacts_and_refuses_invalid_ibans() -> None:
    assert tax.normalize_iban("nl91 abna 0417 1643 00") == "NL91ABNA0417164300"
    with pytest.raises(MappingValueError, match="is not a valid IBAN"):
        tax.normalize_iban("NL91ABNA0417164301")
