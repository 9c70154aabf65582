"""Tax builtins: the VAT case and VAT code of a sale, VAT-id and IBAN checks.

A sale falls into one of four VAT cases, decided by the buyer's country, the seller's
``home`` country (default ``"DE"``) and the buyer's ``kind``:

* ``domestic``: the buyer is in the home country;
* ``intra_eu_reverse_charge``: the buyer is in another EU country and is a company with a VAT
  id (``kind`` ``"company_with_vat_id"``): no VAT is charged, the buyer reverse-charges it;
* ``intra_eu``: the buyer is in another EU country without a VAT id (a person or a company
  without id): VAT is charged, at the destination rate under the OSS scheme;
* ``export``: the buyer is outside the EU (or the seller is, and the buyer is abroad).

``vat_code`` turns the case and the rate into the target system's VAT code through a table
from the settings. Its keys (upper/lower case and ``19`` vs ``19.00`` do not matter):

| case | key | example |
|---|---|---|
| domestic | ``<HOME>:<rate>`` | ``"DE:19"``, ``"DE:7"``, ``"DE:0"`` |
| reverse charge | ``EU:<rate>:reverse`` | ``"EU:0:reverse"`` |
| intra-EU (OSS) | ``EU:<COUNTRY>:<rate>``, tried first | ``"EU:FR:20"`` |
| intra-EU (OSS) | ``EU:<rate>``, for every other country | ``"EU:20"`` |
| export | ``EXPORT:<COUNTRY>:<rate>``, tried first | ``"EXPORT:CH:0"`` |
| export | ``EXPORT:<rate>`` | ``"EXPORT:0"`` |

The rate is in percent as the source gives it (``19``, ``7``, ``0``, ``5.5``). The EU member
list is that of 2020 onwards (27 countries, without GB). VAT ids and IBANs are checked for
their format and check digits only: whether a VAT id is registered needs the EU's VIES
service, which a mapping does not call.
"""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import Any

from mapwright.dsl.functions.arguments import (
    fail,
    plain_number,
    require_number,
    require_object,
    require_text,
)
from mapwright.dsl.functions.countries import country_code
from mapwright.dsl.functions.people import debtor_kind
from mapwright.dsl.functions.registry import builtin
from mapwright.dsl.values import MISSING, is_absent
from stdnum import iban as stdnum_iban
from stdnum.eu import vat as stdnum_vat
from stdnum.exceptions import ValidationError

