"""Delivering the message outbox: jobs lease due messages and send each batch over one SMTP connection,
and the batch's LMS messages through their LMS connections (one connector per connection, its shared rate
limit pacing every call).

A transaction that writes messages records a delivery job in the outbox (services.messages), which the
relay queues once it commits; the workers' maintenance (`sweep`) queues one whenever messages are due,
which picks up retries and the batches a killed worker held. A delivery job keeps leasing batches until
nothing is due, and asks for one helper job while it finds full batches, so two workers share a long run.
Vendor 429/5xx (after the connector's own short retries) put the message and the rest of its connection's
batch back with backoff; a refusal (unknown user, function not in the service, missing scope) is kept
`failed` with the vendor's reason.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import date, timedelta
from itertools import groupby
from urllib.parse import urlsplit

import redis
from flask import current_app
from sqlalchemy.orm import Session

from ..config import Settings
from ..connectors import chat, smtp
from ..connectors.http import make_session
from ..db import db, transaction
from ..errors import FatalError, NeedsReconnect, NotFound, RetriableError
from ..models import ChatWebhook, utcnow
from ..services import chat_channels, digests, invitations, lms_messages, messages, preferences
from ..services.tenant import Tenant
from ..vault import SecretUnreadable
from . import board
from .acceptances import Acceptances
from .connection import current_connection
from .queue import enqueue
from .task import backoff_seconds, task

log = logging.getLogger(__name__)

BATCH = 100
INTERRUPTED = (
    "a worker stopped while handing this message to the LMS; it may have arrived, so it is not sent a second time"
)
MAX_ATTEMPTS = 8  # about an hour and a half of backoff before a transient failure is given up
STAMP_EVERY = 25  # accepted messages stamped `sent` per commit (their marks in Redis cover the meantime)
STAMP_AFTER_S = 0.5  # ... or sooner, so a slow server's acceptances reach the database within this
# No send starts in the last part of a lease: a send that outlived the lease could race the next holder's.
# Four SMTP commands, each allowed the client's timeout; at most half the lease.
SEND_WINDOW_S = 4 * smtp.TIMEOUT_S


@task
def deliver(batch: int = BATCH) -> dict:
    """Send due messages until none is due; returns counts by outcome (`recovered`: a killed worker's, not resent)."""
    settings: Settings = current_app.config["FLIPSIDE"]
    counts = {"sent": 0, "retry": 0, "failed": 0, "recovered": 0}
    marks = Acceptances(settings, current_connection(settings))
    lease = timedelta(seconds=settings.message_lease_s)
    while rows := messages.claim(db.session, batch, lease=lease):
        if len(rows) == batch:  # more may be due: a second worker can help (one helper waits or runs at most)
            enqueue_delivery(settings, "helper")
        until = time.monotonic() + lease.total_seconds() - min(SEND_WINDOW_S, lease.total_seconds() / 2)
        # what a killed worker already handed to the SMTP server is stamped first, whatever was asked since
        email = _not_yet_accepted(marks, [r for r in rows if r.channel == messages.EMAIL], counts)
        lms = [r for r in rows if r.channel == messages.LMS]
        _post_chat([r for r in rows if r.channel in chat.VENDOR_NAMES], counts)
        unwanted = messages.unwanted(db.session, lms + email)
        for row in (r for r in lms + email if r.id in unwanted):
            messages.skipped(db.session, row, f"unsubscribed from {row.category}")
        _send_lms(settings, [r for r in lms if r.id not in unwanted], counts)
        email = [r for r in email if r.id not in unwanted]
        if email and not _send_batch(settings, marks, email, counts, until):
            break  # the server is too slow for the lease: stop here, the sweep queues delivery again later
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


def _post_chat(rows: list, counts: dict) -> None:
    """Post chat digests one by one: a 429/5xx waits (Retry-After honoured), another 4xx fails with its reason."""
    if not rows:
        return
    vault = current_app.extensions["flipside.vault"]
    with make_session(pool_size=2) as session:
        for row in rows:
            webhook = db.session.get(ChatWebhook, row.webhook_id, execution_options={"all_tenants": True})
            if webhook is None:
                messages.failed(db.session, row, "the chat channel was removed")
                counts["failed"] += 1
                continue
            if messages.interrupted(row):  # never twice: it may have been posted before that worker died
                messages.failed(db.session, row, INTERRUPTED)
                counts["failed"] += 1
                continue
            try:
                url = chat_channels.url_of(vault, webhook)
            except SecretUnreadable as err:
                _give_up_or_retry(row, FatalError(err.message), counts)
                continue
            messages.in_flight(db.session, row)
            try:
                chat.post(session, webhook.vendor, url, json.loads(row.body_text))
            except (RetriableError, FatalError) as err:
                _give_up_or_retry(row, _without_url(err), counts)
                continue
            messages.delivered(db.session, row)
            counts["sent"] += 1


def _without_url(err):
    """The webhook URL is a secret: an error that quotes it (a connection error does) keeps only its host."""
    text = err.message
    for word in text.split():
        url = word.strip("'\"(),")
        if url.startswith("https://"):
            text = text.replace(url, f"https://{urlsplit(url).hostname}/…")
    if isinstance(err, RetriableError):
        return RetriableError(text, retry_after=err.retry_after)
    return FatalError(text)


def _waitable(err):
    """A refused token is worth waiting for (an admin reconnects); other fatal errors are not."""
    return RetriableError(err.message) if isinstance(err, NeedsReconnect) else err


def _not_yet_accepted(marks: Acceptances, rows: list, counts: dict) -> list:
    """Stamp the leased rows a killed worker had already handed to the server; the others still need sending."""
    try:
        accepted = marks.marked([r.message_id for r in rows])
    except redis.RedisError as err:  # cannot tell what was sent: nothing goes until Redis answers again
        for row in rows:
            _give_up_or_retry(row, RetriableError(f"acceptance marks unreadable: {err}"), counts)
        return []
    if accepted:
        messages.delivered_together(db.session, [(r, accepted[r.message_id]) for r in rows if r.message_id in accepted])
        marks.forget(list(accepted))
        counts["recovered"] += len(accepted)
        log.info("messages a stopped worker had sent, stamped without sending", extra={"count": len(accepted)})
    return [r for r in rows if r.message_id not in accepted]


class _Stamps:
    """The batch's acceptances not yet stamped in the database; `flush` stamps them in one commit."""

    def __init__(self, marks: Acceptances, counts: dict):
        self.marks, self.counts, self.waiting, self.since = marks, counts, [], time.monotonic()

    def accepted(self, row) -> None:
        self.waiting.append((row, utcnow()))
        try:
            self.marks.mark(row.message_id, self.waiting[-1][1])
        except redis.RedisError:  # no mark, so stamp now: the one-step window stays one step
            self.flush()
            return
        if len(self.waiting) >= STAMP_EVERY or time.monotonic() - self.since >= STAMP_AFTER_S:
            self.flush()

    def flush(self) -> None:
        if self.waiting:
            messages.delivered_together(db.session, self.waiting)
            self.marks.forget([row.message_id for row, _at in self.waiting])
            self.counts["sent"] += len(self.waiting)
        self.waiting, self.since = [], time.monotonic()


def _render(settings: Settings, rows: list, counts: dict) -> list:
    """Each row with its MIME message, built before the connection opens; a row that cannot be built fails."""
    ready = []
    for row in rows:
        try:
            ready.append((row, smtp.build(_email(settings, row))))
        except (ValueError, TypeError, LookupError) as err:  # e.g. a line break planted in a header value
            messages.failed(db.session, row, f"could not be built as an email: {err}")
            counts["failed"] += 1
    return ready


def _send_batch(settings: Settings, marks: Acceptances, rows: list, counts: dict, until: float) -> bool:
    """Send one leased batch over one connection; False when the lease ran short and the rest were left."""
    if not settings.smtp_url:
        for row in rows:
            _give_up_or_retry(row, RetriableError("no SMTP server configured (FLIPSIDE_SMTP_URL)"), counts)
        return True
    ready = _render(settings, rows, counts)
    stamps = _Stamps(marks, counts)
    try:
        with smtp.Mailbox(smtp.parse_url(settings.smtp_url)) as box:
            for index, (row, message) in enumerate(ready):
                if time.monotonic() >= until:  # the rest wait for their lease to run out, then go again
                    log.warning("message lease nearly over; batch stopped", extra={"left": len(ready) - index})
                    stamps.flush()
                    return False
                try:
                    box.send(message)
                except FatalError as err:
                    stamps.flush()
                    messages.failed(db.session, row, err.message)
                    counts["failed"] += 1
                    continue
                except RetriableError as err:
                    stamps.flush()
                    for rest, _message in ready[index:]:  # the connection may be gone: the rest wait with it
                        _give_up_or_retry(rest, err, counts)
                    return True
                stamps.accepted(row)
    except (RetriableError, FatalError) as err:  # could not even open the session
        stamps.flush()
        for row, _message in ready:
            if row.state == messages.SENDING:
                _give_up_or_retry(row, err, counts)
        return True
    stamps.flush()
    return True


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
