"""Runs on procrastinate workers over the PostgreSQL store.

The engine's executor seam (``engine/executor.py``) stays: ``Engine.start`` stores a queued run
and takes the flow's run lock; a ``QueueExecutor`` then defers one procrastinate job
``mapwright.run(run_id)`` on the queue ``mapwright-runs`` with the procrastinate lock
``<tenant>/<flow>``, so no two jobs of one flow run at once in any worker, on top of our own
run lock (``engine/locks.py``). ``mapwright worker`` (``run_worker``) executes those jobs with
the existing engine (``Engine.execute``); run history stays in our tables.

A worker killed mid-run (``kill -9``) stops sending its heartbeat; every live worker looks for
stalled jobs every ``stalled_check`` seconds (procrastinate's ``get_stalled_jobs``, by
heartbeat) and puts them back on the queue. The retried job finds its run still ``running``
and *resumes* it as a new run: the dead run is marked failed ("abandoned"), the lock passes to
the new run by compare-and-set, and the runner continues from the committed cursor and the
ledger (a write whose answer was lost is looked up, never sent twice). Database connections
cut under a worker (``pg_terminate_backend``) are replaced: the store pings before use, and
procrastinate's pool checks connections on checkout.

The procrastinate schema is applied on first use (``ensure_schema``, under an advisory lock so
several workers starting at once do not race).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from mapwright.engine import schema as t
from mapwright.engine.errors import EngineError, RunNotFound
from mapwright.engine.executor import EventHandler
from mapwright.engine.store import Run, Store, utcnow

log = logging.getLogger("mapwright.worker")

QUEUE = "mapwright-runs"
TASK = "mapwright.run"
TERMINAL = ("succeeded", "partial", "failed", "cancelled")
RESUME_GRACE = 3.0
#: advisory-lock key for applying the procrastinate schema once
_SCHEMA_LOCK = 0x6D77_0001


class DistributedError(EngineError):
    """Workers need a PostgreSQL store (and procrastinate); the message says what to change."""


def conninfo(url: str) -> str:
    """A libpq connection string for a SQLAlchemy PostgreSQL URL."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise DistributedError(
            f"workers need a PostgreSQL store, not {parsed.get_backend_name()!r}; set [store] url "
            "= 'postgresql+psycopg://user@host/db' (the embedded SQLite store runs in-process)"
        )
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def make_app(url: str) -> Any:
    """A procrastinate app on the store's database with the run task registered."""
    try:
        import procrastinate
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise DistributedError(
            f"workers need procrastinate ({exc.name} is missing): pip install 'mapwright[postgres]'"
        ) from None
    connector = procrastinate.PsycopgConnector(
        conninfo=conninfo(url),  # the pools check each connection before use
        min_size=1,
        max_size=10,
    )
    app = procrastinate.App(connector=connector)
    app.task(
        name=TASK,
        queue=QUEUE,
        pass_context=True,
        retry=procrastinate.RetryStrategy(
            max_attempts=400,  # about 13 minutes: longer than a run lock's lease
            wait=2,
            retry_exceptions={RetryLater, OSError},
        ),
    )(_run_task)
    return app


def ensure_schema(url: str) -> None:
    """Apply procrastinate's schema to the store's database unless it is there."""
    import procrastinate
    import psycopg

    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (_SCHEMA_LOCK,))
        try:
            found = conn.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
            if found is None or found[0] is None:
                schema = procrastinate.schema.SchemaManager.get_schema()
                conn.execute(schema)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_SCHEMA_LOCK,))


class RetryLater(EngineError):
    """The run cannot go on now (its flow's lock is held elsewhere); procrastinate retries."""


