"""People builtins: company or person, full names, e-mail addresses and phone numbers.

A debtor is a company when it has a company name that is not just the person's name again
(shops often copy the customer's name into the company field). E-mail addresses are trimmed
and lower-cased; phone numbers become E.164 (``+4930123456``) using Google's
libphonenumber metadata (the ``phonenumbers`` package).
"""

from __future__ import annotations

import functools
import re
from typing import Any

import email_validator
import phonenumbers
from mapwright.dsl.functions.arguments import fail, require_text, text_of
from mapwright.dsl.functions.countries import country_code
from mapwright.dsl.functions.registry import builtin
from mapwright.dsl.values import MISSING, is_absent

MAX_EMAIL_INPUT = 1_000
_ANGLE = re.compile(r"[^<>]*<([^<>]+)>\s*")


def _name_key(value: Any) -> str:
    return " ".join(value.casefold().split()) if isinstance(value, str) else ""


@builtin(
    category="people",
    examples=[
        ('is_company("ACME GmbH", "Jane Doe")', True),
        ('is_company("Jane Doe", "jane  doe")', False),
        ('is_company("  ", "Jane Doe")', False),
        ("is_company(null)", False),
    ],
)
def is_company(company_name: Any, person_name: Any = MISSING) -> bool:
    """Whether a company name is present and is not the person's name again.

    Blank company names count as absent; the comparison ignores case and extra spaces.
    """
    company = _name_key(company_name)
    if not company:
        return False
    return company != _name_key(person_name)


@builtin(
    category="people",
    examples=[
        ('debtor_kind("ACME GmbH", "Jane Doe")', "company"),
        ('debtor_kind(null, "Jane Doe")', "person"),
        ('debtor_kind("Jane Doe", "Jane Doe")', "person"),
    ],
)
def debtor_kind(company_name: Any, person_name: Any = MISSING) -> str:
    """ "company" when ``is_company`` says so, otherwise "person"."""
    return "company" if is_company(company_name, person_name) else "person"


@builtin(
    category="people",
    examples=[
        ('full_name("Jane", null, "Doe")', "Jane Doe"),
        ('full_name(" Anna ", "Maria", "Schmidt")', "Anna Maria Schmidt"),
        ('full_name("", "Doe")', "Doe"),
        ("full_name(null, null)", None),
    ],
)
def full_name(*parts: Any) -> Any:
    """The name parts (first, middle, last...) joined by single spaces.

    Absent or blank parts are skipped. Null when no part is left (missing when all parts
    are missing).
    """
    words = [text_of("full_name", "parts", part).strip() for part in parts if not is_absent(part)]
    words = [word for word in words if word]
    if words:
        return " ".join(" ".join(words).split())
    return None if any(part is not MISSING for part in parts) else MISSING


def _email(value: str) -> str | None:
    if len(value) > MAX_EMAIL_INPUT:
        return None
    return _checked_email(value)


@functools.lru_cache(maxsize=4096)
def _checked_email(value: str) -> str | None:
    """The normalized address, or None: remembered, as a flow maps the same addresses again
    in each lookup round and records repeat customers (email-validator is pure here)."""
    text = value.strip()
    angle = _ANGLE.fullmatch(text)
    if angle:
        text = angle.group(1).strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    try:  # the syntax rules (RFC 5321/5322, IDNA domains): email-validator, no DNS lookup
        checked = email_validator.validate_email(
            text.lower(), check_deliverability=False, strict=True
        )
    except email_validator.EmailNotValidError:
        return None
    normalized: str = checked.normalized
    return normalized


@builtin(
    category="people",
    examples=[
        ('normalize_email("  Jane.Doe@ACME.de ")', "jane.doe@acme.de"),
        ('normalize_email("Jane Doe <JANE@acme.de>")', "jane@acme.de"),
        ('normalize_email("mailto:info@müller.de")', "info@müller.de"),
        ("normalize_email(null)", None),
    ],
)
def normalize_email(value: Any) -> Any:
    """An e-mail address trimmed and lower-cased; an address that is not well-formed is an error.

    Accepts "Name <address>" and "mailto:" forms. Blank text gives null. Checks the shape
    only (one @, a domain with a dot), not whether the mailbox exists.
    """
    if is_absent(value):
        return value
    text = require_text("normalize_email", "value", value)
    if not text.strip():
        return None
    address = _email(text)
    if address is None:
        fail(
            "normalize_email",
            f"{text.strip()!r} is not an e-mail address (expected name@domain.tld); "
            "guard with valid_email(...) to skip or park such records",
        )
    return address


@builtin(
    category="people",
    examples=[
        ('valid_email("jane@acme.de")', True),
        ('valid_email("jane@acme")', False),
        ('valid_email("jane doe@acme.de")', False),
        ("valid_email(null)", False),
    ],
)
def valid_email(value: Any) -> bool:
    """Whether a text is a well-formed e-mail address (false when absent)."""
    return isinstance(value, str) and _email(value) is not None


def _phone(function: str, number: Any, default_country: Any) -> phonenumbers.PhoneNumber | None:
    text = text_of(function, "number", number).strip()
    region = (
        "DE"
        if is_absent(default_country)
        else str(country_code(require_text(function, "default_country", default_country)))
    )
    if len(text) > 50:
        return None
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    return parsed if phonenumbers.is_valid_number(parsed) else None


@builtin(
    category="people",
    examples=[
        ('normalize_phone("030 1234567")', "+49301234567"),
        ('normalize_phone("+49 (0)171 123-4567")', "+491711234567"),
        ('normalize_phone("06 12345678", "NL")', "+31612345678"),
        ("normalize_phone(null)", None),
    ],
)
def normalize_phone(number: Any, default_country: Any = "DE") -> Any:
    """A phone number in international E.164 form ("+49301234567").

    Numbers without a country prefix are read as numbers of ``default_country`` (default
    "DE"). A number that is not valid for its country is an error; blank text gives null.
    """
    if is_absent(number):
        return number
    if isinstance(number, str) and not number.strip():
        return None
    parsed = _phone("normalize_phone", number, default_country)
    if parsed is None:
        fail(
            "normalize_phone",
            f"{text_of('normalize_phone', 'number', number)!r} is not a valid phone number "
            "(with country prefix, or for the default country); guard with valid_phone(...)",
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


@builtin(
    category="people",
    examples=[
        ('valid_phone("030 1234567")', True),
        ('valid_phone("12")', False),
        ("valid_phone(null)", False),
    ],
)
def valid_phone(number: Any, default_country: Any = "DE") -> bool:
    """Whether a phone number is valid for its country (or ``default_country``); false if absent."""
    if is_absent(number) or isinstance(number, bool | list | dict):
        return False
    return _phone("valid_phone", number, default_country) is not None
