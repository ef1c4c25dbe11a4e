"""HR admin workspace: impact settings per programme, nudges to pairs, one-time admin login links.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-21 14:09:21.152531
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "admin_login_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("admin_login_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_admin_login_link_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "impact_setting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("replacement_cost", sa.Float(), nullable=False),
        sa.Column("programme_cost", sa.Float(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("opt_in", sa.Boolean(), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["programme_id"], ["programme.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("programme_id", name="uq_impact_setting_programme"),
    )
    with op.batch_alter_table("impact_setting", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_impact_setting_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "nudge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["pair_id"], ["pair.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("nudge", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_nudge_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_nudge_pair_id"), ["pair_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("nudge", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nudge_pair_id"))
        batch_op.drop_index(batch_op.f("ix_nudge_organisation_id"))

    op.drop_table("nudge")
    with op.batch_alter_table("impact_setting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_impact_setting_organisation_id"))

    op.drop_table("impact_setting")
    with op.batch_alter_table("admin_login_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_admin_login_link_organisation_id"))

    op.drop_table("admin_login_link")