# -- the service side -----------------------------------------------------------------------
class QueueExecutor:
    """An ``Executor`` that only enqueues: workers run the jobs (``serve --workers 0``).

    ``wait`` polls the store until the run (or the run that resumed it) has ended and returns
    ``report(run_id)``; ``cancel`` withdraws a job no worker has taken yet.
    """

    def __init__(
        self,
        store: Store,
        url: str,
        *,
        report: Callable[[str], Any] | None = None,
        poll: float = 0.2,
    ):
        ensure_schema(url)
        self.store = store
        self.app = make_app(url)
        self.report = report
        self.poll = poll
        self.jobs: dict[str, int] = {}
        self._open = False
        self.follower: asyncio.Task[None] | None = None
        self.tasks: dict[str, Any] = {}  # what the service's drain() looks at: none here

    def submit(self, run_id: str, on_event: EventHandler | None = None) -> None:
        run = self.store.run(run_id)
        lock = f"{run['tenant']}/{run['flow']}"
        if not self._open:
            self.app.open()
            self._open = True
        job_id = self.app.configure_task(TASK, lock=lock).defer(run_id=run_id)
        self.jobs[run_id] = job_id
        log.info(
            "run queued",
            extra={"event": "run.queued", "run_id": run_id, "tenant": run["tenant"],
                   "flow": run["flow"], "job_id": job_id},
        )  # fmt: skip

    async def wait(self, run_id: str) -> Any:
        current = run_id
        while True:
            run = self.store.run(current)
            if run["status"] in TERMINAL:
                resumed = _resumed_by(run)
                if resumed is None and run["status"] == "failed":
                    # a worker that lost its database connection marks the run resumed a
                    # moment after it failed
                    await asyncio.sleep(RESUME_GRACE)
                    resumed = _resumed_by(self.store.run(current))
                if resumed is None:
                    break
                current = resumed
            await asyncio.sleep(self.poll)
        return self.report(current) if self.report is not None else run

    async def cancel(self, run_id: str) -> bool:
        job_id = self.jobs.get(run_id)
        if job_id is None:
            return False
        if not self._open:
            self.app.open()
            self._open = True
        cancelled = bool(self.app.job_manager.cancel_job_by_id(job_id))
        if cancelled:
            run = self.store.run(run_id)
            self.store.update_run(
                run_id, status="cancelled", error="cancelled before a worker took it",
                finished_at=utcnow(),
            )  # fmt: skip
            if not run["dry_run"]:
                _release(self.store, run["tenant"], run["flow"], run_id)
        return cancelled

    async def drain(self) -> None:
        """Nothing runs here (the workers own the runs); stop following them."""
        if self.follower is not None:
            self.follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.follower


def _resumed_by(run: Run) -> str | None:
    error = run.get("error") or ""
    marker = "resumed as run "
    if marker in error:
        return error.split(marker, 1)[1].split()[0].rstrip(".;,")
    return None


def _release(store: Store, tenant: str, flow: str, run_id: str) -> None:
    with store.begin() as c:
        c.execute(
            t.locks.delete().where(
                (t.locks.c.tenant == tenant)
                & (t.locks.c.flow == flow)
                & (t.locks.c.run_id == run_id)
            )
        )


def _lock_row(tenant: str, flow: str, run_id: str) -> Any:
    return (t.locks.c.tenant == tenant) & (t.locks.c.flow == flow) & (t.locks.c.run_id == run_id)


async def follow_runs(engine: Any, *, poll: float = 1.0, since: Any = None) -> None:
    """In a service that only enqueues: call the engine's after-run hooks (the service's
    payload drops, metrics and alerts) once for every run a worker finished. Each finished
    run is claimed (``engine/claims.py``), so of several replicas exactly one calls them."""
    import datetime as dt

    from mapwright.engine.claims import claim

    seen = since or utcnow() - dt.timedelta(minutes=10)
    while True:
        try:
            with engine.store.begin() as c:
                rows = c.execute(
                    sa.select(t.runs.c.id, t.runs.c.finished_at)
                    .where(t.runs.c.finished_at.is_not(None) & (t.runs.c.finished_at >= seen))
                    .order_by(t.runs.c.finished_at)
                ).all()
            for run_id, finished in rows:
                if claim(engine.store, "after-run", run_id):
                    await engine.after(run_id)
                seen = max(seen, _aware(finished))
        except sa.exc.SQLAlchemyError:
            log.warning("following finished runs failed; trying again", exc_info=True)
        await asyncio.sleep(poll)


