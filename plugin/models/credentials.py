"""ORM classes of programme life. Credentials: the recognition both partners receive."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base
from .core import utcnow
from .tenancy import TenantOwned


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
