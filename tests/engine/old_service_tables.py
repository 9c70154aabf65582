"""A frozen copy of the service's tables as the code before revision 0003 created them
(``api/schema.py``, ``create_all`` on every start): the starting point of the upgrade test.
Do not change it to match today's schema; it stands for databases that exist already.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
    }
)
Timestamp = sa.DateTime(timezone=True)

api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("tenant", sa.String(100), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("prefix", sa.String(20), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False, unique=True),
    sa.Column("scope", sa.String(20), nullable=False),
    sa.Column("reveal", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("revoked_at", Timestamp),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("tenant", sa.String(100), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("action", sa.String(100), nullable=False),
    sa.Column("target", sa.String(300), nullable=False),
    sa.Column("diff", sa.JSON, nullable=False),
    sa.Column("at", Timestamp, nullable=False),
    sa.Index(None, "tenant", "at"),
)

flow_versions = sa.Table(
    "flow_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("tenant", sa.String(100), nullable=False),
    sa.Column("flow", sa.String(100), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("script", sa.Text, nullable=False),
    sa.Column("settings", sa.JSON, nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("note", sa.Text),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.UniqueConstraint("tenant", "flow", "version"),
)

flow_options = sa.Table(
    "flow_options",
    metadata,
    sa.Column("tenant", sa.String(100), primary_key=True),
    sa.Column("flow", sa.String(100), primary_key=True),
    sa.Column("origin", sa.JSON, nullable=False),
    sa.Column("schedule", sa.JSON),
    sa.Column("next_run_at", Timestamp),
    sa.Column("store_payloads", sa.Boolean, nullable=False, default=True),
    sa.Column("redact", sa.JSON, nullable=False),
    sa.Column("pause_after", sa.Integer, nullable=False, default=3),
    sa.Column("failures", sa.Integer, nullable=False, default=0),
    sa.Column("alerting", sa.Boolean, nullable=False, default=False),
    sa.Column("paused_reason", sa.Text),
)

templates = sa.Table(
    "templates",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("tenant", sa.String(100)),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("version", sa.String(50), nullable=False),
    sa.Column("manifest", sa.JSON, nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("gallery", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.UniqueConstraint("tenant", "name", "version"),
)

idempotency = sa.Table(
    "idempotency_keys",
    metadata,
    sa.Column("tenant", sa.String(100), primary_key=True),
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("request_hash", sa.String(64), nullable=False),
    sa.Column("run_id", sa.String(36), nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
)

alert_channels = sa.Table(
    "alert_channels",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("tenant", sa.String(100), nullable=False),
    sa.Column("flow", sa.String(100), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("config", sa.JSON, nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
)

alert_events = sa.Table(
    "alert_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("tenant", sa.String(100), nullable=False),
    sa.Column("flow", sa.String(100), nullable=False),
    sa.Column("run_id", sa.String(36)),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("channel_id", sa.Integer),
    sa.Column("delivered", sa.Boolean, nullable=False),
    sa.Column("detail", sa.JSON, nullable=False),
    sa.Column("at", Timestamp, nullable=False),
)

tenant_privacy = sa.Table(
    "tenant_privacy",
    metadata,
    sa.Column("tenant", sa.String(100), primary_key=True),
    sa.Column("payload_ttl_days", sa.Integer),
    sa.Column("metadata_ttl_days", sa.Integer),
    sa.Column("redact", sa.JSON, nullable=False),
)


def create_tables(engine: sa.Engine) -> None:
    """Create the service's tables that do not exist yet."""
    metadata.create_all(engine, checkfirst=True)
