"""Programmes say how people join: HR assigns them (they take part unless they opt out) or they are
invited and take part once they say yes.

Revision ID: 0039
Revises: 0041
Create Date: 2026-12-07 07:25:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0039"
down_revision = "0041"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.add_column(sa.Column("enrolment", sa.String(length=16), nullable=False, server_default="hr_assigned"))


def downgrade() -> None:
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.drop_column("enrolment")
