"""One retry policy for every layer: how long to back off after a passing failure, and when
to give up. Built on tenacity's waits; the connectors' send loop (``connectors/http.py``) and
the engine's outer loop (``engine/retry.py``) both take their delays from ``Backoff``.

The rules:

* the wait before retry number *n* is ``base_delay * factor ** (n - 1)``, capped at
  ``max_delay`` (tenacity's ``wait_exponential``); with ``jitter`` half of it is random
  ("equal jitter": many clients that failed together do not come back together);
* a server's ``Retry-After`` is a floor under that wait (plus, with ``jitter``, up to a tenth
  of it, at most one second, at random);
* ``attempts`` tries in all; a ``Retry-After`` longer than ``max_retry_after`` is not waited
  for (the error goes up, so the engine can reschedule the run instead of holding a worker).

What is retried at all (reads, unsent writes, 429s; never a write that may have been
committed) is decided by the caller, not here.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import tenacity


def _server_wait(error: BaseException | None) -> float:
    value = getattr(error, "retry_after", None)
    return float(value) if value else 0.0


class wait_equal_jitter(tenacity.wait.wait_base):  # noqa: N801 - tenacity's naming
    """Half of ``backoff`` fixed, half random. Hand-written: tenacity's jittered waits are
    full jitter or an additive bound, and take no random generator a test can seed."""

    def __init__(self, backoff: tenacity.wait.wait_base, rng: random.Random):
        self.backoff = backoff
        self.rng = rng

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
        ceiling = float(self.backoff(retry_state))
        return ceiling / 2 + self.rng.random() * ceiling / 2


class wait_retry_after(tenacity.wait.wait_base):  # noqa: N801 - tenacity's naming
    """The backoff, but never less than the failed call's ``retry_after``. Hand-written: our
    documented rule is a floor (a maximum), while tenacity's waits combine by sum and do not
    read the error."""

    def __init__(self, backoff: tenacity.wait.wait_base, rng: random.Random | None = None):
        self.backoff = backoff
        self.rng = rng

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
        outcome = retry_state.outcome
        server = _server_wait(outcome.exception() if outcome is not None else None)
        if server and self.rng is not None:
            server += self.rng.random() * min(1.0, server / 10)
        return max(float(self.backoff(retry_state)), server)


@dataclass(frozen=True)
class Backoff:
    """See the module docstring; the defaults are the connectors' (per HTTP call)."""

    attempts: int = 5
    base_delay: float = 0.5
    factor: float = 2.0
    max_delay: float = 30.0
    jitter: bool = True
    #: None: wait for any ``Retry-After``
    max_retry_after: float | None = 120.0

    def wait(self, rng: random.Random | None = None) -> tenacity.wait.wait_base:
        """The tenacity wait for this policy (``rng`` for the jitter; a fresh one if None)."""
        backoff: tenacity.wait.wait_base = tenacity.wait_exponential(
            multiplier=self.base_delay, exp_base=self.factor, max=self.max_delay
        )
        chance = (rng or random.Random()) if self.jitter else None
        if chance is not None:
            backoff = wait_equal_jitter(backoff, chance)
        return wait_retry_after(backoff, chance)

    def gives_up(self, attempt: int, error: BaseException | None) -> bool:
        """True when failed attempt number ``attempt`` (1-based) is the last one."""
        if attempt >= self.attempts:
            return True
        return self.max_retry_after is not None and _server_wait(error) > self.max_retry_after

    def delay(
        self, attempt: int, error: BaseException | None = None, rng: random.Random | None = None
    ) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        state = tenacity.RetryCallState(tenacity.Retrying(), None, (), {})
        state.attempt_number = attempt
        future: tenacity.Future = tenacity.Future(attempt)
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(None)
        state.outcome = future
        return float(self.wait(rng)(state))

    def stop(self) -> Any:
        """tenacity's stop condition for this policy (``attempts``, ``max_retry_after``)."""

        def too_long(retry_state: tenacity.RetryCallState) -> bool:
            outcome = retry_state.outcome
            return self.gives_up(
                retry_state.attempt_number, outcome.exception() if outcome is not None else None
            )

        return too_long


__all__ = ["Backoff", "wait_equal_jitter", "wait_retry_after"]
