"""The message outbox: services write messages in the transaction of the event that causes them.

    messages.queue_email(tenant, "nudge-17", "nudge", employee, subject, text, html, locale)
    messages.queue_lms(tenant, "nudge-17", "nudge", employee, connection_id, subject, text, html, locale)

A message is one row per (event, recipient, channel), so asking twice asks once; that row is also the
delivery receipt. Delivery serves every organisation (so it names the all_tenants escape hatch): jobs
claim due rows with a lease (`claim`), hand them to the channel and record the outcome (`delivered`,
`retry_later`, `failed`). A lease that runs out (a worker killed mid-batch) makes the row due again, so
nothing is dropped. Rows the server accepted are stamped sent in batch commits; the delivery job marks
each acceptance in Redis at once (jobs.notify), which keeps the window for a second send to one step.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from ..errors import Conflict
from ..models import ChatWebhook, Employee, MessagePreference, OutboundMessage, utcnow
from ..models.messages import FAILED, QUEUED, SENDING, SENT, SKIPPED
from . import outbox, preferences
from .tenant import Tenant

EMAIL, LMS = "email", "lms"
IN_FLIGHT = "(in flight)"  # vendor_ref while an LMS message is being handed over
LEASE = timedelta(minutes=5)


def queue_email(
    tenant: Tenant,
    event_key: str,
    category: str,
    recipient: Employee,
    subject: str,
    text: str,
    html: str,
    locale: str,
    *,
    domain: str = "flipside.invalid",
    calendar: str = "",
    calendar_method: str = "",
) -> OutboundMessage:
    """Write one email to `recipient` for `event_key` in the caller's transaction (the existing one if asked before).

    A category the recipient unsubscribed from is kept as `skipped` (so it is never sent later); a message
    written in their quiet hours waits until those end.
    """
    return _queue(
        tenant,
        EMAIL,
        event_key,
        category,
        recipient,
        subject,
        text,
        html,
        locale,
        domain=domain,
        address=recipient.work_email or "",
        missing="" if recipient.work_email else "no work email address on record",
        calendar=calendar,
        calendar_method=calendar_method,
    )


def queue_lms(
    tenant: Tenant,
    event_key: str,
    category: str,
    recipient: Employee,
    connection_id: int,
    subject: str,
    text: str,
    html: str,
    locale: str,
    *,
    domain: str = "flipside.invalid",
) -> OutboundMessage:
    """Write one LMS message (Moodle instant message, Canvas conversation) through an LMS connection.

    The same rules as email: one per (event, recipient, channel), unsubscribed categories kept `skipped`,
    quiet hours wait. Who the recipient is in the LMS is looked up when it is sent (services.lms_messages),
    since the enrolment that links their account may still be running when the message is written.
    """
    return _queue(
        tenant,
        LMS,
        event_key,
        category,
        recipient,
        subject,
        text,
        html,
        locale,
        domain=domain,
        address="",
        missing="",
        connection_id=connection_id,
    )


def _queue(
    tenant: Tenant,
    channel: str,
    event_key: str,
    category: str,
    recipient: Employee,
    subject: str,
    text: str,
    html: str,
    locale: str,
    *,
    domain: str,
    address: str,
    missing: str,
    connection_id: int | None = None,
    calendar: str = "",
    calendar_method: str = "",
) -> OutboundMessage:
    existing = tenant.session.scalar(
        tenant.select(
            OutboundMessage,
            OutboundMessage.event_key == event_key,
            OutboundMessage.recipient_id == recipient.id,
            OutboundMessage.channel == channel,
        )
    )
    if existing is not None:
        return existing
    suffix = "" if channel == EMAIL else f".{channel}"
    row = tenant.add(
        OutboundMessage(
            event_key=event_key,
            category=category,
            recipient_id=recipient.id,
            channel=channel,
            address=address,
            connection_id=connection_id,
            vendor_ref="",
            locale=locale,
            subject=subject,
            body_text=text,
            body_html=html,
            message_id=f"<{secrets.token_hex(12)}.{event_key}{suffix}@{domain}>",
            state=QUEUED,
            attempts=0,
            next_attempt_at=utcnow(),
            created_at=utcnow(),
            last_error="",
            claim="",
            calendar=calendar,
            calendar_method=calendar_method,
        )
    )
    wish = preferences.preference(tenant, recipient.id)
    if missing:  # kept, with its reason, so HR sees who could not be told
        row.state, row.last_error = FAILED, missing
    elif not preferences.wants(wish, category):
        row.state, row.last_error = SKIPPED, f"unsubscribed from {category}"
    elif (until := preferences.quiet_until(wish, recipient.timezone, row.created_at)) is not None:
        row.next_attempt_at = until  # deferred to the end of the recipient's quiet hours, never dropped
    tenant.session.flush()
    # one delivery job per transaction, however many messages it writes (a job sends every due message):
    # the relay queues it once this commits
    outbox.later(tenant.session, "plugin.jobs.notify:deliver", key=f"messages-{tenant.organisation_id}", queue="high")
    return row


def queue_chat(
    tenant: Tenant,
    event_key: str,
    category: str,
    webhook: ChatWebhook,
    subject: str,
    body: str,
    locale: str,
    *,
    domain: str = "flipside.invalid",
) -> OutboundMessage:
    """Write one post to a programme's chat channel for `event_key` in the caller's transaction.

    The receipt is (event, channel webhook): its Message-ID is made of both and unique, so asking twice,
    even from two transactions at once, stores one post. The webhook URL stays encrypted on the webhook
    row; the post keeps only its JSON `body`.
    """
    message_id = f"<{event_key}.chat-{webhook.id}@{domain}>"
    existing = tenant.session.scalar(tenant.select(OutboundMessage, OutboundMessage.message_id == message_id))
    if existing is not None:
        return existing
    row = tenant.add(
        OutboundMessage(
            event_key=event_key,
            category=category,
            recipient_id=None,
            webhook_id=webhook.id,
            channel=webhook.vendor,
            address=webhook.host,
            locale=locale,
            subject=subject,
            body_text=body,
            body_html="",
            message_id=message_id,
            state=QUEUED,
            attempts=0,
            next_attempt_at=utcnow(),
            created_at=utcnow(),
            last_error="",
            claim="",
        )
    )
    tenant.session.flush()
    outbox.later(
        tenant.session, "plugin.jobs.notify:deliver", key=f"messages-{tenant.organisation_id}-{event_key}", queue="high"
    )
    return row


def _due(now: datetime):
    return or_(
        and_(OutboundMessage.state == QUEUED, OutboundMessage.next_attempt_at <= now),
        and_(OutboundMessage.state == SENDING, OutboundMessage.lease_until < now),
    )


def claim(session: Session, limit: int, now: datetime | None = None, lease: timedelta = LEASE) -> list[OutboundMessage]:
    """Lease up to `limit` due messages to this caller for `lease` and commit; two callers never lease one row."""
    now = now or utcnow()
    ids = list(
        session.scalars(
            select(OutboundMessage.id)
            .where(_due(now))
            .order_by(OutboundMessage.id)
            .limit(limit)
            .execution_options(all_tenants=True)
        )
    )
    if not ids:
        session.commit()
        return []
    # the condition is checked again under the row lock: a row another worker leased meanwhile drops out
    token = secrets.token_hex(16)
    session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.id.in_(ids), _due(now))
        .values(state=SENDING, lease_until=now + lease, claim=token, attempts=OutboundMessage.attempts + 1)
        .execution_options(synchronize_session=False, all_tenants=True)
    )
    session.commit()
    # populate_existing: the session does not expire on commit, and a row it already holds must show the lease
    return list(
        session.scalars(
            select(OutboundMessage)
            .where(OutboundMessage.claim == token, OutboundMessage.state == SENDING)
            .order_by(OutboundMessage.id)
            .execution_options(populate_existing=True, all_tenants=True)
        )
    )


def in_flight(session: Session, message: OutboundMessage) -> None:
    """Record, in its own commit, that an LMS message is being handed to the LMS right now.

    Neither Moodle nor Canvas takes an idempotency key, so a message found still carrying this mark by the
    next holder of its lease (the worker died during the call) may have arrived: it is kept `failed` with
    that reason rather than sent a second time (`interrupted`).
    """
    message.vendor_ref = IN_FLIGHT
    session.commit()


def interrupted(message: OutboundMessage) -> bool:
    """Whether an earlier holder of this message died while handing it to the LMS."""
    return message.vendor_ref == IN_FLIGHT


def delivered(session: Session, message: OutboundMessage, vendor_ref: str = "") -> None:
    """Stamp a message the LMS accepted, at once and on its own, with the LMS's id of it."""
    message.vendor_ref = vendor_ref[:64]
    delivered_together(session, [(message, utcnow())])


