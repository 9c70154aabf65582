"""Exact Online's limits as data, and the client-side error budget.

Call limits (per app and division): 60 per minute and 5,000 per day for new apps (older or
partner apps may have more: set ``minutely_limit``/``daily_limit`` in the connection options).
Every API response reports them in ``X-RateLimit-Minutely-Remaining``/``-Reset`` and
``X-RateLimit-Remaining``/``-Reset`` (reset as UNIX epoch milliseconds); when the minute budget
is gone Exact sends only the minutely headers, so a missing daily header means "unknown", not
zero. The shared ``connectors.quota.RateGovernor`` enforces both, fed by those headers.

Error budget: more than 10 answers with status 400, 401, 403 or 404 per app, user, division
and endpoint within an hour block the app for that division for at least an hour.
``ErrorBudget`` counts those answers per (division, endpoint) in a sliding hour and refuses
the next call to an endpoint once ``limit`` errors were seen, with a ``QuotaExhausted`` that
names the endpoint and the time the oldest error leaves the window.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable

from mapwright.connectors.base import Quota
from mapwright.connectors.errors import QuotaExhausted
from mapwright.connectors.quota import RateGovernor, RateHeader

MINUTELY = 60
DAILY = 5000
ERROR_LIMIT = 10
ERROR_WINDOW = 3600.0
BUDGET_STATUSES = frozenset({400, 401, 403, 404})

QUOTAS: tuple[Quota, ...] = (
    Quota("minutely", MINUTELY, 60, "app + division", "X-RateLimit-Minutely-* headers"),
    Quota("daily", DAILY, 86400, "app + division", "X-RateLimit-* headers; midnight reset"),
    Quota(
        "errors",
        ERROR_LIMIT,
        ERROR_WINDOW,
        "app + user + division + endpoint",
        "more than 10 answers 400/401/403/404 in an hour block the app for >= 1 h",
    ),
    Quota("token", 200, 86400, "app + user", "token endpoint calls per day"),
)

RATE_HEADERS: tuple[RateHeader, ...] = (
    RateHeader(
        "minutely", "X-RateLimit-Minutely-Remaining", "X-RateLimit-Minutely-Reset", "epoch_ms"
    ),
    RateHeader("daily", "X-RateLimit-Remaining", "X-RateLimit-Reset", "epoch_ms"),
)

_KEY_SUFFIX = re.compile(r"\(.*\)$")


def endpoint_of(path: str) -> str:
    """The endpoint an URL path belongs to, for the error budget: ``/api/v1/123/crm/Accounts(
    guid'…')`` -> ``crm/Accounts``."""
    parts = path.split("?", 1)[0].strip("/").split("/")
    if parts[:2] == ["api", "v1"]:
        parts = parts[2:]
        if parts and parts[0].isdigit():
            parts = parts[1:]
    return _KEY_SUFFIX.sub("", "/".join(parts))


def make_governor(
    *,
    minutely: int = MINUTELY,
    daily: int = DAILY,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> RateGovernor:
    """A governor for the minute and day limits, reading Exact's rate headers."""
    quotas = (
        Quota("minutely", minutely, 60, "app + division"),
        Quota("daily", daily, 86400, "app + division"),
    )
    return RateGovernor(quotas, headers=RATE_HEADERS, clock=clock, wall_clock=clock, sleep=sleep)


class ErrorBudget:
    """Counts 400/401/403/404 answers per (division, endpoint) over a sliding hour."""

    def __init__(
        self,
        limit: int = ERROR_LIMIT,
        window: float = ERROR_WINDOW,
        *,
        clock: Callable[[], float] = time.time,
    ):
        if limit < 1:
            raise ValueError(f"error budget limit must be >= 1, got {limit}")
        self.limit = limit
        self.window = window
        self.clock = clock
        self._errors: dict[tuple[str, str], deque[float]] = {}

    def _live(self, key: tuple[str, str]) -> deque[float]:
        seen = self._errors.setdefault(key, deque())
        now = self.clock()
        while seen and seen[0] <= now - self.window:
            seen.popleft()
        return seen

    def check(self, division: str, endpoint: str) -> None:
        """Refuse a call to ``endpoint`` whose hour already holds ``limit`` errors."""
        seen = self._live((division, endpoint))
        if len(seen) >= self.limit:
            resets_at = seen[0] + self.window
            wait = max(resets_at - self.clock(), 0)
            raise QuotaExhausted(
                f"Exact error budget for endpoint {endpoint} (division {division}) is spent: "
                f"{len(seen)} answers 400/401/403/404 within the hour; one more risks Exact "
                f"blocking this app for the division. Calls resume in {wait:.0f} s; fix the "
                "failing requests (see the parked records) first.",
                resets_at=resets_at,
                code="error_budget",
                endpoint=endpoint,
            )

    def record(self, division: str, endpoint: str, status: int) -> None:
        if status in BUDGET_STATUSES:
            self._live((division, endpoint)).append(self.clock())


_BUDGETS: dict[str, ErrorBudget] = {}


def shared_budget(app_key: str, limit: int = ERROR_LIMIT) -> ErrorBudget:
    """The process-wide error budget of one app (client id), made on first use."""
    from mapwright.connectors.quota import backend

    shared = backend()
    if shared is not None:  # counted in the database for every process (engine/shared_quota)
        budget: ErrorBudget = shared.budget(f"exact_online:{app_key}", limit, ERROR_WINDOW)
        return budget
    mine = _BUDGETS.get(app_key)
    if mine is None:
        mine = _BUDGETS[app_key] = ErrorBudget(limit)
    return mine
