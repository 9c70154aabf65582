"""Retrying passing failures: the engine's outer loop on the one retry policy of
``connectors/retry.py`` (tenacity; exponential backoff, ``Retry-After`` as a floor).

Only ``RetriableError`` (429, 5xx, timeouts) is retried. The wait before attempt *n* is
``base_delay * factor ** (n - 1)`` capped at ``max_delay``, but never shorter than the
server's ``retry_after``. Call rates themselves are the
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
from mapwright.connectors.retry import Backoff

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class RetryPolicy(Backoff):
    """The shared policy (``connectors/retry.py``) with the engine's outer-loop defaults:
    3 attempts, no jitter, up to a minute between them, any ``Retry-After`` waited for;
    ``sleep`` is injectable for tests."""

    #: connectors retry their own reads and unsent writes already; this is the outer loop
    attempts: int = 3
    max_delay: float = 60.0
    jitter: bool = False
    max_retry_after: float | None = None
    sleep: Sleep = field(default=asyncio.sleep, repr=False, compare=False)

    async def call(self, action: Callable[[], Awaitable[T]]) -> T:
        """Run ``action``; on ``RetriableError`` back off and run it again, up to ``attempts``."""
        retrying = tenacity.AsyncRetrying(
            retry=tenacity.retry_if_exception_type(RetriableError),
            stop=self.stop(),
            wait=self.wait(),
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
