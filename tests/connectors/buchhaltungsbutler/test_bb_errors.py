"""BB answers are classified by (endpoint, error_code) and status, never by message text."""

from __future__ import annotations

import pytest
from mapwright.connectors.buchhaltungsbutler.errors import (
    RecordNotFound,
    WriteOutcomeUnknown,
    classify,
    endpoint_pattern,
)
from mapwright.connectors.errors import (
    AuthError,
    FatalError,
    QuotaExhausted,
    RetriableError,
    SkippableError,
)


def answer(code: int, message: str = "whatever BB says") -> dict:
    return {"success": False, "error_code": code, "message": message}


CASES = [
    # endpoint, status, code, write, expected class
    ("/accounts/get", 401, 3, False, AuthError),
    ("/receipts/add", 401, 4, True, AuthError),
    ("/receipts/get", 403, 11, False, FatalError),
    ("/receipts/addBatch", 403, 15, True, RetriableError),
    ("/receipts/get", 400, 15, False, FatalError),  # code 15 here = invalid sort field
    ("/receipts/get", 429, 15, False, RetriableError),
    ("/receipts/upload", 403, 12, True, QuotaExhausted),
    ("/invoices/create", 403, 33, True, QuotaExhausted),
    ("/receipts/upload", 422, 31, True, SkippableError),
    ("/receipts/get/17", 400, 5, False, RecordNotFound),
    ("/receipts/get", 400, 5, False, FatalError),  # missing list_direction: a config fault
    ("/settings/update/debtor", 400, 24, True, RecordNotFound),
    ("/settings/add/debtor", 400, 24, True, SkippableError),  # 24 means nothing special here
    ("/settings/add/debtor", 400, 7, True, SkippableError),
    ("/comments/add", 400, 10, True, RecordNotFound),
    ("/accounts/get", 500, 0, False, RetriableError),
    ("/postings/get", 504, 30, False, RetriableError),
    ("/receipts/add", 504, 30, True, WriteOutcomeUnknown),
    ("/receipts/get", 400, 23, False, FatalError),
]


@pytest.mark.parametrize(("endpoint", "status", "code", "write", "expected"), CASES)
def test_classification_by_endpoint_and_code(endpoint, status, code, write, expected):
    error = classify(endpoint, status, answer(code), write=write, content_type="application/json")
    assert type(error) is expected
    assert error.status == status and error.code == str(code) and error.endpoint == endpoint


def test_the_message_text_does_not_change_the_class():
    one = classify(
        "/receipts/addBatch", 403, answer(15, "adding temporarily restricted"), write=True
    )
    other = classify("/receipts/addBatch", 403, answer(15, "upload limit reached"), write=True)
    assert type(one) is type(other) is RetriableError


def test_a_lost_write_answer_may_have_committed():
    error = classify("/settings/add/debtor", 504, answer(30), write=True)
    assert isinstance(error, RetriableError) and error.maybe_committed is True
    read = classify("/settings/get/debtors", 504, answer(30), write=False)
    assert getattr(read, "maybe_committed", False) is False


def test_html_404_is_fatal_and_points_at_the_base_url():
    error = classify("/postings/reservations/get", 404, None, write=False, content_type="text/html")
    assert isinstance(error, FatalError) and "base_url" in error.message


def test_unknown_codes_fall_back_to_the_status():
    assert isinstance(classify("/receipts/add", 400, answer(77), write=True), SkippableError)
    assert isinstance(classify("/postings/get", 400, answer(77), write=False), FatalError)
    assert isinstance(classify("/postings/get", 502, None, write=False), RetriableError)
    assert isinstance(classify("/postings/get", 429, {"error": "x"}, write=False), RetriableError)


def test_error_codes_sent_as_strings_are_read_as_numbers():
    error = classify("/settings/update/creditor", 400, answer("24"), write=True)  # type: ignore[arg-type]
    assert isinstance(error, RecordNotFound) and error.code == "24"


@pytest.mark.parametrize(
    ("path", "pattern"),
    [
        ("/receipts/get/17", "/receipts/get/<id>"),
        ("/receipts/delete/3", "/receipts/delete/<id>"),
        ("/receipts/get", "/receipts/get"),
        ("/settings/get/debtors", "/settings/get/debtors"),
    ],
)
def test_id_segments_are_folded_into_the_endpoint_pattern(path, pattern):
    assert endpoint_pattern(path) == pattern
