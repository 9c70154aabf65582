"""The one retry policy (connectors/retry.py) that the send loop and the engine share."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st
from mapwright.connectors.errors import RetriableError
from mapwright.connectors.http import RetryPolicy as HttpPolicy
from mapwright.connectors.retry import Backoff
from mapwright.engine.retry import RetryPolicy as EnginePolicy


def test_both_layers_use_the_one_policy() -> None:
    assert issubclass(HttpPolicy, Backoff)
    assert issubclass(EnginePolicy, Backoff)
    # the engine keeps its outer-loop defaults on top of the shared rules
    engine = EnginePolicy()
    assert (engine.attempts, engine.jitter, engine.max_retry_after) == (3, False, None)


@given(attempt=st.integers(1, 12), seed=st.integers(0, 2**32))
def test_equal_jitter_keeps_half_of_the_backoff_fixed(attempt: int, seed: int) -> None:
    policy = Backoff(base_delay=0.5, factor=2, max_delay=30)
    ceiling = min(30.0, 0.5 * 2 ** (attempt - 1))
    delay = policy.delay(attempt, None, random.Random(seed))
    assert ceiling / 2 <= delay <= ceiling


@given(attempt=st.integers(1, 6), server=st.floats(0.1, 100), seed=st.integers(0, 2**32))
def test_retry_after_is_a_floor_with_at_most_a_second_of_jitter(
    attempt: int, server: float, seed: int
) -> None:
    error = RetriableError("busy", retry_after=server)
    jittered = Backoff().delay(attempt, error, random.Random(seed))
    assert jittered >= server
    assert jittered <= max(min(30.0, 0.5 * 2 ** (attempt - 1)), server + min(1.0, server / 10))
    assert EnginePolicy().delay(attempt, error) == max(min(60.0, 0.5 * 2 ** (attempt - 1)), server)


def test_a_retry_after_beyond_the_limit_is_not_waited_for() -> None:
    policy = Backoff(max_retry_after=120)
    assert policy.gives_up(1, RetriableError("busy", retry_after=121))
    assert not policy.gives_up(1, RetriableError("busy", retry_after=119))
    assert policy.gives_up(5, RetriableError("busy"))
    assert not EnginePolicy().gives_up(1, RetriableError("busy", retry_after=10_000))
