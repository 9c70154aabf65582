"""One alembic history for every table: a fresh database migrates to head, and a database of
the older code (engine revision 0002 plus the service tables it made with ``create_all``)
upgrades to head keeping its rows; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import old_service_tables
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from mapwright.engine import schema
from mapwright.engine.db import alembic_config, create_engine, migrate
from mapwright.engine.store import Store

SERVICE_TABLES = {
    "api_keys",
    "audit_log",
    "flow_versions",
    "flow_options",
    "templates",
    "idempotency_keys",
    "alert_channels",
    "alert_events",
    "tenant_privacy",
}


def _head(engine: sa.Engine) -> str:
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    assert head is not None
    return head


def _state(engine: sa.Engine) -> tuple[str | None, list[object]]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return context.get_current_revision(), compare_metadata(context, schema.metadata)


def test_a_fresh_database_migrates_to_head_with_every_table(store_url: str) -> None:
    store = Store.open(store_url)
    try:
        revision, differences = _state(store.engine)
        assert revision == _head(store.engine)
        assert differences == []
        assert set(sa.inspect(store.engine).get_table_names()) >= SERVICE_TABLES
    finally:
        store.close()


def test_a_database_of_the_older_code_upgrades_and_keeps_its_rows(store_url: str) -> None:
    engine = create_engine(store_url)
    try:
        migrate(engine, "0002")
        old_service_tables.create_tables(engine)  # what the service did on every start before 0003
        now = dt.datetime.now(dt.UTC)
        with engine.begin() as c:
            c.execute(
                schema.api_keys.insert().values(
                    id="k1",
                    tenant="acme",
                    name="admin",
                    prefix="mw_ab",
                    hash="h" * 64,
                    scope="admin",
                    reveal=False,
                    created_at=now,
                )
            )
            c.execute(
                schema.flow_options.insert().values(
                    tenant="acme",
                    flow="orders",
                    origin={},
                    redact=[],
                    store_payloads=True,
                    pause_after=3,
                    failures=1,
                    alerting=True,
                )
            )
        assert _state(engine)[0] == "0002"

        migrate(engine)

        revision, differences = _state(engine)
        assert revision == _head(engine)
        assert differences == []
        with engine.connect() as c:
            assert c.execute(sa.select(schema.api_keys.c.name)).scalars().all() == ["admin"]
            assert c.execute(sa.select(schema.flow_options.c.failures)).scalar() == 1
        migrate(engine)  # once more: nothing to do
        assert _state(engine) == (_head(engine), [])
    finally:
        engine.dispose()


def test_a_database_with_only_some_service_tables_gets_the_missing_ones(store_url: str) -> None:
    engine = create_engine(store_url)
    try:
        migrate(engine, "0002")
        old_service_tables.audit_log.create(engine)
        migrate(engine)
        assert set(sa.inspect(engine).get_table_names()) >= SERVICE_TABLES
        assert _state(engine)[0] == _head(engine)
    finally:
        engine.dispose()
