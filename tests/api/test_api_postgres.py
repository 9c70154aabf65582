"""The service on PostgreSQL: same code, the store URL is all that changes.

Needs a server on 127.0.0.1:5432 (trust auth, user postgres); skipped without one. Each run
uses a schema of its own, dropped afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import World
from flows_fixtures import RECEIPTS
from mapwright.api.settings import ApiSettings

PG = "host=127.0.0.1 port=5432 user=postgres dbname=test"


@pytest.fixture
def pg_settings(settings: ApiSettings) -> Iterator[ApiSettings]:
    try:
        import psycopg

        admin = psycopg.connect(PG, autocommit=True, connect_timeout=3)
    except Exception:  # noqa: BLE001 - no server: skip
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    schema = f"api_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE SCHEMA "{schema}"')
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3D{schema}"
    try:
        yield settings.model_copy(update={"store_url": url})
    finally:
        admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        admin.close()


async def test_a_run_with_its_log_on_postgresql(make_world: Any, pg_settings: ApiSettings) -> None:
    world: World = await make_world(settings=pg_settings)
    assert world.services.store.engine.dialect.name == "postgresql"
    await world.connect_sandboxes()
    await world.client.post(
        "/api/v1/flows", json={"name": "receipts", "script": RECEIPTS}, headers=world.admin
    )
    run = await world.client.post(
        "/api/v1/flows/receipts/runs", json={"wait_seconds": 30}, headers=world.admin
    )
    await world.services.executor.drain()
    assert run.json()["status"] == "succeeded", run.text
    log = await world.client.get(f"/api/v1/runs/{run.json()['id']}/records", headers=world.admin)
    assert {r["outcome"] for r in log.json()["records"]} == {"sent"}
    other = world.tenant("globex")
    assert (
        await world.client.get(f"/api/v1/runs/{run.json()['id']}", headers=other)
    ).status_code == 404
    await world.client.aclose()
