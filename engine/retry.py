"""Retrying passing failures: exponential backoff that honours ``Retry-After``.

Only ``RetriableError`` (429, 5xx, timeouts) is retried. The wait before attempt *n* is
``base_delay * factor ** (n - 1)`` capped at ``max_delay``, but never shorter than the
server's ``retry_after``. Call rates themselves are the connector's business (its
``RateGovernor`` enforces the declared quotas on every call, retries included); this policy
only decides how long to back off after a failure and when to give up.

Creates are not retried here blindly: the runner checks the ledger and the natural key before
re-sending a write that may have been committed (see ``runner``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from mapwright.connectors.errors import RetriableError

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]


@dataclass
class RetryPolicy:
    """How often and how long to back off; ``sleep`` is injectable for tests."""

    #: connectors retry their own reads and unsent writes already; this is the outer loop
    attempts: int = 3
    base_delay: float = 0.5
    factor: float = 2.0
    max_delay: float = 60.0
    sleep: Sleep = field(default=asyncio.sleep, repr=False)

    def delay(self, attempt: int, error: RetriableError | None = None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        backoff = min(self.max_delay, self.base_delay * self.factor ** (attempt - 1))
        server = error.retry_after if error is not None and error.retry_after else 0.0
        return max(backoff, float(server))

    async def call(self, action: Callable[[], Awaitable[T]]) -> T:
        """Run ``action``; on ``RetriableError`` back off and run it again, up to ``attempts``."""
        attempt = 1
        while True:
            try:
                return await action()
            except RetriableError as exc:
                if attempt >= self.attempts:
                    raise
                await self.sleep(self.delay(attempt, exc))
                attempt += 1


def maybe_committed(error: BaseException) -> bool:
    """True when a failed write may still have been applied (timeout, lost response)."""
    return bool(getattr(error, "maybe_committed", False))
