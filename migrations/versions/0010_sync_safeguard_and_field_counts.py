"""Sync runs: per-field presence counts, the deletion safeguard's held leavers and HR's decision.

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-06 20:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # server defaults fill the runs already stored; new rows get theirs from the ORM
    with op.batch_alter_table("sync_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("field_counts", sa.JSON(), nullable=False, server_default=sa.text("'{}'")))
        batch_op.add_column(sa.Column("deactivation_note", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("safeguard", sa.String(length=16), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("held_leavers", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
        batch_op.add_column(sa.Column("decided_by", sa.String(length=255), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sync_run", schema=None) as batch_op:
        for name in ("decided_at", "decided_by", "held_leavers", "safeguard", "deactivation_note", "field_counts"):
            batch_op.drop_column(name)
