"""ORM classes only. Every tenant-owned row carries organisation_id; the session filters on it (models.tenancy)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base
from .tenancy import TenantOwned


def utcnow() -> datetime:
    return datetime.now(UTC)


class Organisation(Base):
    """A tenant: one employer using Flipside."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Connection(TenantOwned, Base):
    """A configured link to an HRIS or LMS, with its credentials encrypted at rest."""

    __tablename__ = "connection"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    vendor: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(200), default="")
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    credentials_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    tokens_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    status: Mapped[str] = mapped_column(String(32), default="new")
    status_detail: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<Connection {self.id} {self.vendor}/{self.kind} {self.status}>"


ERASED_RECORD = "erased"  # record_hash of an erased leaver: a sync refills the row only if they are rehired


class Employee(TenantOwned, Base):
    """One employee of one organisation, as last read from its HRIS (normalised)."""

    __tablename__ = "employee"
    __table_args__ = (
        UniqueConstraint("organisation_id", "source_system", "source_id", name="uq_employee_source"),
        Index("ix_employee_org_email", "organisation_id", "work_email"),
        Index("ix_employee_org_manager", "organisation_id", "manager_source_id"),
        # the self-referencing foreign key: without it every employee delete scans the table
        Index("ix_employee_manager_id", "manager_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    connection_id: Mapped[int | None] = mapped_column(ForeignKey("connection.id", ondelete="SET NULL"), nullable=True)
    source_system: Mapped[str] = mapped_column(String(32))
    source_id: Mapped[str] = mapped_column(String(128))
    employee_number: Mapped[str | None] = mapped_column(String(64), nullable=True)
    first_name: Mapped[str] = mapped_column(String(120), default="")
    last_name: Mapped[str] = mapped_column(String(120), default="")
    preferred_name: Mapped[str | None] = mapped_column(String(120), nullable=True)
    display_name: Mapped[str | None] = mapped_column(String(240), nullable=True)
    work_email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    job_title: Mapped[str | None] = mapped_column(String(200), nullable=True)
    job_level: Mapped[int | None] = mapped_column(Integer, nullable=True)
    department: Mapped[str | None] = mapped_column(String(200), nullable=True)
    division: Mapped[str | None] = mapped_column(String(200), nullable=True)
    function: Mapped[str | None] = mapped_column(String(120), nullable=True)
    location: Mapped[str | None] = mapped_column(String(200), nullable=True)
    country: Mapped[str | None] = mapped_column(String(8), nullable=True)
    region: Mapped[str | None] = mapped_column(String(32), nullable=True)
    timezone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    manager_source_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id", ondelete="SET NULL"), nullable=True)
    is_manager: Mapped[bool] = mapped_column(Boolean, default=False)
    employment_status: Mapped[str] = mapped_column(String(16), default="active")
    employment_status_raw: Mapped[str | None] = mapped_column(String(120), nullable=True)
    employment_type: Mapped[str | None] = mapped_column(String(64), nullable=True)
    hire_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    start_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    termination_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    birth_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    preferred_language: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # the LMS's language at the person's latest launch (Flipside's own, never an HRIS field): messages follow it
    launch_locale: Mapped[str | None] = mapped_column(String(16), nullable=True)
    languages: Mapped[list] = mapped_column(JSON, default=list)
    expertise: Mapped[list] = mapped_column(JSON, default=list)
    learning_goals: Mapped[list] = mapped_column(JSON, default=list)
    custom_fields: Mapped[dict] = mapped_column(JSON, default=dict)
    source_modified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    record_hash: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    manager: Mapped[Employee | None] = relationship(remote_side=[id])

    def __repr__(self) -> str:
        return f"<Employee {self.id} org={self.organisation_id}>"


class AuditEvent(TenantOwned, Base):
    """Who did what to which record, for HR's audit trail. Never holds secrets or free text."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(64), default="")
    subject_id: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
