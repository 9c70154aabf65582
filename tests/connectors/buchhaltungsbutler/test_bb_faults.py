"""The connector under injected faults: reads recover, lost writes are reported as such."""

from __future__ import annotations

import pytest
from mapwright.connectors.buchhaltungsbutler.testing import make_pair
from mapwright.connectors.errors import RetriableError
from mapwright.connectors.faults import fault_state
from mapwright.connectors.sandbox import FaultOptions


async def test_a_429_burst_is_waited_out_using_retry_after(pair):
    fault_state(pair.app).replace(FaultOptions(burst_429=3))
    page = await pair.connector.list("payment_accounts")
    assert page.records
    assert [status for _, _, status in pair.recorder.calls] == [429, 429, 429, 200]
    assert pair.recorder.calls[-1][0] - pair.recorder.calls[0][0] >= 3.0


async def test_reads_survive_server_errors_and_dropped_connections():
    pair = make_pair(options={"debtor_page_size": 5, "max_attempts": 10})
    fault_state(pair.app).replace(FaultOptions(error_rates={500: 0.3}, drop_rate=0.2))
    debtors = await pair.connector.scan("debtors")
    assert sorted(int(d["postingaccount_number"]) for d in debtors) == list(range(10001, 10041))
    statuses = [status for _, _, status in pair.recorder.calls]
    assert 200 in statuses and any(status != 200 for status in statuses)


async def test_a_write_whose_answer_is_lost_is_reported_as_maybe_committed(pair):
    fault_state(pair.app).replace(FaultOptions(timeout_after_commit_rate=1.0))
    with pytest.raises(RetriableError) as caught:
        await pair.connector.create("debtors", {"name": "Verlorene Antwort GmbH", "country": "DE"})
    assert caught.value.maybe_committed is True
    assert len([c for c in pair.recorder.calls if c[1].endswith("/settings/add/debtor")]) == 1
    fault_state(pair.app).reset()
    found = await pair.connector.find("debtors", "name", ["Verlorene Antwort GmbH"])
    assert len(found["Verlorene Antwort GmbH"]) == 1  # applied once, never resent


async def test_a_server_error_on_a_write_is_not_resent(pair):
    fault_state(pair.app).replace(FaultOptions(error_rates={500: 1.0}))
    with pytest.raises(RetriableError) as caught:
        await pair.connector.create("debtors", {"name": "Einmal GmbH"})
    assert caught.value.maybe_committed is True
    assert [c[2] for c in pair.recorder.calls] == [500]
