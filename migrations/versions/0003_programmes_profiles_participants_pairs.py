"""Programmes, participant profiles and opt-ins, pairs and exclusions.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 13:47:41.651412
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "programme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("objectives", sa.Text(), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("mentor_rules", sa.JSON(), nullable=False),
        sa.Column("mentee_rules", sa.JSON(), nullable=False),
        sa.Column("mentors_per_executive", sa.Integer(), nullable=False),
        sa.Column("distinct_countries", sa.Boolean(), nullable=False),
        sa.Column("function_mix", sa.String(length=32), nullable=False),
        sa.Column("min_overlap_hours", sa.Float(), nullable=False),
        sa.Column("weights", sa.JSON(), nullable=False),
        sa.Column("cadence_days", sa.Integer(), nullable=False),
        sa.Column("session_minutes", sa.Integer(), nullable=False),
        sa.Column("duration_weeks", sa.Integer(), nullable=False),
        sa.Column("max_extensions", sa.Integer(), nullable=False),
        sa.Column("extension_weeks", sa.Integer(), nullable=False),
        sa.Column("framing", sa.JSON(), nullable=False),
        sa.Column("lms_connection_id", sa.Integer(), nullable=True),
        sa.Column("lms_course_id", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["lms_connection_id"], ["connection.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_programme_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "exclusion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("mentee_employee_id", sa.Integer(), nullable=False),
        sa.Column("mentor_employee_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["mentee_employee_id"], ["employee.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["mentor_employee_id"], ["employee.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["programme_id"], ["programme.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("programme_id", "mentee_employee_id", "mentor_employee_id", name="uq_exclusion"),
    )
    with op.batch_alter_table("exclusion", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exclusion_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "pair",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("mentee_employee_id", sa.Integer(), nullable=False),
        sa.Column("mentor_employee_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("explanation", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("extensions", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["mentee_employee_id"], ["employee.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["mentor_employee_id"], ["employee.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["programme_id"], ["programme.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("pair", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pair_mentee_employee_id"), ["mentee_employee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pair_mentor_employee_id"), ["mentor_employee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pair_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pair_programme_id"), ["programme_id"], unique=False)

    op.create_table(
        "participant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("opted_in", sa.Boolean(), nullable=False),
        sa.Column("opted_out_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["employee_id"], ["employee.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["programme_id"], ["programme.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("programme_id", "employee_id", name="uq_participant"),
    )
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_participant_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_participant_programme_id"), ["programme_id"], unique=False)

    op.create_table(
        "profile",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("sync_style", sa.String(length=16), nullable=False),
        sa.Column("formality", sa.String(length=16), nullable=False),
        sa.Column("medium", sa.String(length=16), nullable=False),
        sa.Column("expertise", sa.JSON(), nullable=False),
        sa.Column("learning_goals", sa.JSON(), nullable=False),
        sa.Column("aspirations", sa.JSON(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("work_start_hour", sa.Integer(), nullable=False),
        sa.Column("work_end_hour", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["employee_id"], ["employee.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organisation_id", "employee_id", name="uq_profile_employee"),
    )
    with op.batch_alter_table("profile", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_profile_organisation_id"), ["organisation_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("profile", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_profile_organisation_id"))

    op.drop_table("profile")
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_participant_programme_id"))
        batch_op.drop_index(batch_op.f("ix_participant_organisation_id"))

    op.drop_table("participant")
    with op.batch_alter_table("pair", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pair_programme_id"))
        batch_op.drop_index(batch_op.f("ix_pair_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_pair_mentor_employee_id"))
        batch_op.drop_index(batch_op.f("ix_pair_mentee_employee_id"))

    op.drop_table("pair")
    with op.batch_alter_table("exclusion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exclusion_organisation_id"))

    op.drop_table("exclusion")
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_programme_organisation_id"))

    op.drop_table("programme")