EU_MEMBERS = frozenset(
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
KINDS = ("company_with_vat_id", "company", "person")


def _rate_key(function: str, rate: Any) -> str:
    """``19.00`` -> ``"19"``; ``"7 %"`` -> ``"7"``."""
    if isinstance(rate, str):
        rate = rate.replace("%", "")
    value = require_number(function, "rate", rate)
    if value < 0:
        fail(function, f"'rate' must be a percentage of 0 or more, got {value}")
    return plain_number(value.normalize())


def _kind(function: str, kind: Any) -> str:
    if is_absent(kind):
        return "person"
    name = require_text(function, "kind", kind).strip().lower()
    if name not in KINDS:
        fail(function, f"unknown kind {kind!r}; use one of {', '.join(repr(k) for k in KINDS)}")
    return name


def _case(function: str, country: Any, kind: Any, home: Any) -> tuple[str, str, str]:
    """(case, buyer country, home country)."""
    buyer = str(country_code(require_text(function, "country", country)))
    seller = "DE" if is_absent(home) else str(country_code(require_text(function, "home", home)))
    buyer_kind = _kind(function, kind)
    if buyer == seller:
        return "domestic", buyer, seller
    if buyer in EU_MEMBERS and seller in EU_MEMBERS:
        if buyer_kind == "company_with_vat_id":
            return "intra_eu_reverse_charge", buyer, seller
        return "intra_eu", buyer, seller
    return "export", buyer, seller


@builtin(
    category="tax",
    examples=[
        ('vat_case(19, "DE", "person")', "domestic"),
        ('vat_case(0, "Niederlande", "company_with_vat_id")', "intra_eu_reverse_charge"),
        ('vat_case(21, "BE", "company")', "intra_eu"),
        ('vat_case(0, "CH", "company_with_vat_id")', "export"),
        ('vat_case(19, "AT", "person", "AT")', "domestic"),
    ],
)
def vat_case(rate: Any, country: Any, kind: Any, home: Any = "DE") -> Any:
    """The VAT case of a sale: "domestic", "intra_eu_reverse_charge", "intra_eu" or "export".

    ``kind`` is "company_with_vat_id", "company" or "person" (absent counts as person);
    ``country`` and ``home`` may be codes or names. Absent rate or country stay absent.
    """
    for value in (rate, country):
        if is_absent(value):
            return value
    _rate_key("vat_case", rate)
    return _case("vat_case", country, kind, home)[0]


def _table_key(key: str) -> str:
    parts = []
    for part in key.split(":"):
        part = part.strip().upper()
        try:
            number = Decimal(part)
        except ArithmeticError:
            number = None
        parts.append(
            plain_number(number.normalize()) if number is not None and number.is_finite() else part
        )
    return ":".join(parts)


VAT_CODES_EXAMPLE = (
    '{"DE:19": "3", "DE:7": "2", "EU:0:reverse": "7", "EU:20": "8", "EXPORT:0": "9"}'
)


@builtin(
    category="tax",
    examples=[
        (f'vat_code(19, "DE", "person", {VAT_CODES_EXAMPLE})', "3"),
        (f'vat_code(7.00, "Deutschland", "company", {VAT_CODES_EXAMPLE})', "2"),
        (f'vat_code(0, "FR", "company_with_vat_id", {VAT_CODES_EXAMPLE})', "7"),
        (f'vat_code(20, "FR", "person", {VAT_CODES_EXAMPLE})', "8"),
        (f'vat_code(0, "US", "company", {VAT_CODES_EXAMPLE})', "9"),
        (f'vat_code(null, "DE", "person", {VAT_CODES_EXAMPLE})', None),
    ],
)
def vat_code(rate: Any, country: Any, kind: Any, table: Any, home: Any = "DE") -> Any:
    """The target system's VAT code for a rate, the buyer's country and kind, from a table.

    The table (usually the ``vat_codes`` setting) maps keys such as "DE:19", "EU:0:reverse",
    "EU:20" and "EXPORT:0" to codes; see the key scheme above. A missing entry is an error
    that names the key to add.
    """
    for value in (rate, country):
        if is_absent(value):
            return value
    codes = require_object("vat_code", "table", table)
    rate_text = _rate_key("vat_code", rate)
    case, buyer, seller = _case("vat_code", country, kind, home)
    candidates = {
        "domestic": [f"{seller}:{rate_text}"],
        "intra_eu_reverse_charge": [f"EU:{rate_text}:reverse"],
        "intra_eu": [f"EU:{buyer}:{rate_text}", f"EU:{rate_text}"],
        "export": [f"EXPORT:{buyer}:{rate_text}", f"EXPORT:{rate_text}"],
    }[case]
    normalized: dict[str, Any] | None = None
    for key in candidates:
        if key in codes:
            return codes[key]
        if normalized is None:
            normalized = {_table_key(str(k)): v for k, v in codes.items()}
        if _table_key(key) in normalized:
            return normalized[_table_key(key)]
    wanted = candidates[-1]
    also = f' (or the more specific "{candidates[0]}")' if len(candidates) > 1 else ""
    fail(
        "vat_code",
        f'no VAT code for "{wanted}" ({case.replace("_", " ")} sale to {buyer} at {rate_text} %); '
        f'add "{wanted}"{also} to the vat_codes setting',
    )


@builtin(
    category="tax",
    examples=[
        ('vat_kind("DE136695976", "ACME GmbH")', "company_with_vat_id"),
        ('vat_kind("", "ACME GmbH", "Jane Doe")', "company"),
        ('vat_kind(null, "Jane Doe", "Jane Doe")', "person"),
    ],
)
def vat_kind(vat_id: Any, company_name: Any, person_name: Any = MISSING) -> str:
    """The buyer kind for ``vat_code`` and ``vat_case``, from VAT id and names.

    "company_with_vat_id" if the VAT id is valid (format and check digits), else "company"
    or "person" as ``debtor_kind`` decides.
    """
    if valid_vat_id(vat_id):
        return "company_with_vat_id"
    return str(debtor_kind(company_name, person_name))


@builtin(
    category="tax",
    examples=[
        ('valid_vat_id("DE136695976")', True),
        ('valid_vat_id("DE 136 695 976")', True),
        ('valid_vat_id("DE136695975")', False),
        ("valid_vat_id(null)", False),
    ],
)
def valid_vat_id(value: Any) -> bool:
    """Whether a text is a well-formed EU VAT id with correct check digits (false if absent)."""
    if not isinstance(value, str):
        return False
    if len(value) > _CACHED_VAT_ID:
        return bool(stdnum_vat.is_valid(value))
    return _valid_vat_id(value)


_CACHED_VAT_ID = 64
"""VAT ids up to this long are remembered (a flow checks the same ids in every lookup round)."""


@functools.lru_cache(maxsize=4096)
def _valid_vat_id(value: str) -> bool:
    return bool(stdnum_vat.is_valid(value))


@builtin(
    category="tax",
    examples=[
        ('normalize_vat_id("de 136.695.976")', "DE136695976"),
        ('normalize_vat_id("NL004495445B01")', "NL004495445B01"),
        ("normalize_vat_id(null)", None),
    ],
)
def normalize_vat_id(value: Any) -> Any:
    """A VAT id in compact form (no spaces or dots, upper case); an invalid id is an error."""
    if is_absent(value):
        return value
    text = require_text("normalize_vat_id", "value", value)
    try:
        return str(stdnum_vat.validate(text))
    except ValidationError as exc:
        fail(
            "normalize_vat_id",
            f"{text!r} is not a valid EU VAT id ({exc}); check it with valid_vat_id first",
        )


@builtin(
    category="tax",
    examples=[
        ('valid_iban("DE89 3704 0044 0532 0130 00")', True),
        ('valid_iban("DE89370400440532013001")', False),
        ("valid_iban(12)", False),
    ],
)
def valid_iban(value: Any) -> bool:
    """Whether a text is a well-formed IBAN with correct check digits (false if absent)."""
    if not isinstance(value, str):
        return False
    return bool(stdnum_iban.is_valid(value))


@builtin(
    category="tax",
    examples=[
        ('normalize_iban("de89 3704 0044 0532 0130 00")', "DE89370400440532013000"),
        ("normalize_iban(null)", None),
    ],
)
def normalize_iban(value: Any) -> Any:
    """An IBAN in compact form (no spaces, upper case); an invalid IBAN is an error."""
    if is_absent(value):
        return value
    text = require_text("normalize_iban", "value", value)
    try:
        return str(stdnum_iban.validate(text))
    except ValidationError as exc:
        fail(
            "normalize_iban",
            f"{text!r} is not a valid IBAN ({exc}); check it with valid_iban first",
        )
