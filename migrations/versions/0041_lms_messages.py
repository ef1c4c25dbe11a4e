"""Messages on the LMS channel: the connection a message goes through and the LMS's reference for it.

Revision ID: 0041
Revises: 0033
Create Date: 2026-12-07 07:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0041"
down_revision = "0033"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbound_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("connection_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("vendor_ref", sa.String(length=64), nullable=False, server_default=""))
        batch_op.create_foreign_key(
            "fk_outbound_message_connection_id_connection", "connection", ["connection_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("outbound_message", schema=None) as batch_op:
        batch_op.drop_constraint("fk_outbound_message_connection_id_connection", type_="foreignkey")
        batch_op.drop_column("vendor_ref")
        batch_op.drop_column("connection_id")
