"""The one receipt table: every write made to a vendor (LMS, gradebook, HRIS), so a rerun writes nothing twice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base
from .core import utcnow
from .tenancy import TenantOwned


class Receipt(TenantOwned, Base):
    """One vendor write, made or about to be made, claimed by one writer at a time.

    `state` is "pending" from just before the vendor call until its answer is stored ("done"). `owner` is
    the writer holding the claim (a job's id, so its rerun is the same writer) and `claimed_at` when it
    took it; `attempts` counts claims and guards a take-over (services/receipts.py has the rule).
    `scope` says where keys are unique: `connection:<id>` for an LMS connection, else the target
    (`ags`, `bamboohr`, `workday`), whose keys name their pair.
    """

    __tablename__ = "receipt"
    __table_args__ = (
        UniqueConstraint("organisation_id", "scope", "key", name="uq_receipt_key"),
        Index("ix_receipt_pair", "organisation_id", "pair_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    scope: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(200))
    connection_id: Mapped[int | None] = mapped_column(ForeignKey("connection.id", ondelete="CASCADE"), nullable=True)
    pair_id: Mapped[int | None] = mapped_column(ForeignKey("pair.id", ondelete="SET NULL"), nullable=True)
    action: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(8), default="pending")  # pending | done
    vendor_ref: Mapped[str] = mapped_column(String(255), default="")
    owner: Mapped[str] = mapped_column(String(128), default="")
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
