"""split_street / join_street: the documented forms, and round trips on generated addresses."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mapwright.dsl.errors import MappingValueError
from mapwright.dsl.functions.addresses import join_street, split_street
from mapwright.dsl.values import MISSING


def parts(text: str, country: str = "DE") -> tuple[object, object, object]:
    result = split_street(text, country)
    return result["street"], result["number"], result["addition"]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Am Markt 3b", ("Am Markt", "3", "b")),
        ("Am Markt 3 b", ("Am Markt", "3", "b")),
        ("Hauptstr. 12-14", ("Hauptstr.", "12-14", MISSING)),
        ("Hauptstr. 12 - 14", ("Hauptstr.", "12-14", MISSING)),
        ("Hauptstr.12", ("Hauptstr.", "12", MISSING)),
        ("Keizersgracht 123 A", ("Keizersgracht", "123", "A")),
        ("Keizersgracht 123 hs", ("Keizersgracht", "123", "hs")),
        ("Straße des 17. Juni 135", ("Straße des 17. Juni", "135", MISSING)),
        ("Straße des 17. Juni", ("Straße des 17. Juni", MISSING, MISSING)),
        ("Musterweg 7 / 2", ("Musterweg", "7", "/2")),
        ("Musterweg 7/2/5", ("Musterweg", "7", "/2/5")),
        ("Laan van Meerdervoort 1001-A", ("Laan van Meerdervoort", "1001", "-A")),
        ("Calle Mayor, 5", ("Calle Mayor", "5", MISSING)),
        ("Postfach 1234", ("Postfach", "1234", MISSING)),
        ("  Am   Markt\t3b ", ("Am Markt", "3", "b")),
        ("Dorfstraße", ("Dorfstraße", MISSING, MISSING)),
        ("Am Markt 3 Berlin", ("Am Markt 3 Berlin", MISSING, MISSING)),
        ("12 14", ("12 14", MISSING, MISSING)),
    ],
)
def test_split_street_reads_number_last_forms(line: str, expected: tuple[object, ...]) -> None:
    assert parts(line) == expected


@pytest.mark.parametrize(
    ("line", "country", "expected"),
    [
        ("12 rue de la Paix", "FR", ("rue de la Paix", "12", MISSING)),
        ("12bis rue de la Paix", "FR", ("rue de la Paix", "12", "bis")),
        ("12 bis rue de la Paix", "France", ("rue de la Paix", "12", "bis")),
        ("221B Baker Street", "GB", ("Baker Street", "221", "B")),
        ("Baker Street", "GB", ("Baker Street", MISSING, MISSING)),
        ("12 rue de la Paix", "DE", ("12 rue de la Paix", MISSING, MISSING)),
    ],
)
def test_split_street_reads_number_first_forms_by_country(
    line: str, country: str, expected: tuple[object, ...]
) -> None:
    assert parts(line, country) == expected


def test_split_street_keeps_absent_and_blank_input_absent() -> None:
    assert split_street(MISSING) is MISSING
    assert split_street(None) is None
    assert split_street("   ") is None


def test_split_street_refuses_overlong_lines() -> None:
    with pytest.raises(MappingValueError, match="too long"):
        split_street("Hauptstraße " * 100 + "5")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("Am Markt", "3", "b"), "Am Markt 3b"),
        (("Keizersgracht", "123", "hs"), "Keizersgracht 123 hs"),
        (("Laan van Meerdervoort", "1001", "-A"), "Laan van Meerdervoort 1001-A"),
        (("Musterweg", "7", "/2"), "Musterweg 7/2"),
        (("rue de la Paix", "12", "bis", "FR"), "12 bis rue de la Paix"),
        (("Via Roma", "10", MISSING, "IT"), "Via Roma, 10"),
        (("Dorfstraße", None), "Dorfstraße"),
        ((MISSING, "5"), "5"),
        ((" Am Markt ", 3), "Am Markt 3"),
    ],
)
def test_join_street_writes_parts_in_country_order(args: tuple[object, ...], expected: str) -> None:
    assert join_street(*args) == expected


def test_join_street_accepts_the_object_from_split_street_and_a_country() -> None:
    assert join_street(split_street("12bis rue de la Paix", "FR"), "FR") == "12 bis rue de la Paix"


def test_join_street_of_nothing_is_absent() -> None:
    assert join_street(MISSING, MISSING) is MISSING
    assert join_street(None, MISSING) is None


# ---- round trips on generated addresses ----

LETTERS = "abcdefghijklmnopqrstuvwxyzäöüßéè"
word = st.text(alphabet=LETTERS, min_size=2, max_size=10).map(lambda w: w[0].upper() + w[1:])
street_name = st.one_of(
    st.builds(
        lambda w, s: w + s, word, st.sampled_from(["straße", "str.", "weg", "gracht", "laan"])
    ),
    st.builds(
        lambda p, w: f"{p} {w}", st.sampled_from(["Am", "An der", "Laan van", "Rue de"]), word
    ),
    st.builds(
        lambda d, m: f"Straße des {d}. {m}",
        st.integers(1, 31),
        st.sampled_from(["Juni", "Oktober", "März"]),
    ),
    st.builds(lambda d, w: f"Platz der {d} {w}", st.integers(1, 999), word),
    st.builds(lambda w1, w2: f"{w1}-{w2}-Allee", word, word),
)
house_number = st.one_of(
    st.integers(1, 99999).map(str),
    st.builds(lambda a, b: f"{a}-{a + b}", st.integers(1, 500), st.integers(1, 20)),
)
addition = st.one_of(
    st.just(MISSING),
    st.sampled_from(list("abcABC")),
    st.sampled_from(["bis", "hs", "III", "rd", "hoog"]),
    st.from_regex(r"-[A-Z][A-Z0-9]{0,3}", fullmatch=True),
    st.from_regex(r"/[A-Z0-9]{1,4}", fullmatch=True),
)
spaces = st.text(alphabet=" \t\u00a0", min_size=1, max_size=3)


@settings(deadline=None)
@given(street_name, house_number, addition)
def test_split_recovers_the_parts_that_join_wrote(street: str, number: str, extra: object) -> None:
    assert parts(join_street(street, number, extra)) == (street, number, extra)


@settings(deadline=None)
@given(street_name, house_number, addition)
def test_split_recovers_number_first_parts(street: str, number: str, extra: object) -> None:
    if isinstance(extra, str) and (extra[0] in "-/" or len(extra) > 1):
        extra = "bis"
    line = join_street(street, number, extra, "FR")
    assert parts(line, "FR") == (street, number, extra)


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@settings(deadline=None)
@given(street_name, spaces, house_number, st.sampled_from(["", " ", "  "]), addition)
def test_join_of_split_changes_only_whitespace_of_written_addresses(
    street: str, gap: str, number: str, gap2: str, extra: object
) -> None:
    line = f" {street}{gap}{number}{gap2 if extra is not MISSING else ''}{extra or ''} "
    assert _squeeze(join_street(split_street(line))) == _squeeze(line)


@settings(deadline=None)
@given(st.text(alphabet=LETTERS + "0123456789 .-/'", max_size=60))
def test_join_of_split_changes_only_whitespace_of_any_text(line: str) -> None:
    result = join_street(split_street(line))
    if line.strip():
        assert _squeeze(result) == _squeeze(line)
    else:
        assert result is None
