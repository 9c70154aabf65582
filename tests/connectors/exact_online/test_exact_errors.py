"""Error classification, OData literals and dates, and the sandbox's filter parser."""

from __future__ import annotations

import httpx
import pytest
from mapwright.connectors.errors import (
    AuthError,
    FatalError,
    QuotaExhausted,
    RetriableError,
    SkippableError,
)
from mapwright.connectors.exact_online import odata
from mapwright.connectors.exact_online.errors import classify
from mapwright.connectors.exact_online.sandbox.filters import FilterError, evaluate, parse

URL = "https://start.exactonline.nl/api/v1/123/crm/Accounts"
NOW = 1_800_000_000.0


def answer(method: str, status: int, body: object = None, **headers: str) -> httpx.Response:
    request = httpx.Request(method, URL)
    if body is None:
        return httpx.Response(status, headers=headers, request=request)
    return httpx.Response(status, json=body, headers=headers, request=request)


def odata_body(text: str) -> dict:
    return {"error": {"code": "", "message": {"lang": "", "value": text}}}


@pytest.mark.parametrize(
    ("method", "status", "body", "headers", "expected"),
    [
        ("GET", 200, {"d": {}}, {}, None),
        ("POST", 400, odata_body("Mandatory: Name"), {}, SkippableError),
        ("GET", 400, odata_body("Error in query syntax"), {}, FatalError),
        ("GET", 401, None, {}, AuthError),
        ("POST", 403, odata_body("Forbidden - WrongDivision"), {}, AuthError),
        ("PUT", 404, odata_body("Not found"), {}, SkippableError),
        ("GET", 404, odata_body("Resource not found"), {}, FatalError),
        ("POST", 500, odata_body("Gegeven bestaat reeds."), {}, SkippableError),
        ("POST", 500, None, {}, RetriableError),
        ("GET", 500, odata_body("oops"), {}, RetriableError),
        ("PUT", 503, None, {}, RetriableError),
        (
            "GET",
            429,
            None,
            {
                "X-RateLimit-Minutely-Remaining": "0",
                "X-RateLimit-Minutely-Reset": str(int((NOW + 30) * 1000)),
            },
            RetriableError,
        ),
        (
            "GET",
            429,
            None,
            {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int((NOW + 3600) * 1000))},
            QuotaExhausted,
        ),
    ],
)
def test_classification(method, status, body, headers, expected) -> None:
    error = classify(answer(method, status, body, **headers), clock=lambda: NOW)
    if expected is None:
        assert error is None
    else:
        assert error is not None and type(error) is expected
        assert error.status == status and error.endpoint == "crm/Accounts"


def test_exact_message_and_reason_reach_the_error() -> None:
    error = classify(answer("POST", 400, odata_body("Verplicht: Besteld door"), Reason="Something"))
    assert "Verplicht: Besteld door" in str(error) and "Something" in str(error)


def test_minutely_429_waits_until_the_reset() -> None:
    error = classify(
        answer("GET", 429, None, **{"X-RateLimit-Minutely-Reset": str(int((NOW + 30) * 1000))}),
        clock=lambda: NOW,
    )
    assert isinstance(error, RetriableError) and error.retry_after == pytest.approx(31)


def test_daily_429_says_when_it_resets() -> None:
    error = classify(
        answer(
            "GET", 429, None, **{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1800003600000"}
        )
    )
    assert isinstance(error, QuotaExhausted) and error.resets_at == 1_800_003_600


@pytest.mark.parametrize(
    ("value", "edm", "text"),
    [
        ("O'Brien", "String", "'O''Brien'"),
        (
            "5B7F4515-0000-0000-0000-000000000001",
            "Guid",
            "guid'5b7f4515-0000-0000-0000-000000000001'",
        ),
        ("2024-01-31T10:00:00Z", "DateTime", "datetime'2024-01-31T10:00:00'"),
        ("/Date(1706695200000)/", "DateTime", "datetime'2024-01-31T10:00:00'"),
        ("42", "Int32", "42"),
        (True, "Boolean", "true"),
    ],
)
def test_literals(value, edm, text) -> None:
    assert odata.literal(value, edm) == text


def test_bad_guid_is_refused_locally() -> None:
    with pytest.raises(ValueError, match="not a guid"):
        odata.literal("12", "Guid")


def test_dates_round_trip() -> None:
    moment = odata.parse_date("/Date(1641034800000)/")
    assert moment is not None and odata.format_date(moment) == "/Date(1641034800000)/"


def test_account_code_padding() -> None:
    assert odata.pad_account_code(" 25") == " " * 16 + "25"
    with pytest.raises(ValueError, match="18"):
        odata.pad_account_code("1" * 19)


def test_envelopes() -> None:
    body = {
        "d": {
            "results": [{"__metadata": {}, "ID": "a", "Lines": {"__deferred": {}}}],
            "__next": "https://x/next",
        }
    }
    assert [odata.clean(r) for r in odata.results(body)] == [{"ID": "a"}]
    assert odata.next_link(body) == "https://x/next"
    assert odata.results({"d": [{"ID": "b"}]}) == [{"ID": "b"}]
    assert odata.next_link({"d": {"results": []}}) is None


ROW = {
    "Name": "Müller GmbH",
    "Code": "              25",
    "ID": "5b7f4515-0000-0000-0000-0000000000aa",
    "Modified": 1706695200000,
    "Amount": 12.5,
    "Blocked": False,
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Name eq 'müller gmbh'", True),
        ("trim(Code) eq '25'", True),
        ("Code eq '25'", False),
        ("ID eq guid'5B7F4515-0000-0000-0000-0000000000AA'", True),
        ("Modified ge datetime'2024-01-31T10:00:00'", True),
        ("Modified gt datetime'2024-01-31T10:00:00'", False),
        ("Amount gt 12 and not Blocked", True),
        ("startswith(Name,'Mül') or Amount lt 0", True),
        ("substringof('GmbH',Name)", True),
        ("(Amount le 1 or Amount ge 100) and Blocked eq false", False),
        ("Name eq 'O''Brien'", False),
    ],
)
def test_filter_subset(text, expected) -> None:
    assert evaluate(parse(text, set(ROW)), ROW.get) is expected


@pytest.mark.parametrize("text", ["Name eq", "Nope eq 1", "Name eq 'x' and", "length(Name) eq 1"])
def test_filter_errors(text) -> None:
    with pytest.raises(FilterError):
        parse(text, set(ROW))
