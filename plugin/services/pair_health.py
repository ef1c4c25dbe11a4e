"""Pair health for HR: each live pair of a programme assessed on its sessions, and nudges to pairs at risk."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from ..domain import cadence
from ..domain import pair_health as rules
from ..errors import Conflict
from ..models import RUNNING_PAIR, Employee, Nudge, Pair, Programme, Reflection, utcnow
from ..models import SessionLog as SessionRow
from . import announcements, audit
from .tenant import Tenant


@dataclass(frozen=True)
class PairRow:
    """One pair as the pair-health page shows it."""

    pair: Pair
    mentor: Employee
    mentee: Employee
    health: rules.PairHealth


def session_records(tenant: Tenant, pair_ids: list[int]) -> dict[int, dict]:
    """Sessions, cancellations and last activity (latest reflection) per pair, from programme-life records."""
    if not pair_ids:
        return {}
    records: dict[int, dict] = {pid: {"sessions": [], "cancellations": [], "last_activity": None} for pid in pair_ids}
    for row in tenant.all(SessionRow, SessionRow.pair_id.in_(pair_ids)):
        if row.status == "cancelled":
            records[row.pair_id]["cancellations"].append(
                rules.Cancellation(row.held_on, row.cancelled_by_role or row.logged_by_role))
        else:
            records[row.pair_id]["sessions"].append(rules.SessionLog(
                row.held_on, row.logged_by_role, row.status == "confirmed" or row.confirmed_at is not None))
    latest = tenant.session.execute(
        select(Reflection.pair_id, func.max(Reflection.created_at)).where(
            Reflection.pair_id.in_(pair_ids))
        .group_by(Reflection.pair_id))
    for pair_id, created in latest:
        records[pair_id]["last_activity"] = created.date()
    return {pid: {"sessions": tuple(r["sessions"]), "cancellations": tuple(r["cancellations"]),
                  "last_activity": r["last_activity"]} for pid, r in records.items()}


def _started_on(pair: Pair, programme: Programme) -> date | None:
    days = [d for d in (pair.approved_at.date() if pair.approved_at else None, programme.starts_on) if d]
    return max(days) if days else None


def _last_nudges(tenant: Tenant, pair_ids: list[int]) -> dict[int, date]:
    if not pair_ids:
        return {}
    rows = tenant.session.execute(
        select(Nudge.pair_id, func.max(Nudge.sent_at)).where(
            Nudge.pair_id.in_(pair_ids)).group_by(Nudge.pair_id))
    return {pair_id: sent.date() for pair_id, sent in rows}


def activities(tenant: Tenant, programme: Programme, pairs: list[Pair]) -> list[rules.PairActivity]:
    """The domain's view of each pair: start, cadence, sessions, cancellations, last nudge."""
    ids = [p.id for p in pairs]
    records, nudged = session_records(tenant, ids), _last_nudges(tenant, ids)
    return [rules.PairActivity(pair_id=p.id, started_on=_started_on(p, programme),
                               cadence_days=programme.cadence_days, last_nudged_on=nudged.get(p.id),
                               ends_on=_ends_on(p, programme), **records.get(p.id, {})) for p in pairs]


def _ends_on(pair: Pair, programme: Programme) -> date | None:
    """The pair's last day (the same day the learner's page shows): duration plus agreed extensions."""
    start = _started_on(pair, programme)
    if start is None:
        return None
    return cadence.end_date(start, programme.duration_weeks, pair.extensions, programme.extension_weeks)


def programme_health(tenant: Tenant, programme_id: int, today: date | None = None) -> list[PairRow]:
    """Every live pair of a programme with its health, pairs at risk first."""
    programme = tenant.get(Programme, programme_id)
    pairs = tenant.all(Pair, Pair.programme_id == programme.id, Pair.status.in_(RUNNING_PAIR))
    people = {e.id: e for e in tenant.all(Employee, Employee.id.in_(
        {p.mentor_employee_id for p in pairs} | {p.mentee_employee_id for p in pairs}))}
    today = today or date.today()
    healths = {a.pair_id: rules.assess(a, today) for a in activities(tenant, programme, pairs)}
    order = {"at_risk": 0, "watch": 1, "healthy": 2, "not_started": 3}
    rows = [PairRow(p, people[p.mentor_employee_id], people[p.mentee_employee_id], healths[p.id]) for p in pairs]
    return sorted(rows, key=lambda r: (order[r.health.status], r.pair.id))


def nudge(tenant: Tenant, pair_id: int, actor: str = "admin", today: date | None = None) -> Nudge:
    """Record a nudge to a pair at risk; refused when the pair is not at risk or was nudged this period."""
    pair = tenant.get(Pair, pair_id)
    programme = tenant.get(Programme, pair.programme_id)
    health = rules.assess(activities(tenant, programme, [pair])[0], today or date.today())
    if not health.can_nudge:
        raise Conflict("This pair is not at risk or was already nudged this cadence period",
                              errors={"pair_id": health.status})
    row = tenant.add(Nudge(pair_id=pair.id, actor=actor, sent_at=utcnow()))
    tenant.session.flush()
    announcements.nudge_pair(tenant, pair, today or date.today())  # sent iff the nudge commits
    audit.record(tenant, actor, "pair.nudged", "pair", pair.id)
    return row
