"""Company or person, names, e-mail addresses and phone numbers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from mapwright.dsl.errors import MappingValueError
from mapwright.dsl.functions import people as p
from mapwright.dsl.values import MISSING


@pytest.mark.parametrize(
    ("company", "person", "expected"),
    [
        ("ACME GmbH", "Jane Doe", True),
        ("ACME GmbH", MISSING, True),
        ("Jane Doe", "jane  DOE", False),
        ("  ", "Jane Doe", False),
        (None, "Jane Doe", False),
        (MISSING, MISSING, False),
    ],
)
def test_is_company_needs_a_company_name_other_than_the_person(
    company: object, person: object, expected: bool
) -> None:
    assert p.is_company(company, person) is expected
    assert p.debtor_kind(company, person) == ("company" if expected else "person")


def test_full_name_skips_absent_and_blank_parts() -> None:
    assert p.full_name("Jane", None, MISSING, " ", "Doe") == "Jane Doe"
    assert p.full_name(" Anna  Maria ", "Schmidt") == "Anna Maria Schmidt"


def test_full_name_of_nothing_is_null_or_missing() -> None:
    assert p.full_name(None, MISSING) is None
    assert p.full_name(MISSING, MISSING) is MISSING


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Jane.Doe@ACME.de ", "jane.doe@acme.de"),
        ("Jane Doe <JANE@acme.de>", "jane@acme.de"),
        ("mailto:Info@Example.COM", "info@example.com"),
        ("info@müller.de", "info@müller.de"),
        ("a+tag@sub.example.co.uk", "a+tag@sub.example.co.uk"),
    ],
)
def test_normalize_email_trims_and_lower_cases(raw: str, expected: str) -> None:
    assert p.normalize_email(raw) == expected
    assert p.valid_email(raw) is True


@pytest.mark.parametrize(
    "raw",
    [
        "jane@acme",
        "jane doe@acme.de",
        "jane@@acme.de",
        "@acme.de",
        "jane@.de",
        "jane@acme..de",
        "x" * 65 + "@a.de",
    ],
)
def test_normalize_email_refuses_malformed_addresses(raw: str) -> None:
    assert p.valid_email(raw) is False
    with pytest.raises(MappingValueError, match="is not an e-mail address"):
        p.normalize_email(raw)


def test_normalize_email_keeps_absent_and_blank_is_null() -> None:
    assert p.normalize_email(MISSING) is MISSING
    assert p.normalize_email("  ") is None
    assert p.valid_email(None) is False


@pytest.mark.parametrize(
    ("raw", "country", "expected"),
    [
        ("030 1234567", "DE", "+49301234567"),
        ("+49 (0)171 123-4567", "DE", "+491711234567"),
        ("0049 30 1234567", "DE", "+49301234567"),
        ("06 12345678", "NL", "+31612345678"),
        ("06 12345678", "Niederlande", "+31612345678"),
        ("+31 6 12345678", "DE", "+31612345678"),
        (Decimal(301234567), "DE", "+49301234567"),
    ],
)
def test_normalize_phone_gives_e164(raw: object, country: str, expected: str) -> None:
    assert p.normalize_phone(raw, country) == expected
    assert p.valid_phone(raw, country) is True


@pytest.mark.parametrize("raw", ["12", "abc", "+49 30", "1" * 60])
def test_normalize_phone_refuses_invalid_numbers(raw: str) -> None:
    assert p.valid_phone(raw) is False
    with pytest.raises(MappingValueError, match="is not a valid phone number"):
        p.normalize_phone(raw)


def test_overlong_input_is_not_an_email_address() -> None:
    assert p.valid_email("a@" + "a." * 50_000 + "de") is False
