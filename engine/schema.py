"""The engine's tables (SQLAlchemy Core): flows, runs, the per-record log, ledger, cursors, locks,
the service's tables (API keys, audit log, flow versions and options, templates,
idempotency keys, alert channels and events, tenant privacy settings) and the scale-out tables
(shared quota counts, shared Exact tokens, claims).

The same tables serve SQLite (the embedded default) and PostgreSQL. One alembic history
(``engine/migrations/versions``) creates them all; a test compares the migrated database with this
metadata so the two cannot drift apart.

Parked records are not a table of their own: a row of ``run_records`` whose ``parked_state``
is ``open`` is a parked record. A replay writes a new ``run_records`` row whose ``replay_of``
points at the parked one, and moves the parked one to ``resolved`` once it went through.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

Timestamp = sa.DateTime(timezone=True)

tenants = sa.Table(
    "tenants",
    metadata,
    sa.Column("id", sa.String(100), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
)

connections = sa.Table(
    "connections",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("tenant", sa.String(100), nullable=False),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("kind", sa.String(100), nullable=False),
    sa.Column("base_url", sa.String(500)),
    sa.Column("credentials", sa.JSON, nullable=False),
    sa.Column("options", sa.JSON, nullable=False),
    sa.Column("updated_at", Timestamp, nullable=False),
    sa.UniqueConstraint("tenant", "name"),
)

flows = sa.Table(
    "flows",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("tenant", sa.String(100), nullable=False),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("script", sa.Text, nullable=False),
    sa.Column("settings", sa.JSON, nullable=False),
    sa.Column("connections", sa.JSON, nullable=False),
    sa.Column("enabled", sa.Boolean, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("updated_at", Timestamp, nullable=False),
    sa.UniqueConstraint("tenant", "name"),
)

runs = sa.Table(
    "runs",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("tenant", sa.String(100), nullable=False),
    sa.Column("flow", sa.String(100), nullable=False),
    sa.Column("flow_version", sa.Integer),
    sa.Column("script_hash", sa.String(64)),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("dry_run", sa.Boolean, nullable=False),
    sa.Column("trigger", sa.String(20), nullable=False),
    sa.Column("params", sa.JSON, nullable=False),
    sa.Column("counts", sa.JSON, nullable=False),
    sa.Column("cursor_start", sa.Text),
    sa.Column("cursor_end", sa.Text),
    sa.Column("error", sa.Text),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("started_at", Timestamp),
    sa.Column("finished_at", Timestamp),
    sa.Index(None, "tenant", "flow", "created_at"),
)

run_records = sa.Table(
    "run_records",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.String(36), sa.ForeignKey("runs.id"), nullable=False),
    sa.Column("tenant", sa.String(100), nullable=False),
    sa.Column("flow", sa.String(100), nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("page", sa.Integer, nullable=False),
    sa.Column("source_id", sa.String(200)),
    sa.Column("source", sa.JSON),
    sa.Column("plan", sa.JSON),
    sa.Column("operations", sa.JSON, nullable=False),
    sa.Column("outcome", sa.String(20), nullable=False),
    sa.Column("reason", sa.Text),
    sa.Column("parked_state", sa.String(20)),
    sa.Column("replay_of", sa.Integer, sa.ForeignKey("run_records.id")),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Index(None, "run_id", "seq"),
    sa.Index(None, "tenant", "flow", "parked_state"),
    sa.Index(None, "tenant", "flow", "source_id"),
)

ledger = sa.Table(
    "ledger",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("tenant", sa.String(100), nullable=False),
    sa.Column("flow", sa.String(100), nullable=False),
    sa.Column("source_id", sa.String(200), nullable=False),
    sa.Column("operation", sa.String(200), nullable=False),
    sa.Column("target", sa.String(200), nullable=False),
    sa.Column("target_id", sa.String(200)),
    sa.Column("state", sa.String(20), nullable=False),
    sa.Column("natural_key", sa.JSON),
    sa.Column("run_id", sa.String(36)),
    sa.Column("updated_at", Timestamp, nullable=False),
    # the flow created the target record (not only matched it): the record's origin is
    # mapwright, so another flow reading that target must not send it back (echo)
    sa.Column("created", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.UniqueConstraint("tenant", "flow", "source_id", "operation"),
    sa.Index(None, "tenant", "target", "target_id"),
)

cursors = sa.Table(
    "cursors",
    metadata,
    sa.Column("tenant", sa.String(100), primary_key=True),
    sa.Column("flow", sa.String(100), primary_key=True),
    sa.Column("cursor", sa.Text),
    sa.Column("run_id", sa.String(36)),
    sa.Column("updated_at", Timestamp, nullable=False),
)

locks = sa.Table(
    "locks",
    metadata,
    sa.Column("tenant", sa.String(100), primary_key=True),
    sa.Column("flow", sa.String(100), primary_key=True),
    sa.Column("run_id", sa.String(36), nullable=False),
    sa.Column("host", sa.String(200), nullable=False),
    sa.Column("pid", sa.Integer, nullable=False),
    sa.Column("acquired_at", Timestamp, nullable=False),
    sa.Column("expires_at", Timestamp, nullable=False),
)

# -- the service's tables (revision 0003) -----------------------------------------------
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
    # alert when this many parked records of the flow are open (revision 0004); None = off
    sa.Column("parked_alert_at", sa.Integer),
    sa.Column("parked_alerting", sa.Boolean, nullable=False, server_default=sa.false()),
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

# -- the scale-out tables (revision 0005) -------------------------------------------------
# shared quotas (engine/shared_quota.py, PostgreSQL only): one row per granted call ...
quota_calls = sa.Table(
    "mw_quota_calls",
    metadata,
    sa.Column(
        "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), sa.Identity(), primary_key=True
    ),
    sa.Column("key", sa.Text, nullable=False),
    sa.Column("quota", sa.Text, nullable=False),
    sa.Column("at", sa.Float, nullable=False),
    sa.Index("mw_quota_calls_key", "key", "quota", "at"),
)

# ... what the server last reported per key and quota (and pauses, quota ``*pause*``) ...
quota_state = sa.Table(
    "mw_quota_state",
    metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("quota", sa.Text, primary_key=True),
    sa.Column("remaining", sa.Integer, nullable=False, default=0),
    sa.Column("reset_at", sa.Float, nullable=False, default=0.0),
    sa.Column("used_since", sa.Integer, nullable=False, default=0),
)

# ... and each scope's limits (for /metrics)
quota_limits = sa.Table(
    "mw_quota_limits",
    metadata,
    sa.Column("scope", sa.Text, primary_key=True),
    sa.Column("quota", sa.Text, primary_key=True),
    sa.Column("lim", sa.Integer, nullable=False),
    sa.Column("span", sa.Float, nullable=False),
)

# rotating Exact tokens of configured connections, encrypted (engine/token_store.py)
tokens = sa.Table(
    "mw_tokens",
    metadata,
    sa.Column("connection", sa.Text, primary_key=True),
    sa.Column("seed", sa.Text, nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Column("updated_at", Timestamp, nullable=False),
)

# "exactly one process does this" (engine/claims.py)
claims = sa.Table(
    "mw_claims",
    metadata,
    sa.Column("kind", sa.String(40), primary_key=True),
    sa.Column("key", sa.String(400), primary_key=True),
    sa.Column("at", Timestamp, nullable=False),
)