def _aware(value: Any) -> Any:
    import datetime as dt

    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


# -- the worker side ------------------------------------------------------------------------
class _Worker:
    """What the run task needs in a worker process: the engine and its after-run hook."""

    engine: Any = None
    after_run: Callable[[str], Any] | None = None


WORKER = _Worker()


async def _run_task(context: Any, run_id: str) -> None:
    engine = WORKER.engine
    if engine is None:
        raise DistributedError("this process is not a mapwright worker (no engine configured)")
    store: Store = engine.store
    try:
        run = store.run(run_id)
    except RunNotFound:
        log.warning("job for unknown run %s dropped", run_id)
        return
    if run["status"] in TERMINAL:
        return  # done already (the job was retried after the run had ended)
    if run["status"] == "running":
        run_id = resume(engine, run)
        run = store.run(run_id)
    tenant, flow = run["tenant"], run["flow"]
    if not run["dry_run"] and not engine.lock.refresh(tenant, flow, run_id):
        raise RetryLater(f"run {run_id}: the lock of {tenant}/{flow} is held by another run")
    report = None
    for attempt in range(1, DB_ATTEMPTS + 1):
        fields = {"run_id": run_id, "tenant": tenant, "flow": flow, "worker": _WORKER_ID}
        log.info("run started", extra={"event": "run.started", **fields})
        try:
            report = await engine.execute(run_id)
            break
        except sa.exc.DBAPIError as exc:
            # the database connection went away under the run (a restart, a failover,
            # pg_terminate_backend): the store reconnects on the next use, and the run goes
            # on as a new run from its committed cursor and ledger
            if attempt == DB_ATTEMPTS or not _connection_lost(exc):
                raise
            log.warning(
                "database connection lost; resuming",
                extra={"event": "run.reconnect", "error": type(exc.orig).__name__, **fields},
            )
            run_id = await _resume_soon(engine, run_id)
    assert report is not None
    log.info(
        "run ended",
        extra={"event": "run.ended", "status": report.status, "counts": report.counts, **fields},
    )
    if WORKER.after_run is not None:
        try:
            result = WORKER.after_run(run_id)
            if asyncio.iscoroutine(result):
                await result
        except Exception:  # noqa: BLE001 - after-run steps never break a run
            log.exception("after-run steps of run %s failed", run_id)


def resume(
    engine: Any,
    run: Run,
    *,
    force: bool = False,
    why: str = "the worker running it ended",
) -> str:
    """A run left ``running`` by a dead worker (or, ``force``, one that this worker lost):
    hand its lock to a new run with the same parameters (it continues from the committed
    cursor and ledger) and mark the old one abandoned."""
    store: Store = engine.store
    old = run["id"]
    new = str(uuid.uuid4())
    tenant, flow = run["tenant"], run["flow"]
    holder = engine.lock.holder(tenant, flow)
    if not force and holder is not None and holder.run_id == old and _alive(holder):
        # procrastinate missed the worker's heartbeats (a busy machine) but the run goes on
        raise RetryLater(f"run {old} is still running on {holder.host} (pid {holder.pid})")
    if not run["dry_run"]:
        now = utcnow()
        with store.begin() as c:
            taken = c.execute(
                t.locks.update()
                .where(_lock_row(tenant, flow, old))
                .values(run_id=new, host=socket.gethostname(), pid=os.getpid(),
                        acquired_at=now, expires_at=now + engine.lock.lease)
            ).rowcount  # fmt: skip
        if taken != 1:
            try:
                engine.lock.acquire(tenant, flow, new)
            except EngineError as exc:
                raise RetryLater(str(exc)) from None
    store.create_run(
        tenant, flow, dry_run=bool(run["dry_run"]), trigger=run["trigger"],
        params=run["params"], flow_version=run.get("flow_version"),
        script_hash=run.get("script_hash"), run_id=new,
    )  # fmt: skip
    store.update_run(
        old, status="failed", finished_at=utcnow(),
        error=f"abandoned: {why}; resumed as run {new}",
    )  # fmt: skip
    log.warning(
        "run resumed", extra={"event": "run.resumed", "run_id": new, "abandoned": old,
                              "tenant": tenant, "flow": flow}
    )  # fmt: skip
    return new


