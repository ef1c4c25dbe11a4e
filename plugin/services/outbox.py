"""The transactional outbox: how services say "do this later".

    outbox.later(session, "plugin.jobs.departures:handle_departure", key="departure-3-7",
                 organisation_id=3, employee_id=7)

`later` adds a row to the caller's session, so the job is recorded in the same transaction as the change
that asks for it: a rollback forgets both, a commit keeps both. The relay (`plugin.jobs.relay`, run by
every worker, by `flipside serve` and by `flipside jobs relay`) enqueues committed rows with the job id
`<key>-<row id>` and stamps them sent; while Redis refuses, rows wait and the relay tries again. A key
asked for again before its row is sent is asked for once. Arguments are ids (JSON), like every job's.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import delete, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..config import Settings
from ..errors import ValidationError
from ..models import OutboxMessage, utcnow

TARGET = re.compile(r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*:[a-z_][a-z0-9_]*$")
JOB_PACKAGES = ("plugin.jobs.",)  # a row can only ever name one of our job functions
QUEUES = ("high", "default", "low")
RECORDED = "flipside.outbox"  # session.info: ids of rows this session added, for the relay after commit


def later(
    session: Session, target: str, *, key: str, queue: str = "default", organisation_id: int | None = None, **ids
) -> OutboxMessage:
    """Record the job `target(organisation_id=..., **ids)` in the session's transaction; returns its row."""
    if not TARGET.match(target) or not target.startswith(JOB_PACKAGES):
        raise ValidationError(f"outbox target {target!r} is not a job function (plugin.jobs.module:function)")
    if queue not in QUEUES:
        raise ValidationError(f"unknown queue {queue!r}")
    kwargs = ({"organisation_id": organisation_id} if organisation_id is not None else {}) | ids
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    # ON CONFLICT rather than a savepoint: a concurrent transaction that asked for the same waiting key
    # first stands for both (pysqlite would commit the caller's transaction on releasing a savepoint)
    stmt = (
        insert(OutboxMessage)
        .values(
            organisation_id=organisation_id,
            key=key,
            target=target,
            queue=queue,
            kwargs=kwargs,
            created_at=utcnow(),
            attempts=0,
            last_error="",
        )
        .on_conflict_do_nothing(index_elements=["key"], index_where=text("sent_at IS NULL"))
        .returning(OutboxMessage.id)
    )
    waiting = select(OutboxMessage).where(OutboxMessage.key == key, OutboxMessage.sent_at.is_(None))
    for _ in range(3):  # the waiting row we conflicted with may have been sent meanwhile: ask again
        row_id = session.scalar(stmt)
        row = session.scalar(waiting.execution_options(populate_existing=True))
        if row is not None:
            break
    else:
        raise ValidationError(f"outbox key {key!r} could not be recorded")
    if row_id is None and (row.target, row.kwargs) != (target, kwargs):
        raise ValidationError(f"outbox key {key!r} is already waiting for a different job")
    if row_id is not None:
        session.info.setdefault(RECORDED, []).append(row_id)
    return row


SENT_KEPT = timedelta(days=7)  # sent rows are kept a week for reading back, then pruned by the workers' sweep
PRUNE_BATCH = 5000


def prune(session: Session, *, now: datetime | None = None, kept: timedelta = SENT_KEPT) -> int:
    """Delete rows sent more than `kept` ago, a batch at a time; returns how many went.

    Waiting rows are never touched, and a sent row is only history: its job id (key and row id) stays unique
    because ids are never reused, so a key asked for again after pruning still gets a job of its own.
    """
    cutoff = (now or utcnow()) - kept
    old = (
        select(OutboxMessage.id)
        .where(OutboxMessage.sent_at.is_not(None), OutboxMessage.sent_at < cutoff)
        .order_by(OutboxMessage.id)
        .limit(PRUNE_BATCH)
    )
    ids = list(session.scalars(old))
    if ids:
        session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(ids)))
    return len(ids)


def job_id(message: OutboxMessage) -> str:
    """The message's job id: from the event (its key) and the row, so a resend can be recognised."""
    return f"{message.key}-{message.id}"


def prefixed_job_id(settings: Settings, job_id: str) -> str:
    """The id RQ stores a job under: prefixed, so several installs can share one Redis."""
    return f"{settings.queue_prefix}-{job_id}".replace(":", "-")
