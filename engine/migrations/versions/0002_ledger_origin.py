"""The ledger remembers which target records a flow created (origin), for echo checks.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ledger") as batch:
        batch.add_column(
            sa.Column("created", sa.Boolean, nullable=False, server_default=sa.false())
        )
    # rows written before this revision cannot tell a create from a match: they stay
    # false, so the echo check covers records created from this version on
    op.create_index(
        "ix_ledger_tenant_target_target_id", "ledger", ["tenant", "target", "target_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_ledger_tenant_target_target_id", table_name="ledger")
    with op.batch_alter_table("ledger") as batch:
        batch.drop_column("created")
