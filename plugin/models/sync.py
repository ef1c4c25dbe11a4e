"""ORM classes for HRIS sync: each run's summary, each connection's cursor, webhook keys and deliveries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base
from .core import utcnow
from .tenancy import TenantOwned


class SyncRun(TenantOwned, Base):
    """One full or incremental sync of one connection, and what it did."""

    __tablename__ = "sync_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("connection.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # full | incremental | employees
    # running | ok | partial | needs_approval (deletion safeguard) | failed | interrupted
    status: Mapped[str] = mapped_column(String(16), default="running")
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    deactivated: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    rejections: Mapped[list] = mapped_column(JSON, default=list)  # [{"source_id", "reason"}], capped
    unreadable_fields: Mapped[list] = mapped_column(JSON, default=list)
    tree_problems: Mapped[list] = mapped_column(JSON, default=list)
    field_counts: Mapped[dict] = mapped_column(JSON, default=dict)  # {field: {"not_sent", "sent_empty"}}
    deactivation_note: Mapped[str] = mapped_column(Text, default="")  # why absence deactivated nobody
    safeguard: Mapped[str] = mapped_column(String(16), default="")  # "" | held | approved | rejected
    held_leavers: Mapped[list] = mapped_column(JSON, default=list)  # [{"source_id", "employee_id", "name"}]
    decided_by: Mapped[str] = mapped_column(String(255), default="")
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    error: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    duration_s: Mapped[float] = mapped_column(Float, default=0.0)


class SyncCursor(TenantOwned, Base):
    """Where the next incremental sync of a connection starts; moved only with the data it covers."""

    __tablename__ = "sync_cursor"

    connection_id: Mapped[int] = mapped_column(ForeignKey("connection.id", ondelete="CASCADE"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    since: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class WebhookEndpoint(TenantOwned, Base):
    """The secret a vendor's webhooks to one connection are checked with (BambooHR key, Workday password)."""

    __tablename__ = "webhook_endpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("connection.id", ondelete="CASCADE"), unique=True)
    remote_id: Mapped[str] = mapped_column(String(128), default="")
    username: Mapped[str] = mapped_column(String(128), default="")
    secret_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WebhookDelivery(TenantOwned, Base):
    """One accepted webhook event; the unique key drops the vendor's retries and duplicates."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (UniqueConstraint("connection_id", "key", name="uq_webhook_delivery_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("connection.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    event: Mapped[str] = mapped_column(String(32))
    source_id: Mapped[str] = mapped_column(String(128))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SyncRequest(TenantOwned, Base):
    """The named employees webhooks asked to re-read: one open request per connection collects their ids
    until its sync starts; then it is `started`, and later deliveries open the next one."""

    __tablename__ = "sync_request"
    __table_args__ = (
        Index(
            "uq_sync_request_open",
            "connection_id",
            unique=True,
            sqlite_where=text("state = 'open'"),
            postgresql_where=text("state = 'open'"),
        ),
        {"sqlite_autoincrement": True},
    )  # ids are never reused: they name jobs

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("connection.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(16), default="open")  # open | started | done
    source_ids: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
