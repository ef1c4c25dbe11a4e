"""Access: API tokens for HR admins' own tools (stored only as hashes) and access granted by hand."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base
from .core import utcnow
from .tenancy import TenantOwned


class ApiToken(TenantOwned, Base):
    """A bearer token for the JSON API of one organisation; the plaintext is shown once and never stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class AccessGrant(Base):
    """Access an HR admin gave by hand: HR admin of the organisation, or coordinator of one programme or of
    one region (the pairs whose partners work there, in every programme).

    Keyed by the work email the person launches with; checked on every request, so a revoke takes effect at
    once, without waiting for the person's next launch."""

    __tablename__ = "access_grant"
    __table_args__ = (UniqueConstraint("organisation_id", "email", "role", "programme_id", name="uq_access_grant"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(16))
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), nullable=True)
    region: Mapped[str | None] = mapped_column(String(32), nullable=True)  # an Employee.region, as the HRIS says it
    granted_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
