"""ORM classes of preparation: the LMS activities a programme asks each role to complete before the first
session, and the last reading of each participant's completion."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base
from .core import utcnow
from .tenancy import TenantOwned


class PreparationActivity(TenantOwned, Base):
    """One activity of the programme's course that one role completes before the first session."""

    __tablename__ = "preparation_activity"
    __table_args__ = (UniqueConstraint("programme_id", "role", "activity_id", name="uq_preparation_activity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(8))  # mentor | mentee
    activity_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(255))
    url: Mapped[str] = mapped_column(String(2000), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)


class PreparationReading(TenantOwned, Base):
    """Which of their activities one partner of a pair had completed when the LMS was last read."""

    __tablename__ = "preparation_reading"
    __table_args__ = (UniqueConstraint("pair_id", "employee_id", name="uq_preparation_reading"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pair.id", ondelete="CASCADE"), index=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(8))
    done: Mapped[list] = mapped_column(JSON, default=list)
    read_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
