"""Pair health: the domain's one assessment of every pair, for HR's pages, the learners' page and reminders.

Every reader asks `assess_pairs` (or its one-pair and page wrappers), so the start day, the end day and
the sessions counted are the same everywhere. Its queries do not grow with the number of pairs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import load_only

from ..domain import cadence
from ..domain import pair_health as rules
from ..errors import Conflict
from ..models import RUNNING_PAIR, Credential, Employee, Nudge, Pair, Programme, Reflection, utcnow
from ..models import SessionLog as SessionRow
from ..models.stamps import PROGRAMME
from . import announcements, audit, stamped
from .paging import PER_PAGE, Page, window
from .tenant import Tenant

SHOWN_TO_HR = (*RUNNING_PAIR, "completed")  # the organisation's pair-health page also lists finished pairs
ORDER = {"at_risk": 0, "watch": 1, "healthy": 2, "not_started": 3}
# what the assessment reads of a pair (its explanation and the rest stay unloaded: 5,000 pairs at a time)
ASSESSED = load_only(
    Pair.id,
    Pair.programme_id,
    Pair.status,
    Pair.approved_at,
    Pair.created_at,
    Pair.extensions,
    Pair.mentor_employee_id,
    Pair.mentee_employee_id,
)


@dataclass(frozen=True)
class PairRow:
    """One pair as the pair-health pages show it."""

    pair: Pair
    mentor: Employee
    mentee: Employee
    health: rules.PairHealth
    credentials: tuple[Credential, ...] = ()


@dataclass(frozen=True)
class HealthPage(Page):
    """One page of pairs, those at risk first, with the counts of every pair it was taken from."""

    summary: dict[str, int]  # pairs per status, over every pair (not only this page)


def session_records(tenant: Tenant, pair_ids: list[int]) -> dict[int, dict]:
    """Sessions, cancellations and last activity (latest reflection) per pair, from programme-life records."""
    if not pair_ids:
        return {}
    records: dict[int, dict] = {pid: {"sessions": [], "cancellations": [], "last_activity": None} for pid in pair_ids}
    logged = select(
        SessionRow.pair_id,
        SessionRow.status,
        SessionRow.held_on,
        SessionRow.logged_by_role,
        SessionRow.cancelled_by_role,
        SessionRow.confirmed_at,
        SessionRow.minutes,
    ).where(SessionRow.pair_id.in_(pair_ids))
    for row in tenant.session.execute(logged):
        if row.status == "cancelled":
            records[row.pair_id]["cancellations"].append(
                rules.Cancellation(row.held_on, row.cancelled_by_role or row.logged_by_role)
            )
        else:
            records[row.pair_id]["sessions"].append(
                rules.SessionLog(
                    row.held_on,
                    row.logged_by_role,
                    row.status == "confirmed" or row.confirmed_at is not None,
                    row.minutes or 0,
                )
            )
    latest = tenant.session.execute(
        select(Reflection.pair_id, func.max(Reflection.created_at))
        .where(Reflection.pair_id.in_(pair_ids))
        .group_by(Reflection.pair_id)
    )
    for pair_id, created in latest:
        records[pair_id]["last_activity"] = created.date()
    return {
        pid: {
            "sessions": tuple(r["sessions"]),
            "cancellations": tuple(r["cancellations"]),
            "last_activity": r["last_activity"],
        }
        for pid, r in records.items()
    }


def _last_nudges(tenant: Tenant, pair_ids: list[int]) -> dict[int, date]:
    if not pair_ids:
        return {}
    rows = tenant.session.execute(
        select(Nudge.pair_id, func.max(Nudge.sent_at)).where(Nudge.pair_id.in_(pair_ids)).group_by(Nudge.pair_id)
    )
    return {pair_id: sent.date() for pair_id, sent in rows}


def activity(pair: Pair, programme: Programme, records: dict, last_nudged_on: date | None) -> rules.PairActivity:
    """The domain's view of one pair: start, end, cadence, sessions, cancellations, last nudge."""
    start = cadence.start_day(pair.approved_at, pair.created_at, programme.starts_on)
    ends = cadence.end_date(start, programme.duration_weeks, pair.extensions, programme.extension_weeks)
    return rules.PairActivity(
        pair_id=pair.id,
        started_on=start,
        cadence_days=programme.cadence_days,
        last_nudged_on=last_nudged_on,
        ends_on=ends,
        **records,
    )


def assess_pairs(tenant: Tenant, pairs: list[Pair], today: date | None = None) -> dict[int, rules.PairHealth]:
    """The health of each pair by id, in four queries whatever the number of pairs."""
    if not pairs:
        return {}
    ids = [p.id for p in pairs]
    programmes = {p.id: p for p in tenant.all(Programme, Programme.id.in_({p.programme_id for p in pairs}))}
    records, nudged = session_records(tenant, ids), _last_nudges(tenant, ids)
    day = today or date.today()
    return {
        p.id: rules.assess(activity(p, programmes[p.programme_id], records[p.id], nudged.get(p.id)), day) for p in pairs
    }


