"""ORM class for the message outbox: one row per (event, recipient, channel), which is also its receipt."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base
from .core import utcnow
from .tenancy import TenantOwned

QUEUED, SENDING, SENT, FAILED = "queued", "sending", "sent", "failed"
SKIPPED = "skipped"  # the recipient unsubscribed from its category before it went out


class OutboundMessage(TenantOwned, Base):
    """A message to one person on one channel, stored with the event that causes it and delivered by a job.

    The unique (event_key, recipient, channel) makes asking twice ask once; `state` moves
    queued -> sending (a lease) -> sent | failed, and a lease that runs out goes back to queued.
    """

    __tablename__ = "outbound_message"
    __table_args__ = (
        UniqueConstraint("organisation_id", "event_key", "recipient_id", "channel", name="uq_outbound_message_receipt"),
        Index("ix_outbound_message_due", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_key: Mapped[str] = mapped_column(String(200))  # e.g. "pair-approved-42", "nudge-17"
    category: Mapped[str] = mapped_column(String(40))  # "pairing", "nudge", ...; decides unsubscribe headers
    # a person (email, LMS), or none for a chat channel's post: then `webhook_id` names the channel
    recipient_id: Mapped[int | None] = mapped_column(
        ForeignKey("employee.id", ondelete="CASCADE"), index=True, nullable=True
    )
    webhook_id: Mapped[int | None] = mapped_column(
        ForeignKey("chat_webhook.id", ondelete="CASCADE"), index=True, nullable=True
    )
    channel: Mapped[str] = mapped_column(String(16))  # "email", "lms", "slack" or "teams"
    address: Mapped[str] = mapped_column(String(320))  # the email address, the LMS user, or the chat host
    # the LMS connection an "lms" message goes through (None for email, or once the connection is deleted)
    connection_id: Mapped[int | None] = mapped_column(
        ForeignKey("connection.id", ondelete="SET NULL"), nullable=True, default=None
    )
    vendor_ref: Mapped[str] = mapped_column(String(64), default="")  # the LMS's id of the message it stored
    locale: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)  # RFC 5322 Message-ID, fixed at creation
    state: Mapped[str] = mapped_column(String(16), default=QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    claim: Mapped[str] = mapped_column(String(32), default="")  # the lease holder's token
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    calendar: Mapped[str] = mapped_column(Text, default="")  # an iCalendar invitation (text/calendar), if any
    calendar_method: Mapped[str] = mapped_column(String(16), default="")  # "REQUEST" or "CANCEL"


class ChatWebhook(TenantOwned, Base):
    """A Slack or Microsoft Teams incoming webhook of one programme, or of one coordinator (no programme):
    where that programme's digest, or that coordinator's, is posted.

    The URL is a secret (whoever has it can post to the channel): only its ciphertext and host are kept.
    """

    __tablename__ = "chat_webhook"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int | None] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), index=True, nullable=True
    )
    coordinator_email: Mapped[str | None] = mapped_column(String(320), nullable=True)  # lower case
    vendor: Mapped[str] = mapped_column(String(16))  # "slack" or "teams"
    host: Mapped[str] = mapped_column(String(255))  # shown to HR instead of the URL
    url_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    created_by: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class MessagePreference(TenantOwned, Base):
    """What one person wants to hear: the categories they unsubscribed from and their quiet hours.

    Quiet hours are whole local hours in the person's own time zone, [start, end), possibly across
    midnight (22 -> 7); none until the person sets them.
    """

    __tablename__ = "message_preference"
    __table_args__ = (UniqueConstraint("organisation_id", "employee_id", name="uq_message_preference_employee"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id", ondelete="CASCADE"), index=True)
    unsubscribed: Mapped[list] = mapped_column(JSON, default=list)  # category names
    quiet_start_hour: Mapped[int | None] = mapped_column(Integer, nullable=True)
    quiet_end_hour: Mapped[int | None] = mapped_column(Integer, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PairInvitation(TenantOwned, Base):
    """The calendar invitation of one planned session of a pair: a stable UID and its iTIP SEQUENCE.

    SEQUENCE goes up whenever what was sent changes (a new time, a cancellation), as RFC 5545 3.8.7.4 asks.
    """

    __tablename__ = "pair_invitation"
    __table_args__ = (UniqueConstraint("organisation_id", "pair_id", "session_number", name="uq_pair_invitation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pair.id", ondelete="CASCADE"), index=True)
    session_number: Mapped[int] = mapped_column(Integer)  # 1-based, counted from the pair's start
    uid: Mapped[str] = mapped_column(String(200), unique=True)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    minutes: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), default="requested")  # "requested" or "cancelled"
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
