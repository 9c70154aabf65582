"""One alembic history for every table: a fresh database migrates to head, and a database of
the older code (engine revision 0002 plus the service tables it made with ``create_all``;
revision 0004 plus the scale-out tables made on first use) upgrades to head keeping its rows;
on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import old_service_tables
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from mapwright.connectors.base import Quota
from mapwright.engine import schema
from mapwright.engine.claims import claim
from mapwright.engine.db import alembic_config, create_engine, migrate
from mapwright.engine.shared_quota import SharedQuotas
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
SCALE_TABLES = {"mw_quota_calls", "mw_quota_state", "mw_quota_limits", "mw_tokens", "mw_claims"}

# -- the scale-out tables as the code before revision 0005 created them on first use, frozen:
# engine/claims.py (SQLite and PostgreSQL), engine/shared_quota.py and engine/token_store.py
# (PostgreSQL only), each ``metadata.create_all(c, checkfirst=True)``
old_claims = sa.MetaData()
sa.Table(
    "mw_claims",
    old_claims,
    sa.Column("kind", sa.String(40), primary_key=True),
    sa.Column("key", sa.String(400), primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)
old_quotas = sa.MetaData()
sa.Table(
    "mw_quota_calls",
    old_quotas,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("key", sa.Text, nullable=False),
    sa.Column("quota", sa.Text, nullable=False),
    sa.Column("at", sa.Float, nullable=False),
    sa.Index("mw_quota_calls_key", "key", "quota", "at"),
)
sa.Table(
    "mw_quota_state",
    old_quotas,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("quota", sa.Text, primary_key=True),
    sa.Column("remaining", sa.Integer, nullable=False, default=0),
    sa.Column("reset_at", sa.Float, nullable=False, default=0.0),
    sa.Column("used_since", sa.Integer, nullable=False, default=0),
)
sa.Table(
    "mw_quota_limits",
    old_quotas,
    sa.Column("scope", sa.Text, primary_key=True),
    sa.Column("quota", sa.Text, primary_key=True),
    sa.Column("lim", sa.Integer, nullable=False),
    sa.Column("span", sa.Float, nullable=False),
)
old_tokens = sa.MetaData()
sa.Table(
    "mw_tokens",
    old_tokens,
    sa.Column("connection", sa.Text, primary_key=True),
    sa.Column("seed", sa.Text, nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)


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
        assert set(sa.inspect(store.engine).get_table_names()) >= SERVICE_TABLES | SCALE_TABLES
    finally:
        store.close()


def test_a_fresh_database_serves_claims_and_shared_quotas_without_creating_tables(
    store_url: str,
) -> None:
    store = Store.open(store_url)
    try:
        assert claim(store, "schedule", "acme/orders@1")
        assert not claim(store, "schedule", "acme/orders@1")
        if store.engine.dialect.name == "postgresql":  # shared quotas: PostgreSQL only
            quotas = SharedQuotas(store)
            per_minute = (Quota("minute", 2, 60, "connection"),)
            assert quotas.reserve("exact|1", per_minute) == (0.0, "")
            assert quotas.reserve("exact|1", per_minute) == (0.0, "")
            wait, binding = quotas.reserve("exact|1", per_minute)
            assert wait > 0 and binding == "minute"
    finally:
        store.close()


def test_a_database_with_first_use_scale_tables_upgrades_and_keeps_its_rows(
    store_url: str,
) -> None:
    engine = create_engine(store_url)
    postgres = engine.dialect.name == "postgresql"
    try:
        migrate(engine, "0004")
        now = dt.datetime.now(dt.UTC)
        with engine.begin() as c:  # what the older code did on first use
            old_claims.create_all(c, checkfirst=True)
            c.execute(
                old_claims.tables["mw_claims"].insert().values(kind="webhook", key="e1", at=now)
            )
            if postgres:
                old_quotas.create_all(c, checkfirst=True)
                old_tokens.create_all(c, checkfirst=True)
                at = c.execute(sa.text("SELECT extract(epoch from clock_timestamp())")).scalar()
                c.execute(
                    old_quotas.tables["mw_quota_calls"].insert(),
                    [{"key": "exact|1", "quota": "minute", "at": float(at or 0)}] * 2,
                )
                c.execute(
                    old_quotas.tables["mw_quota_limits"]
                    .insert()
                    .values(scope="exact", quota="minute", lim=2, span=60.0)
                )
                c.execute(
                    old_tokens.tables["mw_tokens"]
                    .insert()
                    .values(connection="exact", seed="s1", data={"v": 1}, updated_at=now)
                )
        assert _state(engine)[0] == "0004"

        migrate(engine)

        revision, differences = _state(engine)
        assert revision == _head(engine)
        assert differences == []
        assert set(sa.inspect(engine).get_table_names()) >= SCALE_TABLES
        store = Store(engine)
        assert not claim(store, "webhook", "e1")  # the old claim is still there
        assert claim(store, "webhook", "e2")
        if postgres:
            with engine.connect() as c:
                assert c.execute(sa.select(schema.tokens.c.data)).scalar() == {"v": 1}
                assert c.execute(sa.select(schema.quota_limits.c.lim)).scalar() == 2
            # the two calls counted before the upgrade still fill the quota
            wait, binding = SharedQuotas(store).reserve(
                "exact|1", (Quota("minute", 2, 60, "connection"),)
            )
            assert wait > 0 and binding == "minute"
        migrate(engine)  # once more: nothing to do
        assert _state(engine) == (_head(engine), [])
    finally:
        engine.dispose()


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


def test_processes_starting_together_declare_one_scope_without_a_duplicate_key(
    store_url: str,
) -> None:
    """Two services and two workers start at once and each declares the connection's limits:
    the declaration is one upsert, so none of them fails (CI once saw a duplicate key)."""
    import threading

    store = Store.open(store_url)
    if store.engine.dialect.name != "postgresql":  # shared quotas: PostgreSQL only
        store.close()
        return
    try:
        quotas = SharedQuotas(store)
        start = threading.Barrier(8)
        failures: list[BaseException] = []

        def declare(limit: int) -> None:
            start.wait()
            try:
                quotas.declare("exact|race", (Quota("minute", limit, 60, "connection"),))
            except BaseException as exc:  # noqa: BLE001 - collected for the assertion
                failures.append(exc)

        threads = [threading.Thread(target=declare, args=(10 + n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
        with store.begin() as c:
            rows = c.execute(
                sa.select(schema.quota_limits).where(schema.quota_limits.c.scope == "exact|race")
            ).all()
        assert len(rows) == 1 and 10 <= rows[0].lim <= 17
    finally:
        store.close()
