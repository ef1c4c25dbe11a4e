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

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..errors import ValidationError
from ..models import OutboxMessage

TARGET = re.compile(r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*:[a-z_][a-z0-9_]*$")
JOB_PACKAGES = ("plugin.jobs.",)  # a row can only ever name one of our job functions
QUEUES = ("high", "default", "low")
RECORDED = "flipside.outbox"  # session.info: ids of rows this session added, for the relay after commit


def later(session: Session, target: str, *, key: str, queue: str = "default",
          organisation_id: int | None = None, **ids) -> OutboxMessage:
    """Record the job `target(organisation_id=..., **ids)` in the session's transaction; returns its row."""
    if not TARGET.match(target) or not target.startswith(JOB_PACKAGES):
        raise ValidationError(f"outbox target {target!r} is not a job function (plugin.jobs.module:function)")
    if queue not in QUEUES:
        raise ValidationError(f"unknown queue {queue!r}")
    kwargs = ({"organisation_id": organisation_id} if organisation_id is not None else {}) | ids
    waiting = session.scalar(select(OutboxMessage).where(OutboxMessage.key == key,
                                                         OutboxMessage.sent_at.is_(None)))
    if waiting is not None and waiting.target == target and waiting.kwargs == kwargs:
        return waiting
    if waiting is not None:
        raise ValidationError(f"outbox key {key!r} is already waiting for a different job")
    row = OutboxMessage(organisation_id=organisation_id, key=key, target=target, queue=queue, kwargs=kwargs,
                        attempts=0, last_error="")
    try:
        with session.begin_nested():  # the id now, and the waiting key checked inside the caller's transaction
            session.add(row)
    except IntegrityError:  # a concurrent transaction asked for the same key first: its row stands for both
        return session.scalar(select(OutboxMessage).where(OutboxMessage.key == key, OutboxMessage.sent_at.is_(None)))
    session.info.setdefault(RECORDED, []).append(row.id)
    return row


def job_id(message: OutboxMessage) -> str:
    """The message's job id: from the event (its key) and the row, so a resend can be recognised."""
    return f"{message.key}-{message.id}"
