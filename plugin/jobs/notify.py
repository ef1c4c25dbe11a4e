"""Delivering the message outbox: jobs lease due messages and send each batch over one SMTP connection.

A transaction that writes messages records a delivery job in the outbox (services.messages), which the
relay queues once it commits; the workers' maintenance (`sweep`) queues one whenever messages are due,
which picks up retries and the batches a killed worker held. A delivery job keeps leasing batches until
nothing is due.
"""

from __future__ import annotations

import json
import logging
from datetime import date
from urllib.parse import urlsplit

import redis
from flask import current_app
from sqlalchemy.orm import Session

from ..config import Settings
from ..connectors import chat, smtp
from ..connectors.http import make_session
from ..db import db, transaction
from ..errors import FatalError, RetriableError
from ..models import ChatWebhook
from ..services import chat_channels, digests, invitations, messages, preferences
from ..services.tenant import Tenant
from ..vault import SecretUnreadable
from . import board
from .queue import enqueue
from .task import backoff_seconds, task

log = logging.getLogger(__name__)

BATCH = 100
MAX_ATTEMPTS = 8  # about an hour and a half of backoff before a transient failure is given up


@task
def deliver(batch: int = BATCH) -> dict:
    """Send due messages until none is due; returns counts by outcome."""
    settings: Settings = current_app.config["FLIPSIDE"]
    counts = {"sent": 0, "retry": 0, "failed": 0}
    while rows := messages.claim(db.session, batch):
        _send_batch(settings, rows, counts)
    return counts


def _send_batch(settings: Settings, rows: list, counts: dict) -> None:
    posts = [r for r in rows if r.channel != messages.EMAIL]
    if posts:
        _post_batch(posts, counts)
    rows = [r for r in rows if r.channel == messages.EMAIL]
    if not rows:
        return
    if not settings.smtp_url:
        for row in rows:
            _give_up_or_retry(row, RetriableError("no SMTP server configured (FLIPSIDE_SMTP_URL)"), counts)
        return
    unwanted = messages.unwanted(db.session, rows)
    for row in (r for r in rows if r.id in unwanted):
        messages.skipped(db.session, row, f"unsubscribed from {row.category}")
    rows = [r for r in rows if r.id not in unwanted]
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


def _post_batch(rows: list, counts: dict) -> None:
    """Post chat digests one by one: a 429/5xx waits (Retry-After honoured), another 4xx fails with its reason."""
    vault = current_app.extensions["flipside.vault"]
    with make_session(pool_size=2) as session:
        for row in rows:
            webhook = db.session.get(ChatWebhook, row.webhook_id, execution_options={"all_tenants": True})
            if webhook is None:
                messages.failed(db.session, row, "the chat channel was removed")
                counts["failed"] += 1
                continue
            try:
                chat.post(session, webhook.vendor, chat_channels.url_of(vault, webhook), json.loads(row.body_text))
            except SecretUnreadable as err:
                _give_up_or_retry(row, FatalError(err.message), counts)
                continue
            except (RetriableError, FatalError) as err:
                _give_up_or_retry(row, _without_url(err), counts)
                continue
            messages.delivered(db.session, row)
            counts["sent"] += 1


def _without_url(err):
    """The webhook URL is a secret: an error that quotes it (a connection error does) keeps only its host."""
    text = err.message
    for word in text.split():
        if word.strip("'\"(),").startswith("https://"):
            url = word.strip("'\"(),")
            text = text.replace(url, f"https://{urlsplit(url).hostname}/…")
    if isinstance(err, RetriableError):
        return RetriableError(text, retry_after=err.retry_after)
    return FatalError(text)


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


@task
def weekly_digest(organisation_id: int, day: str) -> int:
    """Write the week's digests for HR admins, coordinators and chat channels; returns the messages written.

    Queued by the daily jobs; a run later in the same ISO week writes nothing new (the receipt holds)."""
    settings: Settings = current_app.config["FLIPSIDE"]
    tenant = Tenant(db.session, organisation_id)
    failed_jobs = board.failed_count_if_reachable(tenant, settings)
    domain = urlsplit(settings.base_url).hostname or "flipside.invalid"
    with transaction(db.session):
        written = digests.queue_week(tenant, date.fromisoformat(day), settings.base_url, failed_jobs, domain=domain)
    return len(written)


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
