"""A coordinator's own chat webhook: a chat_webhook row with a coordinator's email and no programme.

Revision ID: 0043
Revises: 0038
Create Date: 2026-12-07 12:15:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0043"
down_revision = "0038"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("chat_webhook", schema=None) as batch_op:
        batch_op.add_column(sa.Column("coordinator_email", sa.String(length=320), nullable=True))
        batch_op.alter_column("programme_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM chat_webhook WHERE programme_id IS NULL")
    with op.batch_alter_table("chat_webhook", schema=None) as batch_op:
        batch_op.alter_column("programme_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("coordinator_email")
