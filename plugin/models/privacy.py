"""ORM classes of programme life. Privacy: the organisation's settings and the erasure of leavers' personal data."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    Integer,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base
from .tenancy import TenantOwned


class PrivacySettings(TenantOwned, Base):
    """An organisation's retention and anonymity settings."""

    __tablename__ = "privacy_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), unique=True)
    min_group_size: Mapped[int] = mapped_column(Integer, default=5)
    reflection_text_days: Mapped[int] = mapped_column(Integer, default=365)
    erasure_grace_days: Mapped[int] = mapped_column(Integer, default=30)


class Erasure(TenantOwned, Base):
    """A leaver whose personal data is due to be erased after the grace period."""

    __tablename__ = "erasure"
    __table_args__ = (UniqueConstraint("organisation_id", "employee_id", name="uq_erasure_employee"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id", ondelete="SET NULL"), nullable=True)
    due_on: Mapped[date] = mapped_column(Date)
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
