"""Field checks of the BB sandbox, each raising BB's 400 ``invalid <field> specified``.

Types follow the spec: where it declares a number (``number``) or an integer (``integer(...,
strict=True)``), a JSON string such as ``"119.00"`` is refused. Form bodies (which BB also
accepts) carry every value as text, so inside ``form_body()`` the string spelling of numbers and
booleans is accepted. Fields the spec declares as strings (``/invoices/create`` ``item_*``,
``/postings/add/free`` ``amount``) are read with ``amount``, which takes text and numbers.
Empty strings are rejected like BB does for most optional fields (reference notes quirk 9).
"""

from __future__ import annotations

import datetime as dt
import gettext
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

import pycountry

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ZIP = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 -]{1,11}$")
VAT_ID = re.compile(r"^[A-Z]{2}[A-Z0-9+*]{2,13}$")
#: receipt and transaction currencies: the 48 codes BB's spec lists (AED ... ZAR, incl. the
#: obsolete CYP, LTL, SIT...; reference notes §4; the code list from BB's ``Transaction`` and
#: ``Receipt`` definitions)
CURRENCIES = frozenset(
    [
        "AED",
        "AUD",
        "BGN",
        "BRL",
        "CAD",
        "CHF",
        "CNY",
        "COP",
        "CYP",
        "CZK",
        "DKK",
        "EUR",
        "GBP",
        "HKD",
        "HRK",
        "HUF",
        "IDR",
        "ILS",
        "INR",
        "ISK",
        "JPY",
        "KRW",
        "LTL",
        "LVL",
        "MTL",
        "MXN",
        "MYR",
        "NOK",
        "NZD",
        "PEN",
        "PHP",
        "PLN",
        "QAR",
        "ROL",
        "RON",
        "RSD",
        "RUB",
        "SEK",
        "SGD",
        "SIT",
        "SKK",
        "THB",
        "TRL",
        "TRY",
        "UAH",
        "USD",
        "VND",
        "ZAR",
    ]
)
_FORM = ContextVar("bb_sandbox_form_body", default=False)


@contextmanager
def form_body(flag: bool) -> Iterator[None]:
    """Within this block the body came form-encoded: numbers may arrive as text."""
    token = _FORM.set(flag)
    try:
        yield
    finally:
        _FORM.reset(token)


class BBError(Exception):
    """An error answer: HTTP ``status`` with BB's envelope (``error_code``, ``message``)."""

    def __init__(self, status: int, code: int, message: str):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def invalid(code: int, field: str) -> BBError:
    return BBError(400, code, f"invalid {field} specified")


def _present(body: dict[str, Any], name: str, code: int, required: bool, label: str = "") -> Any:
    if name not in body or body[name] is None:
        if required:
            raise invalid(code, label or name)
        return None
    if body[name] == "":
        raise invalid(code, label or name)
    return body[name]


def text(
    body: dict[str, Any],
    name: str,
    code: int,
    *,
    required: bool = False,
    max_len: int = 255,
    label: str = "",
) -> str | None:
    value = _present(body, name, code, required, label)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise invalid(code, label or name)
    value = str(value).strip()
    if not value or len(value) > max_len:
        raise invalid(code, label or name)
    return value


def amount(body: dict[str, Any], name: str, code: int, *, required: bool = False) -> Decimal | None:
    value = _present(body, name, code, required)
    if value is None:
        return None
    if isinstance(value, bool):
        raise invalid(code, name)
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise invalid(code, name) from None
    if not number.is_finite():
        raise invalid(code, name)
    return number


def number(
    body: dict[str, Any], name: str, code: int, *, required: bool = False, label: str = ""
) -> Decimal | None:
    """A field the spec declares as a JSON number: a string is refused (unless form-encoded)."""
    value = _present(body, name, code, required, label)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise invalid(code, label or name)
    if isinstance(value, str) and not _FORM.get():
        raise invalid(code, label or name)
    try:
        found = Decimal(str(value).strip())
    except InvalidOperation:
        raise invalid(code, label or name) from None
    if not found.is_finite():
        raise invalid(code, label or name)
    return found


