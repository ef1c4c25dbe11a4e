"""Chat channels for the weekly digests: a programme's Slack or Teams webhook, and outbox rows without a person.

Revision ID: 0037
Revises: 0039
Create Date: 2026-12-07 07:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0037"
down_revision = "0039"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chat_webhook",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("vendor", sa.String(length=16), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("url_ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["programme_id"], ["programme.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("chat_webhook", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chat_webhook_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_chat_webhook_programme_id"), ["programme_id"], unique=False)
    with op.batch_alter_table("outbound_message", schema=None) as batch_op:
        batch_op.alter_column("recipient_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("webhook_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_outbound_message_webhook_id"), ["webhook_id"], unique=False)
        batch_op.create_foreign_key(
            "fk_outbound_message_webhook_id_chat_webhook", "chat_webhook", ["webhook_id"], ["id"], ondelete="CASCADE"
        )


def downgrade() -> None:
    with op.batch_alter_table("outbound_message", schema=None) as batch_op:
        batch_op.drop_constraint("fk_outbound_message_webhook_id_chat_webhook", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_outbound_message_webhook_id"))
        batch_op.drop_column("webhook_id")
    op.execute("DELETE FROM outbound_message WHERE recipient_id IS NULL")
    with op.batch_alter_table("outbound_message", schema=None) as batch_op:
        batch_op.alter_column("recipient_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("chat_webhook", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chat_webhook_programme_id"))
        batch_op.drop_index(batch_op.f("ix_chat_webhook_organisation_id"))
    op.drop_table("chat_webhook")
