"""LMS enrolment: each pair's enrolment status, and a receipt per write made to an LMS.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 13:51:45.883322
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lms_receipt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("vendor_ref", sa.String(length=128), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["connection_id"], ["connection.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["pair_id"], ["pair.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("connection_id", "key", name="uq_lms_receipt_key"),
    )
    with op.batch_alter_table("lms_receipt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lms_receipt_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index("ix_lms_receipt_pair", ["organisation_id", "pair_id"], unique=False)

    op.create_table(
        "pair_enrolment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=True),
        sa.Column("course_ref", sa.String(length=64), nullable=False),
        sa.Column("group_ref", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["connection_id"], ["connection.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["pair_id"], ["pair.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("pair_id", name="uq_pair_enrolment_pair"),
    )
    with op.batch_alter_table("pair_enrolment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pair_enrolment_organisation_id"), ["organisation_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pair_enrolment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pair_enrolment_organisation_id"))

    op.drop_table("pair_enrolment")
    with op.batch_alter_table("lms_receipt", schema=None) as batch_op:
        batch_op.drop_index("ix_lms_receipt_pair")
        batch_op.drop_index(batch_op.f("ix_lms_receipt_organisation_id"))

    op.drop_table("lms_receipt")
