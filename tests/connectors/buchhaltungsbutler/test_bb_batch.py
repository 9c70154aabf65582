"""Batch answers become one WriteResult per record, whatever order BB reports them in."""

from __future__ import annotations

import json

import httpx
from mapwright.connectors.base import ConnectionConfig
from mapwright.connectors.buchhaltungsbutler.client import BuchhaltungsButler
from mapwright.connectors.buchhaltungsbutler.errors import WriteOutcomeUnknown
from mapwright.connectors.buchhaltungsbutler.records import correlate
from mapwright.connectors.buchhaltungsbutler.testing import FakeClock
from mapwright.connectors.errors import ConnectorError, SkippableError

UNKNOWN = WriteOutcomeUnknown("no answer")


def refused(failure: dict) -> ConnectorError:
    return SkippableError(failure["message"], code=str(failure["error_code"]))


def test_failures_are_matched_by_their_request_data_in_any_order():
    sent = [
        {"name": "A"},
        {"name": "B", "country": "Germany"},
        {"name": "C"},
        {"name": "D", "zip": ""},
    ]
    errors = [
        {"success": False, "error_code": 13, "message": "invalid zip", "request_data": sent[3]},
        {"success": False, "error_code": 16, "message": "invalid country", "request_data": sent[1]},
    ]
    items = [
        {"success": True, "postingaccount_number": "10041"},
        {"success": True, "postingaccount_number": "10042"},
    ]
    paired = correlate(sent, items, errors, make_error=refused, unknown=UNKNOWN)
    outcomes = [
        reply["postingaccount_number"] if reply else getattr(error, "code", None)
        for reply, error in paired
    ]
    assert outcomes == [
        "10041",
        "16",
        "10042",
        "13",
    ]


def test_request_data_echoed_with_strings_for_numbers_still_matches():
    sent = [{"amount": 10.5, "type": "invoice outbound"}, {"amount": 0, "type": "invoice outbound"}]
    errors = [
        {
            "error_code": 9,
            "message": "invalid amount",
            "request_data": {"amount": "0.00", "type": "invoice outbound"},
        }
    ]
    paired = correlate(sent, [{"id_by_customer": "7"}], errors, make_error=refused, unknown=UNKNOWN)
    assert paired[0] == ({"id_by_customer": "7"}, None)
    assert paired[1][1] is not None and paired[1][1].code == "9"


def test_records_without_any_answer_get_the_unknown_outcome():
    sent = [{"name": "A"}, {"name": "B"}]
    paired = correlate(
        sent, [{"postingaccount_number": "10001"}], [], make_error=refused, unknown=UNKNOWN
    )
    assert paired[0][0] == {"postingaccount_number": "10001"}
    assert paired[1] == (None, UNKNOWN)


async def test_records_missing_required_fields_are_refused_before_any_call():
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        body = {
            "success": True,
            "debtors": [{"success": True, "postingaccount_number": "10077"}],
            "errors": [],
        }
        return httpx.Response(200, json=body)

    clock = FakeClock()
    connector = BuchhaltungsButler(
        ConnectionConfig(
            kind="buchhaltungsbutler",
            base_url="http://bb.mock/api/v1",
            credentials={"api_client": "c", "api_secret": "s", "api_key": "k"},
        ),
        transport=httpx.MockTransport(handler),
        clock=clock,
        sleep=clock.sleep,
        wall_clock=clock,
    )
    results = await connector.create_batch("debtors", [{"name": ""}, {"name": "Weiß KG"}])
    assert isinstance(results[0].error, SkippableError) and "name" in results[0].error.message
    assert results[1].record == {"name": "Weiß KG", "postingaccount_number": "10077"}
    assert len(calls) == 1
    assert json.loads(calls[0].content) == {"api_key": "k", "debtors": [{"name": "Weiß KG"}]}


async def test_a_lost_batch_answer_marks_its_records_as_maybe_committed(pair):
    from mapwright.connectors.faults import fault_state
    from mapwright.connectors.sandbox import FaultOptions

    fault_state(pair.app).replace(FaultOptions(timeout_after_commit_rate=1.0))
    records = [{"name": f"Strauß {n} OG", "country": "AT"} for n in range(3)]
    results = await pair.connector.create_batch("debtors", records)
    assert all(getattr(r.error, "maybe_committed", False) for r in results)
    fault_state(pair.app).reset()
    pair.connector.forget()
    found = await pair.connector.find("debtors", "name", [r["name"] for r in records])
    assert all(len(hits) == 1 for hits in found.values())  # the write was applied