_WORKER_ID = f"{socket.gethostname()}:{os.getpid()}"


DB_ATTEMPTS = 5


async def _resume_soon(engine: Any, run_id: str) -> str:
    """Resume a run whose database connection was lost, retrying while the database is
    unreachable (up to ``DB_ATTEMPTS`` times)."""
    for attempt in range(1, DB_ATTEMPTS + 1):
        try:
            why = "its database connection was lost"
            return resume(engine, engine.store.run(run_id), force=True, why=why)
        except sa.exc.DBAPIError:
            if attempt == DB_ATTEMPTS:
                raise
            await asyncio.sleep(attempt)
    raise AssertionError("unreachable")


def _connection_lost(exc: sa.exc.DBAPIError) -> bool:
    return bool(exc.connection_invalidated) or isinstance(exc, sa.exc.OperationalError)


def _alive(holder: Any) -> bool:
    """Whether the holder of a run lock may still be working: its lease has not run out and,
    on this machine, its process exists."""
    if holder.expires_at <= utcnow():
        return False
    if holder.host != socket.gethostname():
        return True
    try:
        os.kill(holder.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


async def requeue_stalled(app: Any, seconds_since_heartbeat: float) -> int:
    """Put jobs of workers that stopped beating back on the queue; how many."""
    stalled = list(
        await app.job_manager.get_stalled_jobs(
            queue=QUEUE, seconds_since_heartbeat=seconds_since_heartbeat
        )
    )
    for job in stalled:
        log.warning(
            "stalled job requeued",
            extra={"event": "job.requeued", "job_id": job.id, "task_kwargs": job.task_kwargs},
        )
        await app.job_manager.retry_job(job)
    if stalled:
        await app.job_manager.prune_stalled_workers(seconds_since_heartbeat)
    return len(stalled)


async def run_worker(
    engine: Any,
    url: str,
    *,
    concurrency: int = 4,
    heartbeat: float = 2.0,
    stalled_after: float = 10.0,
    stalled_check: float = 2.0,
    after_run: Callable[[str], Any] | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Run queued runs until stopped (SIGINT/SIGTERM, or ``stop`` set)."""
    ensure_schema(url)
    WORKER.engine = engine
    WORKER.after_run = after_run
    app = make_app(url)
    async with app.open_async():
        log.info(
            "worker started",
            extra={"event": "worker.started", "worker": _WORKER_ID, "concurrency": concurrency},
        )
        worker = asyncio.create_task(
            app.run_worker_async(
                queues=[QUEUE],
                concurrency=concurrency,
                update_heartbeat_interval=heartbeat,
                stalled_worker_timeout=stalled_after,
                install_signal_handlers=stop is None,
                wait=True,
            )
        )
        watch = asyncio.create_task(_watch_stalled(app, stalled_after, stalled_check))
        stopper = asyncio.create_task(stop.wait()) if stop is not None else None
        try:
            waiting = {worker} | ({stopper} if stopper is not None else set())
            await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
        finally:
            watch.cancel()
            if not worker.done():
                worker.cancel()
            for task in (watch, worker, stopper):
                if task is not None:
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await task
        log.info("worker stopped", extra={"event": "worker.stopped", "worker": _WORKER_ID})


async def _watch_stalled(app: Any, stalled_after: float, every: float) -> None:
    while True:
        await asyncio.sleep(every)
        try:
            await requeue_stalled(app, stalled_after)
        except Exception:  # noqa: BLE001 - the watch survives a lost connection
            log.warning("stalled-job check failed; trying again", exc_info=True)
