"""Script workers: lint, format, tests and previews run in worker processes that are killed
at the deadline.

A thread cannot be stopped, so a runaway script in a thread keeps a core busy until the
service restarts. Here every ``/scripts`` job goes to a pool of worker processes
(``multiprocessing`` with the ``forkserver`` start method: a clean, preloaded parent to fork
from, never the threaded service process):

* a job that is not done after ``timeout`` seconds: its worker gets SIGKILL and a fresh
  worker takes its place; the request answers 422 naming the limit;
* each worker runs under an address-space limit (``RLIMIT_AS``, ``memory_mb``): a script
  that allocates more gets ``MemoryError`` inside the worker (422), or the worker dies
  (422 as well); the worker is replaced either way;
* ``per_tenant`` jobs of one tenant at a time: more answer 429 with ``Retry-After``; keep it
  below ``size`` so one tenant cannot fill the pool;
* a job that finds every worker busy waits up to ``timeout`` for one, then answers 503 with
  ``Retry-After``;
* answers larger than ``max_result_bytes`` are refused (422).

Workers start on first use. The pool uses only thread-safe state and per-call futures, so it
works from any event loop (uvicorn's, a test client's).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import multiprocessing
import pickle
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from mapwright.api.errors import ApiError

log = logging.getLogger("mapwright.api.workers")
WAIT_STEP = 0.01
PRELOAD = ["mapwright.api.scriptwork"]


def serve(conn: Connection, memory_bytes: int, max_result_bytes: int) -> None:
    """A worker's main loop: one job at a time, answers as pickled tuples."""
    import os
    import resource

    for name in [key for key in os.environ if key.startswith("MAPWRIGHT_")]:
        del os.environ[name]  # the secret key and store URL have no business in a worker
    if memory_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    import gc

    from mapwright.api import scriptwork

    gc.collect()
    gc.freeze()  # the preloaded modules stay: later collections walk only the jobs' objects
    while True:
        try:
            name, args = conn.recv()
        except (EOFError, OSError):
            return
        retire = False
        answer: tuple[Any, ...]
        try:
            answer = ("ok", scriptwork.JOBS[name](*args))
        except ApiError as exc:
            answer = ("refused", exc.status, exc.detail, list(exc.errors))
        except MemoryError:
            answer, retire = ("memory",), True
        except RecursionError:
            answer = ("deep",)
        except Exception as exc:  # noqa: BLE001 - reported as an internal error
            answer = ("crash", type(exc).__name__)
        try:
            data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            data, retire = pickle.dumps(("memory",)), True
        except Exception as exc:  # noqa: BLE001
            data = pickle.dumps(("crash", f"unpicklable answer ({type(exc).__name__})"))
        if len(data) > max_result_bytes:
            data = pickle.dumps(("too_big", len(data)))
        try:
            conn.send_bytes(data)
        except (OSError, MemoryError):
            return
        if retire:
            return


@dataclass(eq=False)
class Worker:
    process: BaseProcess
    conn: Connection

    @property
    def pid(self) -> int | None:
        return self.process.pid


