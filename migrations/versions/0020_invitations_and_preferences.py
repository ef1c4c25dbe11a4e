"""Calendar invitations per planned session, message preferences (unsubscribe, quiet hours), invitations on messages.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 00:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbound_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("calendar", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("calendar_method", sa.String(length=16), nullable=False, server_default=""))
    op.create_table(
        "message_preference",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("unsubscribed", sa.JSON(), nullable=False),
        sa.Column("quiet_start_hour", sa.Integer(), nullable=True),
        sa.Column("quiet_end_hour", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["employee_id"], ["employee.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organisation_id", "employee_id", name="uq_message_preference_employee"),
    )
    with op.batch_alter_table("message_preference", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_message_preference_employee_id"), ["employee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_message_preference_organisation_id"), ["organisation_id"], unique=False)
    op.create_table(
        "pair_invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("session_number", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=200), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["pair_id"], ["pair.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organisation_id", "pair_id", "session_number", name="uq_pair_invitation"),
        sa.UniqueConstraint("uid"),
    )
    with op.batch_alter_table("pair_invitation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pair_invitation_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pair_invitation_pair_id"), ["pair_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pair_invitation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pair_invitation_pair_id"))
        batch_op.drop_index(batch_op.f("ix_pair_invitation_organisation_id"))
    op.drop_table("pair_invitation")
    with op.batch_alter_table("message_preference", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_message_preference_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_message_preference_employee_id"))
    op.drop_table("message_preference")
    with op.batch_alter_table("outbound_message", schema=None) as batch_op:
        batch_op.drop_column("calendar_method")
        batch_op.drop_column("calendar")
