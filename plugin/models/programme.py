"""Programmes, participants' profiles and opt-ins, and the mentor-executive pairs matching proposes."""

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

PROGRAMME_STATUSES = ("draft", "matching", "active", "completed")
ENROLMENTS = ("hr_assigned", "opt_in")
PAIR_STATUSES = ("proposed", "approved", "active", "completed", "ended")


class Programme(TenantOwned, Base):
    """A reverse-mentoring programme: who takes part, how pairs are formed, and how it runs."""

    __tablename__ = "programme"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    objectives: Mapped[str] = mapped_column(Text, default="")
    topics: Mapped[list] = mapped_column(JSON, default=list)
    mentor_rules: Mapped[dict] = mapped_column(JSON, default=dict)
    mentee_rules: Mapped[dict] = mapped_column(JSON, default=dict)
    mentors_per_executive: Mapped[int] = mapped_column(Integer, default=1)
    distinct_countries: Mapped[bool] = mapped_column(Boolean, default=False)
    function_mix: Mapped[str] = mapped_column(String(32), default="none")
    min_overlap_hours: Mapped[float] = mapped_column(Float, default=1.0)
    weights: Mapped[dict] = mapped_column(JSON, default=dict)
    # how far the reporting-line firewall reaches below an executive: None = the whole chain; N = only the
    # N levels below them, plus their own function at any depth (for top executives, whose chain is everyone)
    firewall_depth: Mapped[int | None] = mapped_column(Integer, nullable=True)
    cadence_days: Mapped[int] = mapped_column(Integer, default=14)
    session_minutes: Mapped[int] = mapped_column(Integer, default=45)
    duration_weeks: Mapped[int] = mapped_column(Integer, default=26)
    max_extensions: Mapped[int] = mapped_column(Integer, default=1)
    extension_weeks: Mapped[int] = mapped_column(Integer, default=12)
    framing: Mapped[dict] = mapped_column(JSON, default=dict)
    # how people join: "hr_assigned" (they take part unless they opt out) or "opt_in" (invited; they take
    # part once they say yes)
    enrolment: Mapped[str] = mapped_column(String(16), default="hr_assigned", server_default="hr_assigned")
    # the confidentiality agreement both partners accept before a pair starts; a new text gets a new version
    agreement_text: Mapped[str] = mapped_column(Text, default="")  # empty: the catalogue's standard wording
    agreement_version: Mapped[int] = mapped_column(Integer, default=1)
    lms_connection_id: Mapped[int | None] = mapped_column(
        ForeignKey("connection.id", ondelete="SET NULL"), nullable=True
    )
    lms_course_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    starts_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class Profile(TenantOwned, Base):
    """What a participant tells Flipside about themselves (from the HRIS, a CSV, or their own form)."""

    __tablename__ = "profile"
    __table_args__ = (UniqueConstraint("organisation_id", "employee_id", name="uq_profile_employee"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id", ondelete="CASCADE"))
    languages: Mapped[dict] = mapped_column(JSON, default=dict)  # language code -> fluency 1..5
    sync_style: Mapped[str] = mapped_column(String(16), default="either")  # synchronous/asynchronous/either
    formality: Mapped[str] = mapped_column(String(16), default="either")  # formal/informal/either
    medium: Mapped[str] = mapped_column(String(16), default="either")  # video/chat/either
    expertise: Mapped[list] = mapped_column(JSON, default=list)
    learning_goals: Mapped[list] = mapped_column(JSON, default=list)
    aspirations: Mapped[list] = mapped_column(JSON, default=list)
    timezone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    work_start_hour: Mapped[int] = mapped_column(Integer, default=9)
    work_end_hour: Mapped[int] = mapped_column(Integer, default=17)
    source: Mapped[str] = mapped_column(String(16), default="hris")  # hris/csv/self
    # the 20 Mini-IPIP answers (1..5, item order) the person chose to give; used only for matching,
    # never shown to HR, exported or sent (plugin/domain/personality.py)
    personality: Mapped[list | None] = mapped_column(JSON, nullable=True, default=None)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class Participant(TenantOwned, Base):
    """One employee's place in one programme, as mentor or mentee, with their opt-in or opt-out."""

    __tablename__ = "participant"
    __table_args__ = (UniqueConstraint("programme_id", "employee_id", name="uq_participant"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(8))  # mentor | mentee
    opted_in: Mapped[bool] = mapped_column(Boolean, default=True)
    opted_out_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


RUNNING_PAIR = ("approved", "active")  # a pair that is meeting: enrolled, reminded, measured
HELD_PAIR = ("proposed", *RUNNING_PAIR)  # a pair that holds its people's places when matching again


class Pair(TenantOwned, Base):
    """A junior mentor paired with an executive in a programme, with the score and reasons."""

    __tablename__ = "pair"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    mentee_employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id", ondelete="CASCADE"), index=True)
    mentor_employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id", ondelete="CASCADE"), index=True)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    explanation: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="proposed")
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    extensions: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    end_reason: Mapped[str] = mapped_column(String(64), default="")


class Exclusion(TenantOwned, Base):
    """An admin's rule that this mentor must never be paired with this executive in this programme."""

    __tablename__ = "exclusion"
    __table_args__ = (
        UniqueConstraint("programme_id", "mentee_employee_id", "mentor_employee_id", name="uq_exclusion"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"))
    mentee_employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id", ondelete="CASCADE"))
    mentor_employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(200), default="")


class AgreementAcceptance(Base):
    """One partner's acceptance of one version of their programme's confidentiality agreement, for a pair."""

    __tablename__ = "agreement_acceptance"
    __table_args__ = (UniqueConstraint("pair_id", "employee_id", "version", name="uq_agreement_acceptance"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pair.id", ondelete="CASCADE"), index=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(8))  # mentor | mentee
    version: Mapped[int] = mapped_column(Integer)
    accepted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