def integer(
    body: dict[str, Any],
    name: str,
    code: int,
    *,
    required: bool = False,
    minimum: int = 0,
    strict: bool = False,
    label: str = "",
) -> int | None:
    """An integer; ``strict`` (the spec declares an int): a JSON string is refused."""
    value = _present(body, name, code, required, label)
    if value is None:
        return None
    if strict and not _FORM.get() and not isinstance(value, int):
        raise invalid(code, label or name)
    if isinstance(value, bool) or not re.fullmatch(r"-?\d+", str(value).strip()):
        raise invalid(code, label or name)
    whole = int(str(value).strip())
    if whole < minimum:
        raise invalid(code, label or name)
    return whole


def date(
    body: dict[str, Any], name: str, code: int, *, required: bool = False, label: str = ""
) -> str | None:
    value = _present(body, name, code, required, label)
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(str(value)).isoformat() if len(str(value)) == 10 else _bad()
    except ValueError:
        raise invalid(code, label or name) from None


def datetime(
    body: dict[str, Any],
    name: str,
    code: int,
    *,
    required: bool = False,
    date_only: bool = True,
    label: str = "",
) -> str | None:
    """``YYYY-MM-DD HH:MM:SS``; with ``date_only`` a date alone means the end of that day
    (23:59:59, the ``date_since_last_modified`` rule)."""
    value = _present(body, name, code, required, label)
    if value is None:
        return None
    raw = str(value)
    try:
        if len(raw) == 10 and date_only:
            return dt.date.fromisoformat(raw).isoformat() + " 23:59:59"
        return dt.datetime.strptime(raw, "%Y-%m-%d %H:%M:%S").strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        raise invalid(code, label or name) from None


def _bad() -> str:
    raise ValueError("not YYYY-MM-DD")


def boolean(body: dict[str, Any], name: str, code: int) -> bool | None:
    value = _present(body, name, code, False)
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    spelled = {"1": True, "0": False, "true": True, "false": False}
    key = str(value).lower()
    if key not in spelled:
        raise invalid(code, name)
    return spelled[key]


def choice(
    body: dict[str, Any],
    name: str,
    code: int,
    options: tuple[str, ...],
    *,
    required: bool = False,
    label: str = "",
) -> str | None:
    value = _present(body, name, code, required, label)
    if value is None:
        return None
    if value not in options:
        raise invalid(code, label or name)
    return str(value)


@cache
def _german_country_names() -> dict[str, str]:
    german = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["de"])
    return {german.gettext(c.name).casefold(): c.alpha_2 for c in pycountry.countries}


def country(body: dict[str, Any], name: str, code: int) -> str | None:
    """ISO 3166-1 alpha-2 or the German country name -> ISO-2; English names are refused."""
    value = text(body, name, code)
    if value is None:
        return None
    if len(value) == 2 and pycountry.countries.get(alpha_2=value.upper()):
        return value.upper()
    found = _german_country_names().get(value.casefold())
    if found is None:
        raise invalid(code, name)
    return found


def email(body: dict[str, Any], name: str, code: int) -> str | None:
    value = text(body, name, code)
    if value is not None and not EMAIL.match(value):
        raise invalid(code, name)
    return value


def pattern(body: dict[str, Any], name: str, code: int, regex: re.Pattern[str]) -> str | None:
    value = text(body, name, code)
    if value is not None and not regex.match(value):
        raise invalid(code, name)
    return value


def paging(
    body: dict[str, Any], *, default: int, maximum: int, limit_code: int, offset_code: int
) -> tuple[int, int]:
    """``limit``/``offset``: above ``maximum`` or below 1 is a 400, never clamped."""
    limit = integer(body, "limit", limit_code, minimum=1)
    offset = integer(body, "offset", offset_code, minimum=0)
    limit = default if limit is None else limit
    if limit > maximum:
        raise invalid(limit_code, "limit")
    return limit, offset or 0


def money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))
