"""The service's tables join the one alembic history: API keys, audit log, flow versions and
options, templates, idempotency keys, alert channels and events, tenant privacy settings.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06

Before this revision the service created these tables itself (``create_all`` on every start),
so a database of an older version may already hold some or all of them, with exactly these
definitions: a table that exists is kept as it is (its rows too), a missing one is created.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
TABLES = (
    "api_keys",
    "audit_log",
    "flow_versions",
    "flow_options",
    "templates",
    "idempotency_keys",
    "alert_channels",
    "alert_events",
    "tenant_privacy",
)


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "api_keys" not in existing:
        op.create_table(
            "api_keys",
            sa.Column("id", sa.String(36), nullable=False),
            sa.Column("tenant", sa.String(100), nullable=False),
            sa.Column("name", sa.String(200), nullable=False),
            sa.Column("prefix", sa.String(20), nullable=False),
            sa.Column("hash", sa.String(64), nullable=False),
            sa.Column("scope", sa.String(20), nullable=False),
            sa.Column("reveal", sa.Boolean, nullable=False),
            sa.Column("created_at", TS, nullable=False),
            sa.Column("revoked_at", TS),
            sa.PrimaryKeyConstraint("id", name="pk_api_keys"),
            sa.UniqueConstraint("hash", name="uq_api_keys_hash"),
        )
    if "audit_log" not in existing:
        op.create_table(
            "audit_log",
            sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
            sa.Column("tenant", sa.String(100), nullable=False),
            sa.Column("actor", sa.String(200), nullable=False),
            sa.Column("action", sa.String(100), nullable=False),
            sa.Column("target", sa.String(300), nullable=False),
            sa.Column("diff", sa.JSON, nullable=False),
            sa.Column("at", TS, nullable=False),
            sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
        )
        op.create_index("ix_audit_log_tenant_at", "audit_log", ["tenant", "at"])
    if "flow_versions" not in existing:
        op.create_table(
            "flow_versions",
            sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
            sa.Column("tenant", sa.String(100), nullable=False),
            sa.Column("flow", sa.String(100), nullable=False),
            sa.Column("version", sa.Integer, nullable=False),
            sa.Column("script", sa.Text, nullable=False),
            sa.Column("settings", sa.JSON, nullable=False),
            sa.Column("actor", sa.String(200), nullable=False),
            sa.Column("note", sa.Text),
            sa.Column("created_at", TS, nullable=False),
            sa.PrimaryKeyConstraint("id", name="pk_flow_versions"),
            sa.UniqueConstraint(
                "tenant", "flow", "version", name="uq_flow_versions_tenant_flow_version"
            ),
        )
    if "flow_options" not in existing:
        op.create_table(
            "flow_options",
            sa.Column("tenant", sa.String(100), nullable=False),
            sa.Column("flow", sa.String(100), nullable=False),
            sa.Column("origin", sa.JSON, nullable=False),
            sa.Column("schedule", sa.JSON),
            sa.Column("next_run_at", TS),
            sa.Column("store_payloads", sa.Boolean, nullable=False),
            sa.Column("redact", sa.JSON, nullable=False),
            sa.Column("pause_after", sa.Integer, nullable=False),
            sa.Column("failures", sa.Integer, nullable=False),
            sa.Column("alerting", sa.Boolean, nullable=False),
            sa.Column("paused_reason", sa.Text),
            sa.PrimaryKeyConstraint("tenant", "flow", name="pk_flow_options"),
        )
    if "templates" not in existing:
        op.create_table(
            "templates",
            sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
            sa.Column("tenant", sa.String(100)),
            sa.Column("name", sa.String(100), nullable=False),
            sa.Column("version", sa.String(50), nullable=False),
            sa.Column("manifest", sa.JSON, nullable=False),
            sa.Column("content_hash", sa.String(64), nullable=False),
            sa.Column("gallery", sa.Boolean, nullable=False),
            sa.Column("created_at", TS, nullable=False),
            sa.PrimaryKeyConstraint("id", name="pk_templates"),
            sa.UniqueConstraint(
                "tenant", "name", "version", name="uq_templates_tenant_name_version"
            ),
        )
    if "idempotency_keys" not in existing:
        op.create_table(
            "idempotency_keys",
            sa.Column("tenant", sa.String(100), nullable=False),
            sa.Column("key", sa.String(200), nullable=False),
            sa.Column("request_hash", sa.String(64), nullable=False),
            sa.Column("run_id", sa.String(36), nullable=False),
            sa.Column("created_at", TS, nullable=False),
            sa.PrimaryKeyConstraint("tenant", "key", name="pk_idempotency_keys"),
        )
    if "alert_channels" not in existing:
        op.create_table(
            "alert_channels",
            sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
            sa.Column("tenant", sa.String(100), nullable=False),
            sa.Column("flow", sa.String(100), nullable=False),
            sa.Column("kind", sa.String(20), nullable=False),
            sa.Column("config", sa.JSON, nullable=False),
            sa.Column("created_at", TS, nullable=False),
            sa.PrimaryKeyConstraint("id", name="pk_alert_channels"),
        )
    if "alert_events" not in existing:
        op.create_table(
            "alert_events",
            sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
            sa.Column("tenant", sa.String(100), nullable=False),
            sa.Column("flow", sa.String(100), nullable=False),
            sa.Column("run_id", sa.String(36)),
            sa.Column("kind", sa.String(20), nullable=False),
            sa.Column("channel_id", sa.Integer),
            sa.Column("delivered", sa.Boolean, nullable=False),
            sa.Column("detail", sa.JSON, nullable=False),
            sa.Column("at", TS, nullable=False),
            sa.PrimaryKeyConstraint("id", name="pk_alert_events"),
        )
    if "tenant_privacy" not in existing:
        op.create_table(
            "tenant_privacy",
            sa.Column("tenant", sa.String(100), nullable=False),
            sa.Column("payload_ttl_days", sa.Integer),
            sa.Column("metadata_ttl_days", sa.Integer),
            sa.Column("redact", sa.JSON, nullable=False),
            sa.PrimaryKeyConstraint("tenant", name="pk_tenant_privacy"),
        )


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
