"""Executors: where a run's work happens. In-process (asyncio) today; distributed later.

The seam is deliberately thin. A run is created in the store first (``Engine.start``: status
``queued``, parameters in ``runs.params``, lock taken), so everything needed to execute it
is in the database. An executor only has to call ``execute(run_id)`` somewhere and let the
caller wait for the report:

* ``InProcessExecutor`` runs it as an asyncio task in this process (the default);
* a distributed executor would enqueue the run id in a job queue on PostgreSQL, and its
  workers would call ``Engine.execute(run_id)``; run history stays in our tables.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, Protocol

from mapwright.engine.errors import RunNotFound

EventHandler = Callable[[str, dict[str, Any]], None]
Execute = Callable[[str, EventHandler | None], Coroutine[Any, Any, Any]]


class Executor(Protocol):
    """Runs queued runs; ``wait`` returns what ``execute`` returned."""

    def submit(self, run_id: str, on_event: EventHandler | None = None) -> None: ...

    async def wait(self, run_id: str) -> Any: ...

    async def cancel(self, run_id: str) -> bool: ...


class InProcessExecutor:
    """Runs each submitted run as an asyncio task of the running loop."""

    def __init__(self, execute: Execute):
        self._execute = execute
        self._tasks: dict[str, asyncio.Task[Any]] = {}

    def submit(self, run_id: str, on_event: EventHandler | None = None) -> None:
        task = asyncio.get_running_loop().create_task(
            self._execute(run_id, on_event), name=f"mapwright-run-{run_id}"
        )
        self._tasks[run_id] = task

    async def wait(self, run_id: str) -> Any:
        task = self._tasks.get(run_id)
        if task is None:
            raise RunNotFound(f"run {run_id} was not submitted to this executor")
        try:
            return await task
        finally:
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

    @property
    def active(self) -> list[str]:
        return [run_id for run_id, task in self._tasks.items() if not task.done()]
