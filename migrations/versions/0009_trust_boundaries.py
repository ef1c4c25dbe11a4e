"""Trust boundaries: access grants, registration change events, a registration's configuration origin and
the extra hosts its deep-linking responses may go to.

Revision ID: 0009
Revises: 0010 (follows issue 13's migration on main)
Create Date: 2026-12-06 20:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "access_grant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=True),
        sa.Column("granted_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["programme_id"], ["programme.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organisation_id", "email", "role", "programme_id", name="uq_access_grant"),
    )
    with op.batch_alter_table("access_grant", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_access_grant_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "lti_registration_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["registration_id"], ["lti_registration.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("lti_registration_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lti_registration_event_registration_id"), ["registration_id"], unique=False
        )

    with op.batch_alter_table("lti_registration", schema=None) as batch_op:
        batch_op.add_column(sa.Column("config_origin", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("trusted_hosts", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("lti_registration", schema=None) as batch_op:
        batch_op.drop_column("trusted_hosts")
        batch_op.drop_column("config_origin")
    with op.batch_alter_table("lti_registration_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lti_registration_event_registration_id"))
    op.drop_table("lti_registration_event")
    with op.batch_alter_table("access_grant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_access_grant_organisation_id"))
    op.drop_table("access_grant")
