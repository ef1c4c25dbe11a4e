"""Delivering the message outbox: jobs lease due messages and send each batch over one SMTP connection,
and the batch's LMS messages through their LMS connections (one connector per connection, its shared rate
limit pacing every call).

A transaction that writes messages records a delivery job in the outbox (services.messages), which the
relay queues once it commits; the workers' maintenance (`sweep`) queues one whenever messages are due,
which picks up retries and the batches a killed worker held. A delivery job keeps leasing batches until
nothing is due. Vendor 429/5xx (after the connector's own short retries) put the message and the rest of
its connection's batch back with backoff; a refusal (unknown user, function not in the service, missing
scope) is kept `failed` with the vendor's reason.
"""

from __future__ import annotations

import logging
from itertools import groupby

import redis
from flask import current_app
from sqlalchemy.orm import Session

from ..config import Settings
from ..connectors import smtp
from ..db import db, transaction
from ..errors import FatalError, NeedsReconnect, NotFound, RetriableError
from ..services import invitations, lms_messages, messages, preferences
from ..services.tenant import Tenant
from .connection import current_connection
from .queue import enqueue
from .task import backoff_seconds, task

log = logging.getLogger(__name__)

BATCH = 100
INTERRUPTED = (
    "a worker stopped while handing this message to the LMS; it may have arrived, so it is not sent a second time"
)
MAX_ATTEMPTS = 8  # about an hour and a half of backoff before a transient failure is given up


@task
def deliver(batch: int = BATCH) -> dict:
    """Send due messages until none is due; returns counts by outcome."""
    settings: Settings = current_app.config["FLIPSIDE"]
    counts = {"sent": 0, "retry": 0, "failed": 0}
    while rows := messages.claim(db.session, batch):
        unwanted = messages.unwanted(db.session, rows)
        for row in (r for r in rows if r.id in unwanted):
            messages.skipped(db.session, row, f"unsubscribed from {row.category}")
        wanted = [r for r in rows if r.id not in unwanted]
        _send_lms(settings, [r for r in wanted if r.channel == messages.LMS], counts)
        _send_batch(settings, [r for r in wanted if r.channel != messages.LMS], counts)
    return counts


def _send_lms(settings: Settings, rows: list, counts: dict) -> None:
    """Each connection's messages through one connector; a throttled or failing LMS holds back the rest."""
    if not rows:
        return
    vault, client = current_app.extensions["flipside.vault"], current_connection(settings)

    def where(row):
        return row.organisation_id, row.connection_id or 0

    for (organisation_id, connection_id), members in groupby(sorted(rows, key=where), key=where):
        group, tenant = list(members), Tenant(db.session, organisation_id)
        try:
            connector = lms_messages.open_for(tenant, settings, vault, connection_id or None, client)
        except (RetriableError, FatalError, NotFound) as err:
            db.session.rollback()
            if isinstance(err, NotFound):  # a connection id that is not this organisation's is never used
                err = FatalError(f"connection {connection_id} is not one of this organisation's connections")
            for row in group:
                _give_up_or_retry(row, _waitable(err), counts)
            continue
        for index, row in enumerate(group):
            try:
                user = lms_messages.recipient(tenant, row)
            except (RetriableError, FatalError) as err:  # no account yet, or the connection is gone
                _give_up_or_retry(row, err, counts)
                continue
            if user is None:
                messages.skipped(db.session, row, lms_messages.NO_ACCOUNT)
                continue
            if messages.interrupted(row):  # never twice: it may have arrived before that worker died
                messages.failed(db.session, row, INTERRUPTED)
                counts["failed"] += 1
                continue
            messages.in_flight(db.session, row)
            try:
                ref = connector.send_message(
                    user, row.subject, row.body_text, row.body_html, client_ref=f"flipside-{row.id}"
                )
            except (RetriableError, NeedsReconnect) as err:  # the LMS is struggling: its other messages wait too
                for rest in group[index:]:
                    _give_up_or_retry(rest, _waitable(err), counts)
                break
            except FatalError as err:
                messages.failed(db.session, row, err.message)
                counts["failed"] += 1
                continue
            row.address = f"{connector.vendor} user {user}"
            messages.delivered(db.session, row, ref)
            counts["sent"] += 1


def _waitable(err):
    """A refused token is worth waiting for (an admin reconnects); other fatal errors are not."""
    return RetriableError(err.message) if isinstance(err, NeedsReconnect) else err


def _send_batch(settings: Settings, rows: list, counts: dict) -> None:
    if not rows:
        return
    if not settings.smtp_url:
        for row in rows:
            _give_up_or_retry(row, RetriableError("no SMTP server configured (FLIPSIDE_SMTP_URL)"), counts)
        return
    try:
        with smtp.Mailbox(smtp.parse_url(settings.smtp_url)) as box:
            for index, row in enumerate(rows):
                try:
                    box.send(_email(settings, row))
                except FatalError as err:
                    messages.failed(db.session, row, err.message)
                    counts["failed"] += 1
                    continue
                except RetriableError as err:
                    for rest in rows[index:]:  # the connection may be gone: the rest wait with it
                        _give_up_or_retry(rest, err, counts)
                    return
                messages.delivered(db.session, row)
                counts["sent"] += 1
    except (RetriableError, FatalError) as err:  # could not even open the session
        for row in rows:
            if row.state == messages.SENDING:
                _give_up_or_retry(row, err, counts)


def _give_up_or_retry(row, err, counts: dict) -> None:
    if isinstance(err, FatalError) or row.attempts >= MAX_ATTEMPTS:
        messages.failed(db.session, row, err.message)
        counts["failed"] += 1
    else:
        delay = backoff_seconds(row.attempts, getattr(err, "retry_after", None))
        messages.retry_later(db.session, row, err.message, delay)
        counts["retry"] += 1


def _email(settings: Settings, row) -> smtp.Email:
    headers = (("Content-Language", row.locale),) + preferences.list_headers(
        settings.secret_key, settings.base_url, settings.mail_from, row.organisation_id, row.recipient_id, row.category
    )
    return smtp.Email(
        sender=settings.mail_from,
        to=row.address,
        subject=row.subject,
        text=row.body_text,
        html=row.body_html,
        message_id=row.message_id,
        headers=headers,
        calendar=row.calendar,
        calendar_method=row.calendar_method,
    )


@task
def invite_sessions(organisation_id: int) -> int:
    """Send, update and cancel the organisation's session invitations (daily); returns the messages written."""
    with transaction(db.session):
        return len(invitations.refresh(Tenant(db.session, organisation_id)))


def enqueue_delivery(settings: Settings, key: str) -> None:
    """Queue a delivery job; if Redis refuses, the messages wait in the database for the next sweep."""
    try:
        enqueue(settings, deliver, job_id=f"messages-{key}", queue="high", retries=0, timeout=1800)
    except redis.RedisError as err:
        log.warning("message delivery not queued; the next sweep queues it", extra={"reason": str(err)})


def sweep(settings: Settings, session: Session) -> bool:
    """Queue a delivery job when messages are due (retries, leases a killed worker left); True if queued."""
    if not messages.due_count(session):
        return False
    enqueue_delivery(settings, "sweep")
    return True
