"""ORM class for the transactional outbox: work to do later, stored in the transaction that asked for it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base
from .core import utcnow


class OutboxMessage(Base):
    """One job to enqueue once its transaction has committed; the relay sends it and stamps `sent_at`."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        # one waiting message per key: asking twice before the relay sends it asks once
        Index(
            "uq_outbox_message_waiting_key",
            "key",
            unique=True,
            sqlite_where=text("sent_at IS NULL"),
            postgresql_where=text("sent_at IS NULL"),
        ),
        Index(
            "ix_outbox_message_waiting",
            "id",
            sqlite_where=text("sent_at IS NULL"),
            postgresql_where=text("sent_at IS NULL"),
        ),
        {"sqlite_autoincrement": True},  # ids are never reused: a job id names one row forever
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), nullable=True, index=True
    )
    key: Mapped[str] = mapped_column(String(200))  # the job id is the key and this row's id
    target: Mapped[str] = mapped_column(String(200))  # "plugin.jobs.module:function"
    queue: Mapped[str] = mapped_column(String(16), default="default")
    kwargs: Mapped[dict] = mapped_column(JSON, default=dict)  # ids only
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
