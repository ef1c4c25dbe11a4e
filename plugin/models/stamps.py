"""Change stamps: a token per organisation and kind of data that changes in the transaction that changes the data.

Readers that keep a computed view (pair health, impact, match review) key it on the tokens, so a logged
session, a cancellation, a nudge or a sync is seen on the next view however many processes serve pages.
Like tenancy, freshness is the session's job: every ORM write to a watched class (unit of work or bulk
INSERT/UPDATE/DELETE) replaces the token; Core writes that bypass the ORM (the roster's bulk upsert) call
`touch` themselves. A token is random, so two databases never share one; no row yet means "do not cache".
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import ForeignKey, String, event, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column

from ..db import Base
from .admin import ImpactSetting, Nudge
from .core import Employee
from .programme import Exclusion, Pair, Participant, Profile, Programme
from .reflections import Reflection
from .sessions import SessionLog
from .tenancy import ORGANISATION, TenantOwned

PROGRAMME, PEOPLE = "programme", "people"
PENDING = "flipside.stamps_pending"  # Session.info: topic -> organisation ids (None: every one) to renew at commit
WATCHED: dict[type, str] = {
    Programme: PROGRAMME,
    Participant: PROGRAMME,
    Pair: PROGRAMME,
    Exclusion: PROGRAMME,
    SessionLog: PROGRAMME,
    Nudge: PROGRAMME,
    Reflection: PROGRAMME,
    ImpactSetting: PROGRAMME,
    Profile: PEOPLE,
    Employee: PEOPLE,
}

# deleting an employee deletes their participations and pairs in the database (ON DELETE CASCADE)
DELETES_TOO: dict[type, str] = {Employee: PROGRAMME}


class ChangeStamp(TenantOwned, Base):
    """The current token of one kind of one organisation's data."""

    __tablename__ = "change_stamp"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True)
    topic: Mapped[str] = mapped_column(String(16), primary_key=True)
    token: Mapped[str] = mapped_column(String(32))


def tokens(session: Session, organisation_id: int, *topics: str) -> tuple[str, ...] | None:
    """The organisation's current tokens of `topics`, or None when one was never stamped (nothing to key on)."""
    table = ChangeStamp.__table__
    stmt = select(table.c.topic, table.c.token).where(
        table.c.organisation_id == organisation_id, table.c.topic.in_(topics)
    )
    found = {topic: token for topic, token in session.connection().execute(stmt)}
    return tuple(found[t] for t in topics) if all(t in found for t in topics) else None


def touch(session, organisation_ids: Iterable[int] | None, topic: str) -> None:
    """Give the organisations (every one when None) a new token of `topic` when the session's transaction
    commits. The tokens are written at commit, all of them in one order (topic, then organisation), so two
    transactions never wait on each other's stamps in opposite orders (a deadlock on PostgreSQL) and a stamp
    row is locked only while its transaction commits, not for the rest of a long one."""
    raw = getattr(session, "raw", session)
    pending: dict[str, set | None] = raw.info.setdefault(PENDING, {})
    if organisation_ids is None or pending.get(topic, set()) is None:
        pending[topic] = None
    else:
        pending.setdefault(topic, set()).update(organisation_ids)


def pending(session, organisation_id: int, topics: Iterable[str]) -> bool:
    """Whether the session has uncommitted changes to these stamps of the organisation (a view computed now
    would show data its old token does not name: compute it, do not keep it)."""
    waiting = getattr(session, "raw", session).info.get(PENDING) or {}
    return any(t in waiting and (waiting[t] is None or organisation_id in waiting[t]) for t in topics)


def _write(connection, organisation_ids: set | None, topic: str) -> None:
    table = ChangeStamp.__table__
    if organisation_ids is None:
        connection.execute(update(table).where(table.c.topic == topic).values(token=uuid.uuid4().hex))
        return
    rows = [{"organisation_id": org, "topic": topic, "token": uuid.uuid4().hex} for org in sorted(organisation_ids)]
    if not rows:
        return
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    stmt = insert(table)
    connection.execute(
        stmt.on_conflict_do_update(index_elements=["organisation_id", "topic"], set_={"token": stmt.excluded.token}),
        rows,
    )


@event.listens_for(Session, "before_commit")
def _stamp_committed(session: Session) -> None:
    """Write the transaction's new tokens, last and in one order (after its own final flush)."""
    session.flush()
    waiting = session.info.pop(PENDING, None)
    if not waiting:
        return
    connection = session.connection()
    for topic in sorted(waiting):
        _write(connection, waiting[topic], topic)


@event.listens_for(Session, "after_rollback")
def _stamp_dropped(session: Session) -> None:
    session.info.pop(PENDING, None)


@event.listens_for(Session, "after_flush")
def _stamp_flushed(session: Session, _context) -> None:
    """New tokens for every organisation whose watched rows this flush wrote."""
    changed: dict[str, set[int]] = {}
    for obj in (*session.new, *session.dirty, *session.deleted):
        topic = WATCHED.get(type(obj))
        if topic and obj.organisation_id is not None and (obj not in session.dirty or session.is_modified(obj)):
            changed.setdefault(topic, set()).add(obj.organisation_id)
    for obj in session.deleted:
        if type(obj) in DELETES_TOO:
            changed.setdefault(DELETES_TOO[type(obj)], set()).add(obj.organisation_id)
    for topic, organisations in changed.items():
        touch(session, organisations, topic)


@event.listens_for(Session, "do_orm_execute")
def _stamp_bulk(state: ORMExecuteState) -> None:
    """New tokens before an ORM bulk INSERT, UPDATE or DELETE of a watched class runs."""
    if not (state.is_insert or state.is_update or state.is_delete) or state.bind_mapper is None:
        return
    topic = WATCHED.get(state.bind_mapper.class_)
    if topic is None:
        return
    organisation = state.execution_options.get(ORGANISATION)
    params = state.parameters if isinstance(state.parameters, list) else [state.parameters or {}]
    given = {p["organisation_id"] for p in params if p.get("organisation_id") is not None}
    if organisation is not None:
        given.add(organisation)
    touch(state.session, given or None, topic)
    if state.is_delete and state.bind_mapper.class_ in DELETES_TOO:
        touch(state.session, given or None, DELETES_TOO[state.bind_mapper.class_])
