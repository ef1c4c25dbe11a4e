"""Programme firewall depth: how far the reporting-line rule reaches below an executive (null: the whole chain).

Revision ID: 0019
Revises: 0021
Create Date: 2026-12-07 00:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # null for every stored programme: they keep the whole-chain firewall they were matched under
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.add_column(sa.Column("firewall_depth", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.drop_column("firewall_depth")
