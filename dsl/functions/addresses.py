"""Street and house number: split one address line into parts, and join parts into one.

``split_street`` reads the forms used in Germany, Austria, Switzerland, the Netherlands and
Belgium, where the number comes last, and (with a number-first ``country`` such as ``"FR"``,
``"GB"`` or ``"US"``) the forms where it comes first:

| line | street | number | addition |
|---|---|---|---|
| ``Am Markt 3b`` | ``Am Markt`` | ``3`` | ``b`` |
| ``Hauptstr. 12-14`` | ``Hauptstr.`` | ``12-14`` | |
| ``Keizersgracht 123 A`` | ``Keizersgracht`` | ``123`` | ``A`` |
| ``Straße des 17. Juni 135`` | ``Straße des 17. Juni`` | ``135`` | |
| ``Musterweg 7 / 2`` | ``Musterweg`` | ``7`` | ``/2`` |
| ``Laan van Meerdervoort 1001-A`` | ``Laan van Meerdervoort`` | ``1001`` | ``-A`` |
| ``12bis rue de la Paix`` (country ``FR``) | ``rue de la Paix`` | ``12`` | ``bis`` |
| ``Rue Neuve 45 bus 3`` | ``Rue Neuve`` | ``45`` | ``bus 3`` |
| ``Avenue Louise 12 b 4`` | ``Avenue Louise`` | ``12`` | ``b 4`` |
| ``Stationsweg 123-2`` | ``Stationsweg`` | ``123`` | ``-2`` |
| ``Hauptplatz 1/2/3`` | ``Hauptplatz`` | ``1`` | ``/2/3`` |
| ``Dorfstraße`` | ``Dorfstraße`` | | |

Rules: the house number is the last group of digits (a range ``12-14`` included) that is
followed only by an addition. An addition is up to three short parts: letters right after
the digits (``3b``), a word of up to four letters after a space (``123 A``, ``12 bis``), a
``-``/``/`` with up to ten letters or digits (``-A``, ``/2``), or a **box**: one of the
words ``bus``, ``boîte``/``boite``, ``bte``, ``bt``, ``b`` (Belgium) or ``Top``,
``Stiege``/``Stg``, ``Tür`` (Austria), then a space or a dot and up to six letters or
digits (``bus 3``, ``bte 12``, ``b. 4``, ``Top 5``). A line with a box is read with the box
first, so the digits after ``bus`` are never taken for the house number; a street whose
name ends in a number followed by such a word (``Platz der 5 Bus 7``) is read the same way.

``-`` followed by digits is a range (``12-14``, ``3-5``) when the second number is larger;
otherwise, and always with country ``NL`` (where ``123-2`` is house 123, addition 2), the
dash and what follows are the addition. The ``-`` or ``/`` stays in the addition because
it carries meaning (``7/2`` is door 2 of house 7 in Austria). Digits after a space are read
as the house number, so in ``Keizersgracht 123 2 hoog`` the number is ``2``: such lines
need a pattern of their own.

Spaces are normalised: ``join_street(split_street(x))`` gives ``x`` up to whitespace,
except that a comma between street and number is dropped (``Calle Mayor, 5``) unless the
join country writes one (``ES``, ``IT``). For number-first lines pass the same country to
both (``join_street(split_street(x, "FR"), "FR")``).
"""

from __future__ import annotations

import re
from typing import Any

from mapwright.dsl.functions.arguments import fail, require_text, text_of
from mapwright.dsl.functions.countries import country_code
from mapwright.dsl.functions.registry import builtin
from mapwright.dsl.values import MISSING, is_absent

NUMBER_FIRST = frozenset({"FR", "LU", "MC", "GB", "IE", "US", "CA", "AU", "NZ"})
"""Countries that write the house number before the street ("12 rue de la Paix")."""

COMMA_BEFORE_NUMBER = frozenset({"ES", "IT"})
"""Countries that write a comma between street and number ("Via Roma, 10")."""

MAX_LINE = 500

_LETTER = r"[^\W\d_]"
_NUMBER = r"\d{1,6}(?: ?- ?\d{1,6})?"
_BOX = r" (?i:bus|bo[iî]te|bte|bt|b|top|stiege|stg|t[üu]r)(?:\. ?| )[^\W_]{1,6}"
"""A box or door after the number: ``bus 3``, ``boîte 12``, ``bte 3``, ``b 4`` (BE),
``Top 5``, ``Stiege 2``, ``Tür 7`` (AT)."""
_GLUED = rf"(?:{_LETTER}{{1,3}}(?!{_LETTER}))?"
_PART = rf"(?: ?[-/] ?[^\W_]{{1,10}}| {_LETTER}{{1,4}})"
_ADDITION = rf"{_GLUED}(?:{_PART}|{_BOX}){{0,3}}"
_BOXED = rf"{_GLUED}{_PART}{{0,2}}{_BOX}(?:{_PART}|{_BOX}){{0,1}}"
_STREET_THEN = r"(?P<street>.*[^ ,/-])(?: ?, ?| |(?<=\.))"
_NUMBER_LAST = re.compile(rf"{_STREET_THEN}(?P<number>{_NUMBER})(?P<addition>{_ADDITION})")
_NUMBER_LAST_BOXED = re.compile(rf"{_STREET_THEN}(?P<number>{_NUMBER})(?P<addition>{_BOXED})")
_RANGE = re.compile(r"(?P<low>\d+) ?- ?(?P<high>\d+)")
_NUMBER_FIRST = re.compile(
    rf"(?P<number>{_NUMBER})(?P<addition>{_LETTER}{{1,3}}(?!{_LETTER})|(?i: (?:bis|ter|quater)))?"
    r"(?: ?, ?| )(?P<street>.*)"
)