def delivered_together(session: Session, accepted: list[tuple[OutboundMessage, datetime]]) -> None:
    """Stamp messages the server accepted, each with the moment it did, in one commit (email: jobs.notify
    marks each acceptance in Redis first, so a batch of stamps keeps the window for a second send at one step)."""
    for message, at in accepted:
        message.state, message.sent_at, message.lease_until, message.last_error = SENT, at, None, ""
    session.commit()


def retry_later(session: Session, message: OutboundMessage, reason: str, delay_s: float) -> None:
    """Put a message back for a transient failure (the server answered: it did not take the message); it is
    due again after `delay_s`."""
    message.state, message.lease_until, message.last_error = QUEUED, None, reason[:1000]
    message.vendor_ref = ""
    message.next_attempt_at = utcnow() + timedelta(seconds=delay_s)
    session.commit()


def skipped(session: Session, message: OutboundMessage, reason: str) -> None:
    """Keep a message its recipient unsubscribed from after it was written; it is never sent."""
    message.state, message.lease_until, message.last_error = SKIPPED, None, reason[:1000]
    session.commit()


def failed(session: Session, message: OutboundMessage, reason: str) -> None:
    """Keep a message the server refused for good, with the reason, for the delivery page."""
    message.state, message.lease_until, message.last_error = FAILED, None, reason[:1000]
    session.commit()


