"""The outbox relay: committed outbox rows become RQ jobs, exactly once each, whenever Redis takes them.

A row is enqueued under the job id `<key>-<row id>` and then stamped sent. A relay that died between the
two finds the job already in Redis and only stamps the row, so a resend never runs a job twice; while
Redis refuses, rows stay unsent with their attempts and last error, and the next relay tries again.
One relay sends at a time (a lock in Redis), so two never enqueue the same row.
"""

from __future__ import annotations

import logging
import uuid

import redis
from flask import current_app, has_app_context
from rq.job import Job
from sqlalchemy import event, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ..config import Settings
from ..models import OutboxMessage, utcnow
from ..services import outbox
from .connection import redis_connection
from .queue import enqueue, prefixed_job_id

log = logging.getLogger(__name__)

BATCH = 200
LOCK_TTL_S = 30
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


def relay(settings: Settings, engine: Engine, *, limit: int = BATCH) -> int:
    """Send up to `limit` waiting outbox rows, oldest first; returns how many were sent (0 if another relay
    holds the lock). Raises redis.RedisError when Redis cannot even be asked for the lock."""
    connection = redis_connection(settings)
    lock, token = f"flipside:{settings.queue_prefix}:relay-lock", uuid.uuid4().hex
    if not connection.set(lock, token, nx=True, ex=LOCK_TTL_S):
        return 0
    try:
        with Session(engine, expire_on_commit=False) as session:
            sent = _send_waiting(settings, session, limit)
            session.commit()
        return sent
    finally:
        try:
            connection.eval(_RELEASE, 1, lock, token)
        except redis.RedisError:
            pass  # the lock expires by itself


def _send_waiting(settings: Settings, session: Session, limit: int) -> int:
    rows = session.scalars(
        select(OutboxMessage).where(OutboxMessage.sent_at.is_(None)).order_by(OutboxMessage.id).limit(limit)
    ).all()
    sent = 0
    for row in rows:
        try:
            _send(settings, row)
        except redis.RedisError as err:
            row.attempts += 1
            row.last_error = f"{type(err).__name__}: {err}"[:500]
            log.warning(
                "outbox relay: Redis refused a job; it stays waiting",
                extra={"outbox_id": row.id, "reason": row.last_error},
            )
            break  # the rest would be refused too; the rows sent so far are stamped below
        row.sent_at = utcnow()
        sent += 1
    return sent


def _send(settings: Settings, row: OutboxMessage) -> None:
    job_id = outbox.job_id(row)
    connection = redis_connection(settings)
    if Job.exists(prefixed_job_id(settings, job_id), connection=connection):
        return  # enqueued by a relay that stopped before stamping the row
    enqueue(
        settings,
        row.target.replace(":", "."),
        job_id=job_id,
        queue=row.queue,
        kwargs=row.kwargs,
        organisation_id=row.organisation_id,
    )


def relay_quietly(settings: Settings, engine: Engine) -> int:
    """Relay, logging instead of raising when Redis or the database is away (callers try again later)."""
    try:
        return relay(settings, engine)
    except (redis.RedisError, SQLAlchemyError, OSError) as err:
        log.warning("outbox relay could not run; it tries again", extra={"reason": f"{type(err).__name__}: {err}"})
        return 0


def install() -> None:
    """Send each transaction's outbox rows right after it commits (idempotent)."""
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", _after_rollback)


def _after_commit(session: Session) -> None:
    """Send what this transaction recorded at once, so jobs start without waiting for the next relay tick."""
    if session.info.pop(outbox.RECORDED, None) and has_app_context():
        relay_quietly(current_app.config["FLIPSIDE"], session.get_bind())


def _after_rollback(session: Session, _previous) -> None:
    session.info.pop(outbox.RECORDED, None)
