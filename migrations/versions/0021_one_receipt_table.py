"""One receipt table: LMS writes (lms_receipt) and completion write-backs (write_receipt) merge into `receipt`,
with the writer that holds each pending claim.

Revision ID: 0021
Revises: 0017
Create Date: 2026-12-07 00:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "receipt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=True),
        sa.Column("pair_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("vendor_ref", sa.String(length=255), nullable=False),
        sa.Column("owner", sa.String(length=128), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["connection_id"], ["connection.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["pair_id"], ["pair.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organisation_id", "scope", "key", name="uq_receipt_key"),
    )
    with op.batch_alter_table("receipt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_receipt_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index("ix_receipt_pair", ["organisation_id", "pair_id"], unique=False)
    # every stored receipt moves over; a pending one keeps no owner, so only its lease decides who resumes it
    op.execute(
        "INSERT INTO receipt (organisation_id, scope, key, connection_id, pair_id, action, state, vendor_ref,"
        " owner, claimed_at, attempts, created_at, done_at)"
        " SELECT organisation_id, 'connection:' || CAST(connection_id AS VARCHAR(20)), key, connection_id, pair_id, action, state, vendor_ref,"
        " '', created_at, 1, created_at, done_at FROM lms_receipt"
    )
    op.execute(
        "INSERT INTO receipt (organisation_id, scope, key, connection_id, pair_id, action, state, vendor_ref,"
        " owner, claimed_at, attempts, created_at, done_at)"
        " SELECT organisation_id, target, key, NULL, NULL, target, status, external_id,"
        " '', COALESCE(written_at, CURRENT_TIMESTAMP), attempts, COALESCE(written_at, CURRENT_TIMESTAMP),"
        " written_at FROM write_receipt"
    )
    with op.batch_alter_table("lms_receipt", schema=None) as batch_op:
        batch_op.drop_index("ix_lms_receipt_pair")
        batch_op.drop_index(batch_op.f("ix_lms_receipt_organisation_id"))
    op.drop_table("lms_receipt")
    with op.batch_alter_table("write_receipt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_write_receipt_organisation_id"))
    op.drop_table("write_receipt")


def downgrade() -> None:
    op.create_table(
        "write_receipt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("target", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organisation_id", "key", name="uq_write_receipt_key"),
    )
    with op.batch_alter_table("write_receipt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_write_receipt_organisation_id"), ["organisation_id"], unique=False)
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
    op.execute(
        "INSERT INTO lms_receipt (organisation_id, connection_id, pair_id, action, key, vendor_ref, state,"
        " created_at, done_at) SELECT organisation_id, connection_id, pair_id, action, key,"
        " SUBSTR(vendor_ref, 1, 128), state, created_at, done_at FROM receipt WHERE connection_id IS NOT NULL"
    )
    op.execute(
        "INSERT INTO write_receipt (organisation_id, key, target, status, external_id, attempts, written_at)"
        " SELECT organisation_id, SUBSTR(key, 1, 160), scope, state, vendor_ref, attempts, done_at FROM receipt"
        " WHERE connection_id IS NULL"
    )
    with op.batch_alter_table("receipt", schema=None) as batch_op:
        batch_op.drop_index("ix_receipt_pair")
        batch_op.drop_index(batch_op.f("ix_receipt_organisation_id"))
    op.drop_table("receipt")