def pair_health(tenant: Tenant, pair: Pair, today: date | None = None) -> rules.PairHealth:
    """One pair's health (the learners' page, a nudge)."""
    return assess_pairs(tenant, [pair], today)[pair.id]


@dataclass(frozen=True)
class Assessment:
    """Every pair of a scope with its health: in stored order, and at risk first (ties by id)."""

    stored: tuple[tuple[int, rules.PairHealth], ...]
    ranked: tuple[tuple[int, rules.PairHealth], ...]


def _assessment(tenant: Tenant, scope: tuple, pairs: Callable[[], list[Pair]], today: date | None) -> Assessment:
    """The scope's assessment, kept until a pair, session, nudge, reflection or programme changes, or the day."""
    day = today or date.today()

    def compute() -> Assessment:
        found = pairs()
        healths = assess_pairs(tenant, found, day)
        stored = tuple((p.id, healths[p.id]) for p in found)
        return Assessment(stored, tuple(sorted(stored, key=lambda ph: (ORDER[ph[1].status], ph[0]))))

    return stamped.view(tenant, (PROGRAMME,), ("pair-health", *scope, day), compute)


def _rows(tenant: Tenant, ranked: list[tuple[Pair, rules.PairHealth]], with_credentials: bool) -> list[PairRow]:
    """The named rows of the pairs given (a page's): their people and credentials, in two queries."""
    wanted = {p.mentor_employee_id for p, _ in ranked} | {p.mentee_employee_id for p, _ in ranked}
    people = {e.id: e for e in tenant.all(Employee, Employee.id.in_(wanted))} if ranked else {}
    creds: dict[int, list[Credential]] = {}
    if with_credentials and ranked:
        for credential in tenant.all(Credential, Credential.pair_id.in_([p.id for p, _ in ranked])):
            creds.setdefault(credential.pair_id, []).append(credential)
    return [
        PairRow(
            p,
            people[p.mentor_employee_id],
            people[p.mentee_employee_id],
            health,
            tuple(sorted(creds.get(p.id, ()), key=lambda c: c.id)),
        )
        for p, health in ranked
    ]


def _page(tenant: Tenant, assessment: Assessment, page: int, per_page: int, with_credentials: bool) -> HealthPage:
    ranked = assessment.ranked
    at = window(len(ranked), page, per_page)
    shown = ranked[at.offset : at.offset + at.per_page]
    loaded = {p.id: p for p in tenant.all(Pair, Pair.id.in_([pid for pid, _ in shown]))} if shown else {}
    summary = rules.summarise([health for _, health in ranked])
    rows = _rows(tenant, [(loaded[pid], health) for pid, health in shown], with_credentials)
    return HealthPage(rows, at.total, at.page, at.pages, at.per_page, summary)


def _live(tenant: Tenant, programme_id: int, today: date | None) -> Assessment:
    programme = tenant.get(Programme, programme_id)
    live = tenant.select(Pair, Pair.programme_id == programme.id, Pair.status.in_(RUNNING_PAIR)).options(ASSESSED)
    return _assessment(tenant, ("programme", programme.id), lambda: list(tenant.session.scalars(live)), today)


def programme_assessment(tenant: Tenant, programme_id: int, today: date | None = None) -> list[rules.PairHealth]:
    """The health of every live pair of a programme (the dashboard's and the programme page's counts)."""
    return [health for _, health in _live(tenant, programme_id, today).stored]


def programme_health(
    tenant: Tenant, programme_id: int, today: date | None = None, page: int = 1, per_page: int = PER_PAGE
) -> HealthPage:
    """A page of the programme's live pairs with their health, pairs at risk first."""
    return _page(tenant, _live(tenant, programme_id, today), page, per_page, with_credentials=False)


def organisation_health(
    tenant: Tenant, today: date | None = None, page: int = 1, per_page: int = PER_PAGE
) -> HealthPage:
    """A page of the organisation's running or completed pairs with health and credentials, at risk first."""
    shown = tenant.select(Pair, Pair.status.in_(SHOWN_TO_HR)).options(ASSESSED)
    assessment = _assessment(tenant, ("organisation",), lambda: list(tenant.session.scalars(shown)), today)
    return _page(tenant, assessment, page, per_page, with_credentials=True)


def nudge(tenant: Tenant, pair_id: int, actor: str = "admin", today: date | None = None) -> Nudge:
    """Record a nudge to a pair at risk; refused when the pair is not at risk or was nudged this period."""
    pair = tenant.get(Pair, pair_id)
    health = pair_health(tenant, pair, today or date.today())
    if not health.can_nudge:
        raise Conflict(
            "This pair is not at risk or was already nudged this cadence period", errors={"pair_id": health.status}
        )
    row = tenant.add(Nudge(pair_id=pair.id, actor=actor, sent_at=utcnow()))
    tenant.session.flush()
    announcements.nudge_pair(tenant, pair, today or date.today())  # sent iff the nudge commits
    audit.record(tenant, actor, "pair.nudged", "pair", pair.id)
    return row
