"""ORM classes of programme life. Completion: the programme's rule and each pair's completion."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base
from .core import utcnow
from .tenancy import TenantOwned


class CompletionRule(TenantOwned, Base):
    """When a programme's pair counts as complete, and what the HRIS training record says."""

    __tablename__ = "completion_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), unique=True)
    min_sessions: Mapped[int] = mapped_column(Integer, default=6)
    final_reflection: Mapped[bool] = mapped_column(Boolean, default=True)
    # where AGS scores go: the course's line items URL from a launch, and the LTI registration
    lineitems_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    registration_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class Completion(TenantOwned, Base):
    """A pair that met its programme's completion rule."""

    __tablename__ = "completion"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pair.id", ondelete="CASCADE"), unique=True)
    completed_on: Mapped[date] = mapped_column(Date)
    sessions: Mapped[int] = mapped_column(Integer)
    hours: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
