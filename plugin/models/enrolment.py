"""LMS enrolment state: one row per pair's enrolment (its writes' receipts are models.receipt's)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base
from .core import utcnow
from .tenancy import TenantOwned

ENROLMENT_STATUSES = (
    "queued",
    "enrolling",
    "enrolled",
    "retrying",
    "failed",
    "needs_reconnect",
    "unenrolling",
    "suspended",
)


class PairEnrolment(TenantOwned, Base):
    """Where one pair stands in its programme's LMS course: what HR sees, and why it failed if it did."""

    __tablename__ = "pair_enrolment"
    __table_args__ = (UniqueConstraint("pair_id", name="uq_pair_enrolment_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pair.id", ondelete="CASCADE"))
    connection_id: Mapped[int | None] = mapped_column(ForeignKey("connection.id", ondelete="SET NULL"), nullable=True)
    course_ref: Mapped[str] = mapped_column(String(64), default="")
    group_ref: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[str] = mapped_column(String(16), default="queued")
    detail: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
