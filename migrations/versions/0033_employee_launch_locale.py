"""Employees keep the language of their latest LMS launch: messages are written in it first.

Revision ID: 0033
Revises: 0031
Create Date: 2026-12-07 07:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0033"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("employee", schema=None) as batch_op:
        batch_op.add_column(sa.Column("launch_locale", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("employee", schema=None) as batch_op:
        batch_op.drop_column("launch_locale")
