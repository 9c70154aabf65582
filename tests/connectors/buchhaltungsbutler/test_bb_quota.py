"""The connector never exceeds BB's limits: 100 requests/min, upload 10/min, addBatch 1 per 5 s.

Everything runs on one fake clock shared by the connector (pacing, sleeps) and the sandbox
(its rate limiter): the recorder notes the fake time of every request, and the sandbox would
answer 429 / 403-15 to a request over a limit. No wall-clock time is measured.
"""

from __future__ import annotations

import asyncio
import base64

from mapwright.connectors.buchhaltungsbutler.testing import make_pair


def most_in_window(times: list[float], window: float) -> int:
    """The largest number of calls within any span shorter than ``window``."""
    ordered = sorted(times)
    best = 0
    start = 0
    for end, moment in enumerate(ordered):
        while moment - ordered[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


async def test_many_reads_stay_within_100_per_minute():
    pair = make_pair()
    for _ in range(250):
        await pair.connector.list("payment_accounts")
    times = pair.recorder.times()
    assert len(times) == 250  # nothing was refused and retried
    assert most_in_window(times, 60.0) == 100
    assert all(status == 200 for _, _, status in pair.recorder.calls)
    assert pair.clock.now - times[0] >= 120  # the third hundred had to wait two windows


async def test_concurrent_reads_share_one_budget():
    pair = make_pair()
    await asyncio.gather(*(pair.connector.list("payment_accounts") for _ in range(180)))
    assert most_in_window(pair.recorder.times(), 60.0) <= 100
    assert all(status == 200 for _, _, status in pair.recorder.calls)


async def test_two_connectors_of_one_customer_in_one_process_share_the_budget():
    pair = make_pair()
    from mapwright.connectors.buchhaltungsbutler.testing import connect

    # what shared_pacer() does for connectors on the real clock
    other, recorder, _ = connect(pair.app, pair.clock, pacer=pair.connector.pacer)
    await asyncio.gather(*(c.list("payment_accounts") for c in [pair.connector, other] * 80))
    times = pair.recorder.times() + recorder.times()
    assert most_in_window(times, 60.0) <= 100
    assert all(status == 200 for _, _, status in pair.recorder.calls + recorder.calls)


async def test_receipt_batches_are_paced_one_per_five_seconds():
    pair = make_pair()
    records = [
        {
            "type": "invoice outbound",
            "counterparty": f"Müller {n}",
            "invoice_number": f"P-{n}",
            "date": "2026-01-02",
            "amount": 10 + n,
            "currency": "EUR",
        }
        for n in range(160)
    ]
    results = await pair.connector.create_batch("receipts", records)
    assert all(result.ok for result in results) and len(results) == 160
    batches = pair.recorder.times("/receipts/addBatch")
    assert len(batches) == 4  # 50 + 50 + 50 + 10
    assert all(later - earlier >= 5.0 for earlier, later in zip(batches, batches[1:], strict=False))


async def test_uploads_stay_within_10_per_minute():
    pair = make_pair()
    file = base64.b64encode(b"%PDF-1.4 scan").decode()
    for n in range(25):
        await pair.connector.upload_receipt(
            {"file": file, "type": "invoice inbound", "file_name": f"scan-{n}.pdf"}
        )
    uploads = pair.recorder.times("/receipts/upload")
    assert len(uploads) == 25
    assert most_in_window(uploads, 60.0) == 10


async def test_a_throttling_answer_pauses_and_retries_until_it_passes():
    pair = make_pair()
    # someone else (another app of the same customer) spent the minute's budget
    for _ in range(100):
        assert pair.app.state.sandbox.limiter.admit(pair.info["api_key"], "/accounts/get") is None
    page = await pair.connector.list("payment_accounts")
    assert page.records
    statuses = [status for _, _, status in pair.recorder.calls]
    assert statuses[0] == 429 and statuses[-1] == 200
    assert pair.recorder.calls[-1][0] - pair.recorder.calls[0][0] >= 2.0  # backed off


async def test_an_account_with_another_limit_is_paced_to_it():
    # the sandbox enforces 300 a minute for this account, the connection says so too
    pair = make_pair(options={"requests_per_minute": 300}, rate_limit=300)
    for _ in range(400):
        await pair.connector.list("payment_accounts")
    assert most_in_window(pair.recorder.times(), 60.0) == 300
    assert all(status == 200 for _, _, status in pair.recorder.calls)


def test_a_bad_request_limit_is_named():
    import pytest
    from mapwright.connectors.errors import FatalError

    for bad in (0, "100", 2.5, True):
        with pytest.raises(FatalError, match="requests_per_minute must be a whole number"):
            make_pair(options={"requests_per_minute": bad})
