"""ORM classes of programme life. Private reflections and who answered them (never shown per person)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base
from .core import utcnow
from .tenancy import TenantOwned


class Respondent(TenantOwned, Base):
    """A participant's pseudonym for reflections: group facts are kept, the person can be unlinked."""

    __tablename__ = "respondent"
    __table_args__ = (UniqueConstraint("programme_id", "employee_id", name="uq_respondent_person"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id", ondelete="SET NULL"), nullable=True)
    role: Mapped[str] = mapped_column(String(8))
    region: Mapped[str] = mapped_column(String(32), default="")
    function: Mapped[str] = mapped_column(String(120), default="")


class Reflection(TenantOwned, Base):
    """Three scaled answers and an optional text only its author ever sees."""

    __tablename__ = "reflection"
    __table_args__ = (UniqueConstraint("respondent_id", "session_log_id", "kind", name="uq_reflection_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    respondent_id: Mapped[int] = mapped_column(ForeignKey("respondent.id", ondelete="CASCADE"), index=True)
    pair_id: Mapped[int | None] = mapped_column(ForeignKey("pair.id", ondelete="SET NULL"), nullable=True)
    session_log_id: Mapped[int | None] = mapped_column(ForeignKey("session_log.id", ondelete="SET NULL"), nullable=True)
    kind: Mapped[str] = mapped_column(String(8), default="session")  # session | final
    q1: Mapped[int] = mapped_column(Integer)
    q2: Mapped[int] = mapped_column(Integer)
    q3: Mapped[int] = mapped_column(Integer)
    text: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
