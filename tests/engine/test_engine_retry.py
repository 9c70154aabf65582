"""The engine's retry policy on tenacity: the callers' form (a lambda giving a coroutine),
backoff with the server's Retry-After as a floor, only RetriableError retried."""

from __future__ import annotations

import pytest
from mapwright.connectors.errors import FatalError, RetriableError
from mapwright.engine.retry import RetryPolicy


class Flaky:
    def __init__(self, failures: list[Exception]):
        self.failures = failures
        self.calls = 0

    async def read(self, page: int) -> dict[str, int]:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return {"page": page}


async def test_a_lambda_giving_a_coroutine_is_awaited_and_retried() -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    flaky = Flaky([RetriableError("busy"), RetriableError("slow down", retry_after=7)])
    policy = RetryPolicy(attempts=3, base_delay=0.5, factor=2, sleep=sleep)
    assert await policy.call(lambda: flaky.read(4)) == {"page": 4}
    assert flaky.calls == 3 and slept == [0.5, 7.0]


async def test_other_errors_are_not_retried() -> None:
    flaky = Flaky([FatalError("no such object")])
    with pytest.raises(FatalError):
        await RetryPolicy(attempts=5).call(lambda: flaky.read(1))
    assert flaky.calls == 1


async def test_the_last_retriable_error_is_raised_after_the_attempts() -> None:
    async def sleep(seconds: float) -> None:
        pass

    flaky = Flaky([RetriableError(f"busy {n}") for n in range(5)])
    with pytest.raises(RetriableError, match="busy 2"):
        await RetryPolicy(attempts=3, sleep=sleep).call(lambda: flaky.read(1))
    assert flaky.calls == 3
