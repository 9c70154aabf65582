"""Retrying passing failures: exponential backoff that honours ``Retry-After``, on tenacity.

Only ``RetriableError`` (429, 5xx, timeouts) is retried. The wait before attempt *n* is
``base_delay * factor ** (n - 1)`` capped at ``max_delay`` (tenacity's ``wait_exponential``),
but never shorter than the server's ``retry_after``. Call rates themselves are the
connector's business (its ``RateGovernor`` enforces the declared quotas on every call,
retries included); this policy only decides how long to back off after a failure and when to
give up.

Creates are not retried here blindly: the runner checks the ledger and the natural key before
re-sending a write that may have been committed (see ``runner``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

import tenacity
from mapwright.connectors.errors import RetriableError

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]


class wait_retry_after(tenacity.wait.wait_base):  # noqa: N801 - tenacity's naming
    """The backoff, but never less than the failed call's ``retry_after``.

    Hand-written: "the server's Retry-After is a floor under the backoff" is our documented
    rule; tenacity's waits combine by sum, not by maximum, and do not read the error."""

    def __init__(self, backoff: tenacity.wait.wait_base):
        self.backoff = backoff

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
        error = retry_state.outcome.exception() if retry_state.outcome is not None else None
        server = getattr(error, "retry_after", None) or 0.0
        return max(self.backoff(retry_state), float(server))


@dataclass
class RetryPolicy:
    """How often and how long to back off; ``sleep`` is injectable for tests."""

    #: connectors retry their own reads and unsent writes already; this is the outer loop
    attempts: int = 3
    base_delay: float = 0.5
    factor: float = 2.0
    max_delay: float = 60.0
    sleep: Sleep = field(default=asyncio.sleep, repr=False)

    def _wait(self) -> wait_retry_after:
        return wait_retry_after(
            tenacity.wait_exponential(
                multiplier=self.base_delay, exp_base=self.factor, max=self.max_delay
            )
        )

    def delay(self, attempt: int, error: RetriableError | None = None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        state = tenacity.RetryCallState(tenacity.Retrying(), None, (), {})
        state.attempt_number = attempt
        future: tenacity.Future = tenacity.Future(attempt)
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(None)
        state.outcome = future
        return self._wait()(state)

    async def call(self, action: Callable[[], Awaitable[T]]) -> T:
        """Run ``action``; on ``RetriableError`` back off and run it again, up to ``attempts``."""
        retrying = tenacity.AsyncRetrying(
            retry=tenacity.retry_if_exception_type(RetriableError),
            stop=tenacity.stop_after_attempt(self.attempts),
            wait=self._wait(),
            sleep=self.sleep,
            reraise=True,
        )

        async def attempt() -> T:  # an async function, so tenacity awaits what ``action`` gives
            return await action()

        result: T = await retrying(attempt)
        return result


def maybe_committed(error: BaseException) -> bool:
    """True when a failed write may still have been applied (timeout, lost response)."""
    return bool(getattr(error, "maybe_committed", False))
