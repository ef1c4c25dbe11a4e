"""ORM classes of programme life. Reminders sent to pairs behind the programme's rhythm."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Integer,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base
from .core import utcnow
from .tenancy import TenantOwned


class Reminder(TenantOwned, Base):
    """A cadence reminder for a pair that fell behind, one per pair and period."""

    __tablename__ = "reminder"
    __table_args__ = (UniqueConstraint("pair_id", "period", name="uq_reminder_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pair.id", ondelete="CASCADE"), index=True)
    period: Mapped[int] = mapped_column(Integer)
    behind: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
