"""Preparation activities per role and their last reading; a pair's own plan: goals and an agenda both partners edit, and pre-reads shared between the two.

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-07 08:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0038"
down_revision = "0037"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pair_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("goals", sa.Text(), nullable=False),
        sa.Column("agenda", sa.Text(), nullable=False),
        sa.Column("updated_by_role", sa.String(length=8), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["pair_id"], ["pair.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("pair_id"),
    )
    with op.batch_alter_table("pair_plan", schema=None) as batch_op:
        batch_op.create_index("ix_pair_plan_organisation_id", ["organisation_id"], unique=False)
    op.create_table(
        "pre_read",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("added_by_role", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["pair_id"], ["pair.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("pre_read", schema=None) as batch_op:
        batch_op.create_index("ix_pre_read_organisation_id", ["organisation_id"], unique=False)
        batch_op.create_index("ix_pre_read_pair_id", ["pair_id"], unique=False)

    op.create_table(
        "preparation_activity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("activity_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["programme_id"], ["programme.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("programme_id", "role", "activity_id", name="uq_preparation_activity"),
    )
    with op.batch_alter_table("preparation_activity", schema=None) as batch_op:
        batch_op.create_index("ix_preparation_activity_organisation_id", ["organisation_id"], unique=False)
        batch_op.create_index("ix_preparation_activity_programme_id", ["programme_id"], unique=False)
    op.create_table(
        "preparation_reading",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("done", sa.JSON(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["employee_id"], ["employee.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["pair_id"], ["pair.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("pair_id", "employee_id", name="uq_preparation_reading"),
    )
    with op.batch_alter_table("preparation_reading", schema=None) as batch_op:
        batch_op.create_index("ix_preparation_reading_organisation_id", ["organisation_id"], unique=False)
        batch_op.create_index("ix_preparation_reading_pair_id", ["pair_id"], unique=False)


def downgrade() -> None:
    op.drop_table("preparation_reading")
    op.drop_table("preparation_activity")
    op.drop_table("pre_read")
    op.drop_table("pair_plan")
