"""country_code: ISO codes, names in several languages, aliases."""

from __future__ import annotations

import pycountry
import pytest
from mapwright.dsl.errors import MappingValueError
from mapwright.dsl.functions.countries import country_code, fold


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Deutschland", "DE"),
        ("Duitsland", "DE"),
        ("Germany", "DE"),
        ("Alemania", "DE"),
        ("Allemagne", "DE"),
        ("Niederlande", "NL"),
        ("Nederland", "NL"),
        ("Países Bajos", "NL"),
        ("paises bajos", "NL"),
        ("België", "BE"),
        ("Belgien", "BE"),
        ("Österreich", "AT"),
        ("Oostenrijk", "AT"),
        ("Schweiz", "CH"),
        ("Vereinigte Staaten", "US"),
        ("U.S.A.", "US"),
        ("UK", "GB"),
        ("Großbritannien", "GB"),
        ("Holland", "NL"),
        ("Türkei", "TR"),
        ("Czech Republic", "CZ"),
        ("de", "DE"),
        ("DEU", "DE"),
        ("nld", "NL"),
        ("EL", "GR"),
    ],
)
def test_country_code_understands_names_codes_and_aliases(name: str, code: str) -> None:
    assert country_code(name) == code


def test_every_iso_code_maps_to_itself() -> None:
    for country in pycountry.countries:
        assert country_code(country.alpha_2) == country.alpha_2
        assert country_code(country.alpha_3) == country.alpha_2


def test_unknown_country_names_the_value() -> None:
    with pytest.raises(MappingValueError, match="unknown country 'Atlantis'"):
        country_code("Atlantis")


def test_fold_ignores_case_accents_and_punctuation() -> None:
    assert fold(" Côte-d'Ivoire ") == "cote divoire"
    assert fold("U.S.A.") == "usa"