class ScriptPool:
    """Worker processes for script jobs; see the module docstring."""

    def __init__(
        self,
        *,
        size: int,
        per_tenant: int,
        timeout: float,
        memory_mb: int,
        max_result_bytes: int = 32 * 1024 * 1024,
        start_method: str = "forkserver",
    ):
        self.size = size
        self.per_tenant = per_tenant
        self.timeout = timeout
        self.memory_mb = memory_mb
        self.max_result_bytes = max_result_bytes
        self.context = multiprocessing.get_context(start_method)
        if start_method == "forkserver":
            self.context.set_forkserver_preload(PRELOAD)
        self._lock = threading.Lock()
        self._idle: list[Worker] = []
        self._busy: set[Worker] = set()
        self._starting = 0
        self._active: dict[str, int] = {}
        #: workers killed at the deadline or after running out of memory (for metrics, tests)
        self.killed: list[int] = []

    # -- public ------------------------------------------------------------------------------
    async def run(self, tenant: str, job: str, *args: Any) -> Any:
        """Run ``job`` for ``tenant`` in a worker; raises ``ApiError`` for every refusal."""
        self._enter(tenant)
        try:
            worker = await self._checkout()
            return await self._ask(worker, job, args)
        finally:
            self._leave(tenant)

    def busy_pids(self) -> list[int]:
        with self._lock:
            return [w.pid for w in self._busy if w.pid is not None]

    def close(self) -> None:
        """Kill every worker (service shutdown); later jobs start new ones."""
        with self._lock:
            workers = [*self._idle, *self._busy]
            self._idle.clear()
            self._busy.clear()
        for worker in workers:
            _stop(worker)

    # -- tenants -----------------------------------------------------------------------------
    def _enter(self, tenant: str) -> None:
        with self._lock:
            running = self._active.get(tenant, 0)
            if running >= self.per_tenant:
                raise ApiError(
                    429,
                    f"this tenant already runs {running} script jobs, the limit is "
                    f"{self.per_tenant} at a time (MAPWRIGHT_SCRIPT_CONCURRENCY); "
                    "retry when one has finished",
                    errors=[("script", f"concurrency limit {self.per_tenant} per tenant")],
                    headers={"Retry-After": str(max(1, math.ceil(self.timeout)))},
                )
            self._active[tenant] = running + 1

    def _leave(self, tenant: str) -> None:
        with self._lock:
            left = self._active.get(tenant, 1) - 1
            if left > 0:
                self._active[tenant] = left
            else:
                self._active.pop(tenant, None)

    # -- workers -----------------------------------------------------------------------------
    async def _checkout(self) -> Worker:
        give_up = time.monotonic() + self.timeout
        while True:
            spawn = False
            with self._lock:
                while self._idle:
                    worker = self._idle.pop()
                    if worker.process.is_alive():
                        self._busy.add(worker)
                        return worker
                    _stop(worker)
                if len(self._busy) + self._starting < self.size:
                    self._starting += 1
                    spawn = True
            if spawn:
                try:
                    worker = await asyncio.to_thread(self._spawn)
                finally:
                    with self._lock:
                        self._starting -= 1
                with self._lock:
                    self._busy.add(worker)
                return worker
            if time.monotonic() >= give_up:
                raise ApiError(
                    503,
                    f"all {self.size} script workers are busy (MAPWRIGHT_SCRIPT_WORKERS); "
                    "retry shortly",
                    headers={"Retry-After": str(max(1, math.ceil(self.timeout)))},
                )
            await asyncio.sleep(WAIT_STEP)

    def _spawn(self) -> Worker:
        parent, child = self.context.Pipe(duplex=True)
        process = self.context.Process(  # type: ignore[attr-defined]
            target=serve,
            args=(child, self.memory_mb * 1024 * 1024, self.max_result_bytes),
            name="mapwright-script-worker",
            daemon=True,
        )
        process.start()
        child.close()
        return Worker(process, parent)

    def _release(self, worker: Worker, *, keep: bool) -> None:
        with self._lock:
            self._busy.discard(worker)
            if keep:
                self._idle.append(worker)
                return
        _stop(worker)

    def _kill(self, worker: Worker) -> None:
        if worker.pid is not None:
            self.killed.append(worker.pid)
        self._release(worker, keep=False)

    async def _ask(self, worker: Worker, job: str, args: tuple[Any, ...]) -> Any:
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()

        def readable() -> None:
            if not ready.done():
                ready.set_result(None)

        try:
            worker.conn.send((job, args))
            loop.add_reader(worker.conn.fileno(), readable)
            try:
                await asyncio.wait_for(ready, self.timeout)
            finally:
                loop.remove_reader(worker.conn.fileno())
            data = worker.conn.recv_bytes()
        except TimeoutError:
            self._kill(worker)
            raise ApiError(
                422,
                f"the script ran longer than the time limit of {self.timeout:g} s "
                "(MAPWRIGHT_SCRIPT_TIMEOUT) and was stopped; simplify it or send fewer records",
                errors=[("script", f"time limit {self.timeout:g} s")],
            ) from None
        except (EOFError, OSError):
            self._kill(worker)
            raise self._memory_error() from None
        except BaseException:
            # cancelled (the client went away) or broken: the job may still run, so stop it
            self._kill(worker)
            raise
        answer = pickle.loads(data)
        kind = answer[0]
        self._release(worker, keep=kind not in ("memory",))
        if kind == "ok":
            return answer[1]
        if kind == "refused":
            _, status, detail, errors = answer
            raise ApiError(status, detail, errors=[tuple(e) for e in errors])
        if kind == "memory":
            raise self._memory_error()
        if kind == "deep":
            raise ApiError(
                422,
                "the script nests too deeply to be run; flatten it (fewer nested "
                "expressions or calls)",
                errors=[("script", "nesting limit")],
            )
        if kind == "too_big":
            raise ApiError(
                422,
                f"the answer would be {answer[1]} bytes, the limit is "
                f"{self.max_result_bytes} bytes; send fewer records per request",
                errors=[("records", f"answer limit {self.max_result_bytes} bytes")],
            )
        log.error("script worker job %s failed: %s", job, answer[1])
        raise ApiError(500, "internal error; the service log has the details")

    def _memory_error(self) -> ApiError:
        return ApiError(
            422,
            f"the script needs more memory than the limit of {self.memory_mb} MB "
            "(MAPWRIGHT_SCRIPT_MEMORY_MB) and was stopped; make the data it builds smaller",
            errors=[("script", f"memory limit {self.memory_mb} MB")],
        )


def _stop(worker: Worker) -> None:
    """Kill a worker and reap it (its CPU and memory are free afterwards)."""
    with contextlib.suppress(Exception):
        worker.process.kill()
    with contextlib.suppress(Exception):
        worker.process.join(5)
    with contextlib.suppress(Exception):
        worker.conn.close()
