"""Sessions of a pair: either partner logs one, the other confirms (and is asked to); cancellations.

An executive whose cancellations of the pair reach a count of domain.pair_health.CANCELLATION_NOTES
gets a gentle note, written with the cancellation.
"""

from __future__ import annotations

from datetime import date, timedelta

from ..domain.completion import other_role
from ..domain.pair_health import EXECUTIVE, cancellation_note_due
from ..errors import Forbidden, ValidationError
from ..models import Pair, SessionLog, utcnow
from . import agreements, announcements, audit
from .tenant import Tenant

MAX_MINUTES = 480
RESENT_WITHIN = timedelta(minutes=10)  # a second identical log this soon is the same form sent again


def log_session(
    tenant: Tenant, pair_id: int, employee_id: int, held_on: date, minutes: int, topics: list[str]
) -> SessionLog:
    """Record a session one partner says took place; it counts once the other partner confirms it.

    The same form sent twice (a double click, a browser resending after a timeout: the same day, length and
    topics by the same partner within RESENT_WITHIN) keeps the first and tells nobody again."""
    pair, role = agreements.started_pair(tenant, pair_id, employee_id)
    if held_on > date.today():
        raise ValidationError("A session can only be logged once it has happened", errors={"held_on": "future"})
    if not 0 < minutes <= MAX_MINUTES:
        raise ValidationError(f"Minutes must be between 1 and {MAX_MINUTES}", errors={"minutes": minutes})
    topics = sorted({t for t in topics if t})
    _lock(tenant, pair.id)
    resent = _resent(tenant, pair.id, held_on, minutes, topics, role)
    if resent is not None:
        return resent
    row = tenant.add(
        SessionLog(
            pair_id=pair.id, held_on=held_on, minutes=minutes, status="logged", topics=topics, logged_by_role=role
        )
    )
    tenant.session.flush()
    announcements.session_logged(tenant, pair, row)
    audit.record(tenant, f"employee:{employee_id}", "session.logged", "pair", pair.id, session=row.id)
    return row


def confirm_session(tenant: Tenant, session_id: int, employee_id: int) -> SessionLog:
    """The other partner confirms a logged session."""
    row = tenant.get(SessionLog, session_id)
    _, role = agreements.started_pair(tenant, row.pair_id, employee_id)
    if row.status != "logged":
        raise ValidationError(f"This session is already {row.status}")
    if role == row.logged_by_role:
        raise Forbidden("The partner who did not log the session confirms it")
    row.status, row.confirmed_at = "confirmed", utcnow()
    audit.record(tenant, f"employee:{employee_id}", "session.confirmed", "pair", row.pair_id, session=row.id)
    return row


def cancel_session(tenant: Tenant, pair_id: int, employee_id: int, planned_on: date) -> SessionLog:
    """Record that a partner cancelled a planned session (executives' cancellations are counted). The same
    cancellation sent twice is kept once, so a retried form never counts an executive's cancellation twice."""
    pair, role = agreements.started_pair(tenant, pair_id, employee_id)
    _lock(tenant, pair.id)
    again = tenant.all(
        SessionLog,
        SessionLog.pair_id == pair.id,
        SessionLog.held_on == planned_on,
        SessionLog.status == "cancelled",
        SessionLog.cancelled_by_role == role,
    )
    if again:
        return again[0]
    row = tenant.add(
        SessionLog(
            pair_id=pair.id,
            held_on=planned_on,
            minutes=0,
            status="cancelled",
            topics=[],
            logged_by_role=role,
            cancelled_by_role=role,
        )
    )
    tenant.session.flush()
    if role == EXECUTIVE:
        cancelled = tenant.count(
            SessionLog,
            SessionLog.pair_id == pair.id,
            SessionLog.status == "cancelled",
            SessionLog.cancelled_by_role == EXECUTIVE,
        )
        if (threshold := cancellation_note_due(cancelled - 1, cancelled)) is not None:
            announcements.cancellations_noted(tenant, pair, cancelled, threshold)
    audit.record(tenant, f"employee:{employee_id}", "session.cancelled", "pair", pair.id, by=role)
    return row


def _lock(tenant: Tenant, pair_id: int) -> None:
    """Hold the pair's row until commit (PostgreSQL), so two copies of one form sent at once are decided one
    after the other; SQLite takes its write lock at the first write instead."""
    tenant.session.execute(tenant.select(Pair.id, Pair.id == pair_id).with_for_update())


def _resent(tenant: Tenant, pair_id: int, held_on: date, minutes: int, topics: list, role: str) -> SessionLog | None:
    """The session this very form already logged, if it was sent moments ago."""
    rows = tenant.all(
        SessionLog,
        SessionLog.pair_id == pair_id,
        SessionLog.held_on == held_on,
        SessionLog.minutes == minutes,
        SessionLog.logged_by_role == role,
        SessionLog.status.in_(("logged", "confirmed")),
        SessionLog.created_at >= utcnow() - RESENT_WITHIN,
    )
    return next((r for r in sorted(rows, key=lambda r: r.id) if list(r.topics or []) == topics), None)


def sessions_of(tenant: Tenant, pair_id: int) -> list[SessionLog]:
    return sorted(tenant.all(SessionLog, SessionLog.pair_id == pair_id), key=lambda s: (s.held_on, s.id))


def awaiting_confirmation(rows: list[SessionLog], role: str) -> list[SessionLog]:
    """Sessions the other partner logged that this role has still to confirm."""
    return [s for s in rows if s.status == "logged" and s.logged_by_role == other_role(role)]
