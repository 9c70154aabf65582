"""Helpers of the scale-out tests: real worker and service processes on the machine's PostgreSQL.

Each test gets its own database (``mw_scale_<random>``, dropped afterwards), sandboxes served
over real HTTP on 127.0.0.1 (uvicorn in a thread of the test process, so the test reads their
state directly), a ``mapwright.toml`` pointing at both, and helpers to start ``mapwright
worker`` and ``mapwright serve --workers 0`` as subprocesses.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ADMIN_URL = os.environ.get("MAPWRIGHT_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
ITEMS = {"19": "SHIRT-001-S", "7": "SHIRT-001-M", "0": "SHIRT-001-L"}
KEY = "x1pQ1w7wJ8n0nX3K0Y4k8fA7rN2cQ9sT5uV6wX7yZ0E="


def _pg_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(_libpq(ADMIN_URL), connect_timeout=3):
            return True
    except Exception:  # noqa: BLE001 - any failure means: no PostgreSQL here
        return False


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh database on the machine's PostgreSQL, dropped after the test."""
    if not _pg_available():
        pytest.skip("no PostgreSQL at " + ADMIN_URL)
    url = create_database()
    yield url
    drop_database(url)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Served:
    """An ASGI app served by uvicorn on 127.0.0.1 in a thread of this process."""

    def __init__(self, app: Any):
        import uvicorn

        self.app = app
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("sandbox server did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.server.force_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


@dataclass
class Cluster:
    """Sandboxes, a config file and the processes of one test."""

    tmp: Path
    url: str
    exact: Served
    bb: Served
    config: Path
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    logs: list[Path] = field(default_factory=list)

    @property
    def exact_sandbox(self) -> Any:
        return self.exact.app.state.sandbox

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("MAPWRIGHT_")}
        env["MAPWRIGHT_SECRET_KEY"] = KEY
        env["MAPWRIGHT_SCHEDULER_TICK"] = "0.2"
        return env

    def _spawn(self, args: list[str], name: str) -> subprocess.Popen[bytes]:
        log = self.tmp / f"{name}-{len(self.logs)}.log"
        self.logs.append(log)
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "mapwright", *args],
                cwd=self.tmp,
                env=self.env(),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.procs.append(proc)
        return proc

    def worker(self, concurrency: int = 4) -> subprocess.Popen[bytes]:
        return self._spawn(
            [
                "worker",
                "--config",
                str(self.config),
                "--concurrency",
                str(concurrency),
                "--heartbeat",
                "0.5",
                "--stalled-after",
                "3",
            ],
            "worker",
        )

    def workers_ready(self, count: int, timeout: float = 60) -> None:
        """Wait until ``count`` workers have logged that they are listening."""

        def started() -> bool:
            logs = [p for p in self.logs if p.name.startswith("worker-")]
            text = [p.read_text(errors="replace") for p in logs if p.exists()]
            return sum('"event": "worker.started"' in t for t in text) >= count

        wait_for(started, timeout)

    def service(self, port: int) -> subprocess.Popen[bytes]:
        proc = self._spawn(
            ["serve", "--store", self.url, "--port", str(port), "--workers", "0",
             "--data", str(self.tmp / "data")],
            "serve",
        )  # fmt: skip
        wait_for(lambda: _listening(port) or proc.poll() is not None, 60)
        if proc.poll() is not None:
            raise AssertionError("service did not start:\n" + self.output())
        return proc

    def output(self) -> str:
        return "\n".join(
            f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in self.logs
        )

    def stop(self) -> None:
        """Kill every process of the test (its database is dropped next)."""
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
        for proc in self.procs:
            proc.wait()

    def close(self) -> None:
        from mapwright.connectors import quota

        quota.set_backend(None)  # the test process counted in this cluster's database
        self.stop()
        self.exact.stop()
        self.bb.stop()

    def engine(self) -> Any:
        """An engine of the test process on the same config (it only enqueues)."""
        from mapwright.engine.config import load_settings
        from mapwright.engine.runs import Engine
        from mapwright.engine.scale import enable_sharing, queue_runs

        os.environ["MAPWRIGHT_SECRET_KEY"] = KEY
        try:
            engine = Engine.from_config(load_settings(self.config))
        finally:
            del os.environ["MAPWRIGHT_SECRET_KEY"]
        enable_sharing(engine)
        queue_runs(engine)
        return engine


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def wait_for(check: Callable[[], Any], timeout: float, step: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(step)


def sandbox(system: str, records: int, **extra: Any) -> Served:
    from mapwright.connectors.sandbox import FaultOptions, SandboxOptions

    module = importlib.import_module(f"mapwright.connectors.{system}.sandbox")
    faults = extra.pop("faults", FaultOptions())
    options = SandboxOptions(seed=11, records=records, faults=faults, extra=extra)
    return Served(module.create_app(options))


def create_database() -> str:
    """A new database on the machine's PostgreSQL (``drop_database`` removes it)."""
    import psycopg

    name = f"mw_scale_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_libpq(ADMIN_URL), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def drop_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(_libpq(ADMIN_URL), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def build_cluster(
    tmp_path: Path,
    pg_url: str,
    *,
    records: int = 12,
    exact_per_minute: int = 100_000,
    exact: dict[str, Any] | None = None,
    bb_records: int | None = None,
    latency_ms: int = 0,
) -> Cluster:
    """Sandboxes (served on 127.0.0.1) and a ``mapwright.toml`` for them and ``pg_url``."""
    from mapwright.connectors.buchhaltungsbutler.sandbox import describe as bb_describe
    from mapwright.connectors.exact_online.sandbox import describe as exact_describe
    from mapwright.connectors.sandbox import FaultOptions

    exact = dict(exact or {})
    if latency_ms:
        exact.setdefault("faults", FaultOptions(latency_ms=latency_ms))
    exact_server = sandbox("exact_online", records, minutely_limit=exact_per_minute, **exact)
    bb_faults = FaultOptions(latency_ms=latency_ms)
    bb_server = sandbox(
        "buchhaltungsbutler", bb_records or records, rate_limit=100_000, faults=bb_faults
    )
    e = exact_describe(exact_server.app, exact_server.url)
    b = bb_describe(bb_server.app, bb_server.url)
    items = ", ".join(f'"{k}" = "{v}"' for k, v in ITEMS.items())
    config = tmp_path / "mapwright.toml"
    config.write_text(
        f"""
data_dir = "{tmp_path / "data"}"
tenant = "acme"

[store]
url = "{pg_url}"

[connections.exact_online]
kind = "exact_online"
base_url = "{e["base_url"]}"
options = {{ minutely_limit = {exact_per_minute} }}

[connections.exact_online.credentials]
client_id = "{e["client_id"]}"
client_secret = "{e["client_secret"]}"
refresh_token = "{e["refresh_token"]}"
webhook_secret = "{e["webhook_secret"]}"

[connections.buchhaltungsbutler]
kind = "buchhaltungsbutler"
base_url = "{b["base_url"]}"
options = {{ requests_per_minute = 100000 }}

[connections.buchhaltungsbutler.credentials]
api_client = "{b["api_client"]}"
api_secret = "{b["api_secret"]}"
api_key = "{b["api_key"]}"

[flows.orders]
settings = {{ items_by_vat = {{ {items} }} }}
""",
        encoding="utf-8",
    )
    return Cluster(tmp_path, pg_url, exact_server, bb_server, config)


@pytest.fixture
def make_cluster(pg_url: str, tmp_path: Path) -> Iterator[Callable[..., Cluster]]:
    made: list[Cluster] = []

    def make(**options: Any) -> Cluster:
        cluster = build_cluster(tmp_path, pg_url, **options)
        made.append(cluster)
        return cluster

    yield make
    for cluster in made:
        cluster.close()


def exact_rows(cluster: Cluster, table: str) -> list[dict[str, Any]]:
    return list(cluster.exact_sandbox.store.table(table).values())


def bb_rows(cluster: Cluster, table: str) -> list[dict[str, Any]]:
    return list(cluster.bb.app.state.bb.store.all(table))


def paid_receipts(cluster: Cluster) -> set[str]:
    return {
        str(r["invoicenumber"])
        for r in bb_rows(cluster, "receipts")
        if r["type"] in ("invoice outbound", "credit outbound")
        and r["amount_paid"] == r["amount"]
        and float(r["amount"]) != 0
    }


@contextlib.contextmanager
def no_env(name: str) -> Iterator[None]:
    old = os.environ.pop(name, None)
    try:
        yield
    finally:
        if old is not None:
            os.environ[name] = old
