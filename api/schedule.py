"""Schedules: every N seconds or a 5-field cron expression (UTC), and the loop that runs them.

``scheduler_loop`` wakes every ``scheduler_tick`` seconds, starts a run of each enabled flow
whose ``next_run_at`` has passed (a flow still running is skipped: one active run per flow)
and moves ``next_run_at`` on. Once an hour it also applies the retention settings.
Every service replica may run the loop: a due time is claimed (``engine/claims.py``) before
it fires, so it fires once however many replicas see it. Runs missed while no service was
up fire once on catch-up, not once per missed slot: the next time is counted from now.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from croniter import croniter
from mapwright.engine.claims import claim
from mapwright.engine.errors import EngineError

if TYPE_CHECKING:
    from mapwright.api.services import Services

log = logging.getLogger("mapwright.api.schedule")
PURGE_EVERY = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Schedule:
    interval_seconds: int | None = None
    cron: str | None = None

    def to_json(self) -> dict[str, Any]:
        if self.cron is not None:
            return {"cron": self.cron}
        return {"interval_seconds": self.interval_seconds}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Schedule:
        return cls(data.get("interval_seconds"), data.get("cron"))


def next_run(schedule: Schedule, after: dt.datetime) -> dt.datetime:
    """When the schedule fires next after ``after``; ``ValueError`` for a bad cron."""
    if schedule.cron is not None:
        if len(schedule.cron.split()) != 5 or not croniter.is_valid(schedule.cron):
            raise ValueError(
                f"'{schedule.cron}' is not a 5-field cron expression (minute hour day month "
                "weekday), e.g. '*/15 * * * *'"
            )
        value: dt.datetime = croniter(schedule.cron, after).get_next(dt.datetime)
        return value
    assert schedule.interval_seconds is not None
    return after + dt.timedelta(seconds=schedule.interval_seconds)


async def run_due(services: Services) -> list[str]:
    """Start every due scheduled flow once; returns the started run ids."""
    now = services.clock()
    started = []
    for tenant, name, schedule, due in services.data.flows.scheduled():
        if due > now:
            continue
        if not claim(services.store, "schedule", f"{tenant}/{name}@{due.isoformat()}"):
            continue  # another service replica fired this one
        flow = services.store.flows(tenant).get(name)
        services.set_options(tenant, name, next_run_at=next_run(Schedule.from_json(schedule), now))
        if flow is None or not flow.enabled:
            continue
        try:
            run_id = services.engine.start(tenant, name, trigger="schedule")
        except EngineError as exc:
            log.warning("scheduled run of %s/%s not started: %s", tenant, name, exc)
            continue
        services.executor.submit(run_id)
        started.append(run_id)
    return started


async def scheduler_loop(services: Services) -> None:
    from mapwright.api.privacy import purge

    last_purge: dt.datetime | None = None
    while True:
        try:
            await run_due(services)
            now = services.clock()
            if last_purge is None or now - last_purge >= PURGE_EVERY:
                purge(services, now)
                last_purge = now
        except Exception:  # noqa: BLE001 - the loop must survive one bad tick
            log.exception("scheduler tick failed")
        await asyncio.sleep(services.settings.scheduler_tick)
