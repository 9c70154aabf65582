"""The first schema: tenants, connections, flows, runs, run records, ledger, cursors, locks.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "tenants",
        sa.Column("id", sa.String(100), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tenants"),
    )
    op.create_table(
        "connections",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(100), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(100), nullable=False),
        sa.Column("base_url", sa.String(500)),
        sa.Column("credentials", sa.JSON, nullable=False),
        sa.Column("options", sa.JSON, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_connections"),
        sa.UniqueConstraint("tenant", "name", name="uq_connections_tenant_name"),
    )
    op.create_table(
        "flows",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(100), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("script", sa.Text, nullable=False),
        sa.Column("settings", sa.JSON, nullable=False),
        sa.Column("connections", sa.JSON, nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_flows"),
        sa.UniqueConstraint("tenant", "name", name="uq_flows_tenant_name"),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.String(36), nullable=False),
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
        sa.Column("created_at", TS, nullable=False),
        sa.Column("started_at", TS),
        sa.Column("finished_at", TS),
        sa.PrimaryKeyConstraint("id", name="pk_runs"),
    )
    op.create_index("ix_runs_tenant_flow_created_at", "runs", ["tenant", "flow", "created_at"])
    op.create_table(
        "run_records",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("run_id", sa.String(36), nullable=False),
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
        sa.Column("replay_of", sa.Integer),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_run_records"),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name="fk_run_records_run_id_runs"),
        sa.ForeignKeyConstraint(
            ["replay_of"], ["run_records.id"], name="fk_run_records_replay_of_run_records"
        ),
    )
    op.create_index("ix_run_records_run_id_seq", "run_records", ["run_id", "seq"])
    op.create_index(
        "ix_run_records_tenant_flow_parked_state", "run_records", ["tenant", "flow", "parked_state"]
    )
    op.create_index(
        "ix_run_records_tenant_flow_source_id", "run_records", ["tenant", "flow", "source_id"]
    )
    op.create_table(
        "ledger",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(100), nullable=False),
        sa.Column("flow", sa.String(100), nullable=False),
        sa.Column("source_id", sa.String(200), nullable=False),
        sa.Column("operation", sa.String(200), nullable=False),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("target_id", sa.String(200)),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("natural_key", sa.JSON),
        sa.Column("run_id", sa.String(36)),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ledger"),
        sa.UniqueConstraint(
            "tenant",
            "flow",
            "source_id",
            "operation",
            name="uq_ledger_tenant_flow_source_id_operation",
        ),
    )
    op.create_table(
        "cursors",
        sa.Column("tenant", sa.String(100), nullable=False),
        sa.Column("flow", sa.String(100), nullable=False),
        sa.Column("cursor", sa.Text),
        sa.Column("run_id", sa.String(36)),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("tenant", "flow", name="pk_cursors"),
    )
    op.create_table(
        "locks",
        sa.Column("tenant", sa.String(100), nullable=False),
        sa.Column("flow", sa.String(100), nullable=False),
        sa.Column("run_id", sa.String(36), nullable=False),
        sa.Column("host", sa.String(200), nullable=False),
        sa.Column("pid", sa.Integer, nullable=False),
        sa.Column("acquired_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("tenant", "flow", name="pk_locks"),
    )


def downgrade() -> None:
    for table in ("locks", "cursors", "ledger", "run_records", "runs", "flows", "connections"):
        op.drop_table(table)
    op.drop_table("tenants")
