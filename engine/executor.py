"""Executors: where a run's work happens. In-process (asyncio) today; distributed later.

The seam is deliberately thin. A run is created in the store first (``Engine.start``: status
``queued``, parameters in ``runs.params``, lock taken), so everything needed to execute it
is in the database. An executor only has to call ``execute(run_id)`` somewhere and let the
caller wait for the report:

* ``InProcessExecutor`` runs it as an asyncio task in this process (the default), then
  calls the engine's after-run hooks (``Engine.after_run``: the service drops payloads,
  counts metrics and sends alerts there);
* a distributed executor would enqueue the run id in a job queue on PostgreSQL, and its
  workers would call ``Engine.execute(run_id)``; run history stays in our tables.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Protocol

from mapwright.engine.errors import RunNotFound

EventHandler = Callable[[str, dict[str, Any]], None]
Execute = Callable[[str, EventHandler | None], Coroutine[Any, Any, Any]]
#: called with the run id once a run has finished (whatever its status)
AfterRun = Callable[[str], Awaitable[None]]

log = logging.getLogger("mapwright.engine.executor")


class Executor(Protocol):
    """Runs queued runs; ``wait`` returns what ``execute`` returned."""

    def submit(self, run_id: str, on_event: EventHandler | None = None) -> None: ...

    async def wait(self, run_id: str) -> Any: ...

    async def cancel(self, run_id: str) -> bool: ...

    async def drain(self) -> None: ...


class InProcessExecutor:
    """Runs each submitted run as an asyncio task of the running loop.

    ``after`` runs once each run has finished, whatever happened (its failures are logged,
    never raised). A long-lived service passes ``crashed`` (called with the run id and the
    exception when ``execute`` raised: the run must still end; ``wait`` then returns None),
    ``report`` (``wait`` of a run this executor does not hold answers the stored report) and
    ``detach=True`` (a waiter that gives up does not cancel the run).
    """

    def __init__(
        self,
        execute: Execute,
        *,
        after: AfterRun | None = None,
        crashed: Callable[[str, Exception], None] | None = None,
        report: Callable[[str], Any] | None = None,
        detach: bool = False,
    ):
        self._execute = execute
        self._after = after
        self._crashed = crashed
        self._report = report
        self._detach = detach
        self._tasks: dict[str, asyncio.Task[Any]] = {}

    def submit(self, run_id: str, on_event: EventHandler | None = None) -> None:
        task = asyncio.get_running_loop().create_task(
            self._go(run_id, on_event), name=f"mapwright-run-{run_id}"
        )
        self._tasks[run_id] = task

    async def _go(self, run_id: str, on_event: EventHandler | None) -> Any:
        try:
            return await self._execute(run_id, on_event)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if self._crashed is None:
                raise
            log.exception("run %s crashed", run_id)
            self._crashed(run_id, exc)
            return None
        finally:
            if self._after is not None:
                try:
                    await self._after(run_id)
                except Exception:  # noqa: BLE001 - after-run steps never break a run
                    log.exception("after-run steps of run %s failed", run_id)

    async def wait(self, run_id: str) -> Any:
        task = self._tasks.get(run_id)
        if task is None:
            if self._report is not None:
                return self._report(run_id)
            raise RunNotFound(f"run {run_id} was not submitted to this executor")
        try:
            return await (asyncio.shield(task) if self._detach else task)
        finally:
            if task.done() or not self._detach:
                self._tasks.pop(run_id, None)

    async def cancel(self, run_id: str) -> bool:
        task = self._tasks.get(run_id)
        if task is None or task.done():
            return False
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        finally:
            self._tasks.pop(run_id, None)
        return True

    async def drain(self) -> None:
        """Wait for every submitted run (shutdown, tests)."""
        pending = [task for task in self._tasks.values() if not task.done()]
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)

    @property
    def active(self) -> list[str]:
        return [run_id for run_id, task in self._tasks.items() if not task.done()]
