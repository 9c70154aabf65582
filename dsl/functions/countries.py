"""Country names and codes to ISO 3166-1 alpha-2 codes.

``country_code`` accepts ISO alpha-2 and alpha-3 codes and country names in English,
German, Dutch, Spanish, French and Italian, plus common aliases ("UK", "Holland", "USA").
The name index is built once, on first use, from ``pycountry`` and its gettext translations.
Names are compared case-, accent- and punctuation-insensitively ("Österreich" = "osterreich",
"U.S.A." = "usa").
"""

from __future__ import annotations

import functools
import gettext
import unicodedata
from typing import Any

import pycountry
from mapwright.dsl.functions.arguments import fail, require_text
from mapwright.dsl.functions.registry import builtin
from mapwright.dsl.values import is_absent

LANGUAGES = ("de", "nl", "es", "fr", "it")
"""Languages whose country names are understood, besides English."""

ALIASES = {
    "UK": "GB",
    "EL": "GR",
    "Great Britain": "GB",
    "Großbritannien": "GB",
    "Groot-Brittannië": "GB",
    "Gran Bretaña": "GB",
    "England": "GB",
    "Engeland": "GB",
    "Scotland": "GB",
    "Wales": "GB",
    "Northern Ireland": "GB",
    "Holland": "NL",
    "Holanda": "NL",
    "The Netherlands": "NL",
    "USA": "US",
    "America": "US",
    "Amerika": "US",
    "United States of America": "US",
    "Turkey": "TR",
    "Russland": "RU",
    "Rusland": "RU",
    "Rusia": "RU",
    "Tschechische Republik": "CZ",
    "Südkorea": "KR",
    "Zuid-Korea": "KR",
    "Corea del Sur": "KR",
    "Vatican": "VA",
}
"""Common names that are not in the ISO tables (``EL`` is Greece's prefix in EU VAT ids)."""


def fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form of a name: ``"Côte-d'Ivoire"`` ->
    ``"cote divoire"``, ``"U.S.A."`` -> ``"usa"``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = (c for c in decomposed if not unicodedata.combining(c) and c not in ".'’")
    letters = "".join(c if c.isalnum() else " " for c in kept)
    return " ".join(letters.split())


@functools.cache
def name_index() -> dict[str, str]:
    """Folded name or code -> alpha-2 code, for every country and language."""
    translations = [
        gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang])
        for lang in LANGUAGES
    ]
    index: dict[str, str] = {}
    for country in pycountry.countries:
        code = country.alpha_2
        index[fold(country.alpha_3)] = code
        for attr in ("name", "official_name", "common_name"):
            english = getattr(country, attr, None)
            if not english:
                continue
            index.setdefault(fold(english), code)
            for translation in translations:
                index.setdefault(fold(translation.gettext(english)), code)
    for alias, code in ALIASES.items():
        index[fold(alias)] = code
    for country in pycountry.countries:
        index[fold(country.alpha_2)] = country.alpha_2
    return index


@builtin(
    category="addresses",
    examples=[
        ('country_code("Deutschland")', "DE"),
        ('country_code("Duitsland")', "DE"),
        ('country_code("Países Bajos")', "NL"),
        ('country_code("österreich")', "AT"),
        ('country_code("NLD")', "NL"),
        ('country_code("UK")', "GB"),
        ('country_code(" de ")', "DE"),
        ("country_code(null)", None),
    ],
)
def country_code(name_or_code: Any) -> Any:
    """The ISO 3166-1 alpha-2 code of a country name or code ("Deutschland" -> "DE").

    Understands ISO alpha-2/alpha-3 codes, names in English, German, Dutch, Spanish, French
    and Italian, and aliases such as "UK", "Holland" or "USA". Unknown names are an error.
    """
    if is_absent(name_or_code):
        return name_or_code
    text = require_text("country_code", "name_or_code", name_or_code)
    code = _code_of(text) if len(text) <= _CACHED_NAME else name_index().get(fold(text))
    if code is None:
        fail(
            "country_code",
            f'unknown country {text!r}; use an ISO code such as "DE" or a country name in '
            "English, German, Dutch, Spanish, French or Italian",
        )
    return code


_CACHED_NAME = 200
"""Names up to this long are remembered (records repeat the same few countries)."""


@functools.lru_cache(maxsize=4096)
def _code_of(text: str) -> str | None:
    return name_index().get(fold(text))
