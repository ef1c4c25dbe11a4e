"""Confidentiality agreements: a versioned text per programme and each partner's acceptance per pair.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 21:55:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # server defaults fill the programmes already stored: the standard wording, version 1
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agreement_text", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("agreement_version", sa.Integer(), nullable=False, server_default="1"))
    op.create_table(
        "agreement_acceptance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["employee_id"], ["employee.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["pair_id"], ["pair.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("pair_id", "employee_id", "version", name="uq_agreement_acceptance"),
    )
    with op.batch_alter_table("agreement_acceptance", schema=None) as batch_op:
        batch_op.create_index("ix_agreement_acceptance_organisation_id", ["organisation_id"], unique=False)
        batch_op.create_index("ix_agreement_acceptance_pair_id", ["pair_id"], unique=False)


def downgrade() -> None:
    op.drop_table("agreement_acceptance")
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.drop_column("agreement_version")
        batch_op.drop_column("agreement_text")