def unwanted(session: Session, rows: list[OutboundMessage]) -> set[int]:
    """The ids of leased messages whose recipient unsubscribed from their category after they were written."""
    wishes = {
        p.employee_id: p
        for p in session.scalars(
            select(MessagePreference)
            .where(MessagePreference.employee_id.in_({r.recipient_id for r in rows if r.recipient_id is not None}))
            .execution_options(all_tenants=True)
        )
    }
    return {
        r.id
        for r in rows
        if r.recipient_id is not None and not preferences.wants(wishes.get(r.recipient_id), r.category)
    }


def due_count(session: Session, now: datetime | None = None) -> int:
    """How many messages are waiting to be sent now (a sweep enqueues delivery when there are any)."""
    due = select(OutboundMessage.id).where(_due(now or utcnow())).limit(1).execution_options(all_tenants=True)
    return len(list(session.scalars(due)))


def receipts(tenant: Tenant, *criteria) -> list[OutboundMessage]:
    """This organisation's messages, newest first (the delivery page and tests read them)."""
    return list(tenant.session.scalars(tenant.select(OutboundMessage, *criteria).order_by(OutboundMessage.id.desc())))


def retry(tenant: Tenant, message_id: int) -> OutboundMessage:
    """Put one failed message of this organisation back in the queue, due now (the delivery page's button)."""
    row = tenant.get(OutboundMessage, message_id)
    if row.state != FAILED:
        raise Conflict("Only a failed delivery can be retried")
    row.state, row.attempts, row.next_attempt_at, row.lease_until = QUEUED, 0, utcnow(), None
    row.vendor_ref = ""  # HR asked for it again, knowing it may have arrived
    tenant.session.flush()
    outbox.later(
        tenant.session,
        "plugin.jobs.notify:deliver",
        key=f"messages-{tenant.organisation_id}-retry-{row.id}-{secrets.token_hex(4)}",
        queue="high",
    )
    return row


STATES = (QUEUED, SENDING, SENT, FAILED, SKIPPED)
