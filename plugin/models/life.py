"""Programme life: sessions, private reflections, extensions, completion, write-back receipts, credentials, privacy."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
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

SESSION_STATUSES = ("logged", "confirmed", "cancelled")


class SessionLog(TenantOwned, Base):
    """One mentoring conversation of a pair: logged by one partner, confirmed by the other (or cancelled)."""

    __tablename__ = "session_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pair.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer, default=0)
    topics: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="logged")
    logged_by_role: Mapped[str] = mapped_column(String(8))  # mentor | mentee
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    cancelled_by_role: Mapped[str | None] = mapped_column(String(8), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


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
    session_log_id: Mapped[int | None] = mapped_column(ForeignKey("session_log.id", ondelete="SET NULL"),
                                                       nullable=True)
    kind: Mapped[str] = mapped_column(String(8), default="session")  # session | final
    q1: Mapped[int] = mapped_column(Integer)
    q2: Mapped[int] = mapped_column(Integer)
    q3: Mapped[int] = mapped_column(Integer)
    text: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ExtensionProposal(TenantOwned, Base):
    """One partner's proposal to extend the pair; it takes effect when the other agrees."""

    __tablename__ = "extension_proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pair.id", ondelete="CASCADE"), index=True)
    proposed_by_role: Mapped[str] = mapped_column(String(8))
    weeks: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | agreed | declined
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


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


class Credential(TenantOwned, Base):
    """A signed recognition credential issued to one partner of a completed pair."""

    __tablename__ = "credential"
    __table_args__ = (UniqueConstraint("pair_id", "role", name="uq_credential_pair_role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    uid: Mapped[str] = mapped_column(String(64), unique=True)
    pair_id: Mapped[int | None] = mapped_column(ForeignKey("pair.id", ondelete="SET NULL"), nullable=True)
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id", ondelete="SET NULL"), nullable=True)
    role: Mapped[str] = mapped_column(String(8))
    document: Mapped[dict] = mapped_column(JSON, default=dict)
    jws: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_reason: Mapped[str] = mapped_column(String(300), default="")


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
