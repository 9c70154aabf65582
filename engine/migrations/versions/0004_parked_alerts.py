"""Flow options for alerts on parked records: the threshold of open parked records that
sends a ``parked`` alert, and whether that alert was sent (re-armed below the threshold).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("flow_options") as batch:
        batch.add_column(sa.Column("parked_alert_at", sa.Integer))
        batch.add_column(
            sa.Column("parked_alerting", sa.Boolean, nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("flow_options") as batch:
        batch.drop_column("parked_alerting")
        batch.drop_column("parked_alert_at")