def _country(function: str, country: Any) -> str:
    if is_absent(country):
        return "DE"
    code = country_code(require_text(function, "country", country))
    return str(code)


def _clean_addition(text: str) -> Any:
    text = re.sub(r" ?([-/]) ?", r"\1", text.strip())
    return text or MISSING


def _has_letter(text: str) -> bool:
    return any(c.isalpha() for c in text)


@builtin(
    category="addresses",
    examples=[
        ('split_street("Am Markt 3b")', {"street": "Am Markt", "number": "3", "addition": "b"}),
        ('split_street("Hauptstr. 12-14")', {"street": "Hauptstr.", "number": "12-14"}),
        (
            'split_street("Keizersgracht 123 A")',
            {"street": "Keizersgracht", "number": "123", "addition": "A"},
        ),
        (
            'split_street("Straße des 17. Juni 135")',
            {"street": "Straße des 17. Juni", "number": "135"},
        ),
        (
            'split_street("Musterweg 7 / 2")',
            {"street": "Musterweg", "number": "7", "addition": "/2"},
        ),
        (
            'split_street("Laan van Meerdervoort 1001-A")',
            {"street": "Laan van Meerdervoort", "number": "1001", "addition": "-A"},
        ),
        (
            'split_street("12bis rue de la Paix", "FR")',
            {"street": "rue de la Paix", "number": "12", "addition": "bis"},
        ),
        (
            'split_street("Rue Neuve 45 bus 3")',
            {"street": "Rue Neuve", "number": "45", "addition": "bus 3"},
        ),
        (
            'split_street("Stationsweg 123-2", "NL")',
            {"street": "Stationsweg", "number": "123", "addition": "-2"},
        ),
        ('split_street("Am Markt 3-5")', {"street": "Am Markt", "number": "3-5"}),
        ('split_street("Dorfstraße")', {"street": "Dorfstraße"}),
    ],
)
def split_street(text: Any, country: Any = "DE") -> Any:
    """Split an address line into ``street``, house ``number`` and ``addition``.

    Parts that are not there are missing (``d.number`` then writes nothing). ``country``
    (default ``"DE"``) decides whether the number is looked for at the end or, for FR, LU,
    GB, IE, US, CA, AU and NZ, at the start; with ``"NL"`` a dash after the number always
    starts the addition (``123-2``). Belgian and Austrian boxes and doors (``bus 3``,
    ``bte 3``, ``Top 5``) are part of the addition. A line without a number is all street;
    blank text gives null.
    """
    if is_absent(text):
        return text
    line = " ".join(require_text("split_street", "text", text).split())
    if not line:
        return None
    if len(line) > MAX_LINE:
        fail(
            "split_street",
            f"an address line of {len(line):,} characters is too long (limit {MAX_LINE})",
        )
    code = _country("split_street", country)
    if code in NUMBER_FIRST:
        found = _NUMBER_FIRST.fullmatch(line)
    else:
        found = _NUMBER_LAST_BOXED.fullmatch(line)
        if found is None or not _has_letter(found.group("street")):
            found = _NUMBER_LAST.fullmatch(line)
    if found is None or not _has_letter(found.group("street")):
        return {"street": line, "number": MISSING, "addition": MISSING}
    number = found.group("number").replace(" ", "")
    addition = found.group("addition") or ""
    span = _RANGE.fullmatch(number)
    if span is not None and (code == "NL" or int(span["high"]) <= int(span["low"])):
        number, addition = span["low"], f"-{span['high']}{addition}"
    return {
        "street": found.group("street"),
        "number": number,
        "addition": _clean_addition(addition),
    }


@builtin(
    category="addresses",
    examples=[
        ('join_street("Am Markt", "3", "b")', "Am Markt 3b"),
        ('join_street("Keizersgracht", 123, "hs")', "Keizersgracht 123 hs"),
        ('join_street("rue de la Paix", "12", "bis", "FR")', "12 bis rue de la Paix"),
        ('join_street("Via Roma", 10, null, "IT")', "Via Roma, 10"),
        ('join_street(split_street("Musterweg 7 / 2"))', "Musterweg 7/2"),
        ('join_street("Dorfstraße", null)', "Dorfstraße"),
    ],
)
def join_street(
    street: Any, number: Any = MISSING, addition: Any = MISSING, country: Any = "DE"
) -> Any:
    """Join street, house number and addition into one address line.

    The order follows ``country`` (number first for FR, LU, GB, IE, US, CA, AU, NZ). A
    one-letter addition or one starting with ``-`` or ``/`` is written right after the number
    (``3b``, ``1001-A``), others after a space (``12 bis``). ``street`` may also be the
    object from ``split_street``; then the second argument, if given, is the country.
    """
    if isinstance(street, dict):
        if not is_absent(number):
            country = number
        street, number, addition = (
            street.get(k, MISSING) for k in ("street", "number", "addition")
        )
    parts = [street, number, addition]
    if all(is_absent(part) for part in parts):
        return None if any(part is None for part in parts) else MISSING
    name = "" if is_absent(street) else require_text("join_street", "street", street).strip()
    house = "" if is_absent(number) else text_of("join_street", "number", number).strip()
    extra = "" if is_absent(addition) else text_of("join_street", "addition", addition).strip()
    if extra:
        glued = len(extra) == 1 and extra.isalpha() or extra[0] in "-/"
        house = f"{house}{extra}" if glued else f"{house} {extra}".strip()
    code = _country("join_street", country)
    if not house:
        return name
    if not name:
        return house
    if code in NUMBER_FIRST:
        return f"{house} {name}"
    return f"{name}, {house}" if code in COMMA_BEFORE_NUMBER else f"{name} {house}"
