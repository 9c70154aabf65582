"""Fixtures of the engine tests: a store on SQLite and on PostgreSQL, systems, an engine.

PostgreSQL runs on 127.0.0.1:5432 (trust auth, user postgres). One database
``mapwright_test_<random>`` is created per test session and dropped at the end; each test
gets its own schema in it, so tests never see each other's rows.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from engine_doubles import TableSystem  # noqa: E402
from mapwright.engine.connections import Connections  # noqa: E402
from mapwright.engine.flows import Flow, FlowCatalog  # noqa: E402
from mapwright.engine.retry import RetryPolicy  # noqa: E402
from mapwright.engine.runs import Engine  # noqa: E402
from mapwright.engine.store import Store  # noqa: E402

PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=test"


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str | None]:
    try:
        import psycopg

        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3)
    except Exception:  # noqa: BLE001 - no server: the PostgreSQL variants are skipped
        yield None
        return
    name = f"mapwright_test_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(
    request: pytest.FixtureRequest, tmp_path: Path, pg_database: str | None
) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    if pg_database is None:
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(
        PG_ADMIN.replace("dbname=test", f"dbname={pg_database}"), autocommit=True
    ) as c:
        c.execute(f'CREATE SCHEMA "{schema}"')
    yield (
        f"postgresql+psycopg://postgres@127.0.0.1:5432/{pg_database}"
        f"?options=-csearch_path%3D{schema}"
    )
    with psycopg.connect(
        PG_ADMIN.replace("dbname=test", f"dbname={pg_database}"), autocommit=True
    ) as c:
        c.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    store = Store.open(store_url)
    yield store
    store.close()


@pytest.fixture
def shop(tmp_path: Path) -> TableSystem:
    return TableSystem(str(tmp_path / "shop.db"))


@pytest.fixture
def erp(tmp_path: Path) -> TableSystem:
    return TableSystem(str(tmp_path / "erp.db"))


class FakeSleep:
    """Records the back-off waits instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def sleep() -> FakeSleep:
    return FakeSleep()


@pytest.fixture
def make_engine(
    store: Store, shop: TableSystem, erp: TableSystem, sleep: FakeSleep
) -> Callable[..., Engine]:
    def build(script: str, *, name: str = "orders", settings: dict | None = None) -> Engine:
        catalog = FlowCatalog(
            store=store,
            flows={name: Flow(name, script, settings or {}, origin="test")},
            builtin_dir=None,
        )
        connections = Connections(instances={"shop": shop, "erp": erp})
        return Engine(
            store, catalog=catalog, connections=connections, retry=RetryPolicy(sleep=sleep)
        )

    return build
