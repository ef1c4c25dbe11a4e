"""LTI tables: platform registrations (issuer + client_id), deployments, the organisations each
deployment serves, LMS-user-to-employee links, and the tool's encrypted signing keys.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 13:47:59.646841
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lti_registration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issuer", sa.String(length=255), nullable=False),
        sa.Column("client_id", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("product", sa.String(length=32), nullable=False),
        sa.Column("auth_login_url", sa.String(length=500), nullable=False),
        sa.Column("auth_token_url", sa.String(length=500), nullable=False),
        sa.Column("auth_audience", sa.String(length=500), nullable=True),
        sa.Column("key_set_url", sa.String(length=500), nullable=True),
        sa.Column("key_set", sa.JSON(), nullable=True),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("issuer", "client_id", name="uq_lti_registration_iss_client"),
    )
    op.create_table(
        "lti_tool_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kid", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("private_key_ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("public_jwk", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kid"),
    )
    with op.batch_alter_table("lti_tool_key", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lti_tool_key_status"), ["status"], unique=False)

    op.create_table(
        "lti_deployment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("deployment_id", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["registration_id"], ["lti_registration.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("registration_id", "deployment_id", name="uq_lti_deployment"),
    )
    with op.batch_alter_table("lti_deployment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lti_deployment_registration_id"), ["registration_id"], unique=False)

    op.create_table(
        "lti_deployment_organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deployment_pk", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["deployment_pk"], ["lti_deployment.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("deployment_pk", "organisation_id", name="uq_lti_deployment_org"),
    )
    with op.batch_alter_table("lti_deployment_organisation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lti_deployment_organisation_deployment_pk"), ["deployment_pk"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_lti_deployment_organisation_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "lti_user_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("lms_user_id", sa.String(length=255), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=True),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.Column("lms_name", sa.String(length=240), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["employee_id"], ["employee.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["registration_id"], ["lti_registration.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organisation_id", "registration_id", "lms_user_id", name="uq_lti_user_link"),
    )
    with op.batch_alter_table("lti_user_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lti_user_link_organisation_id"), ["organisation_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("lti_user_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lti_user_link_organisation_id"))

    op.drop_table("lti_user_link")
    with op.batch_alter_table("lti_deployment_organisation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lti_deployment_organisation_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_lti_deployment_organisation_deployment_pk"))

    op.drop_table("lti_deployment_organisation")
    with op.batch_alter_table("lti_deployment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lti_deployment_registration_id"))

    op.drop_table("lti_deployment")
    with op.batch_alter_table("lti_tool_key", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lti_tool_key_status"))

    op.drop_table("lti_tool_key")
    op.drop_table("lti_registration")
