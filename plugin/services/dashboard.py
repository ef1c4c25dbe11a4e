"""The workspace's front page in numbers: per programme, who takes part, pairs by state, this period's sessions,
pairs at risk (the domain's one pair-health rule), completion; and what needs doing next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from ..domain import cadence
from ..domain.pair_health import summarise
from ..models import (
    HELD_PAIR,
    Connection,
    Employee,
    Pair,
    Participant,
    Programme,
    SessionLog,
    SyncRun,
)
from ..models.programme import PAIR_STATUSES
from ..models.stamps import PEOPLE, PROGRAMME
from . import pair_health, stamped
from .tenant import Tenant

ATTENTION = ("warning", "needs_reconnect", "error")  # connection states HR must act on


@dataclass(frozen=True)
class ProgrammeSummary:
    """One programme's headline numbers."""

    programme: Programme
    members: dict[str, int]  # mentor / mentee -> opted-in people
    pairs: dict[str, int]  # every pair status -> pairs
    health: dict[str, int]  # healthy / watch / at_risk / not_started -> running pairs
    sessions_this_period: int
    period: tuple[date, date] | None  # the cadence period today falls in, once the programme has started
    unmatched_executives: int

    @property
    def completion(self) -> float | None:
        """Completed pairs as a share of every pair that started (None before any did)."""
        started = sum(self.pairs[s] for s in ("approved", "active", "completed"))
        return self.pairs["completed"] / started if started else None


@dataclass(frozen=True)
class NextActions:
    """Organisation-wide work waiting for an HR admin (None: could not be counted now)."""

    failed_jobs: int | None
    connections: int
    held_syncs: int


def period_window(programme: Programme, today: date) -> tuple[date, date] | None:
    """First and last day of the cadence period today is in; None before the programme starts or once it is
    completed (no period is running)."""
    if programme.status == "completed" or programme.starts_on is None or programme.starts_on > today:
        return None
    index = cadence.period_of(programme.starts_on, today, programme.cadence_days)
    first = programme.starts_on + timedelta(days=index * programme.cadence_days)
    return first, first + timedelta(days=programme.cadence_days - 1)


def summary(tenant: Tenant, programme: Programme, today: date | None = None) -> ProgrammeSummary:
    """The headline numbers of one programme on a day, counted again once a pair, session or person changes."""
    today = today or date.today()
    key = ("summary", programme.id, today)
    return ProgrammeSummary(
        programme, **stamped.view(tenant, (PROGRAMME, PEOPLE), key, lambda: _numbers(tenant, programme, today))
    )


def _numbers(tenant: Tenant, programme: Programme, today: date) -> dict:
    members = dict(
        tenant.session.execute(
            select(Participant.role, func.count())
            .join(Employee, Employee.id == Participant.employee_id)
            .where(Participant.programme_id == programme.id, Participant.opted_in.is_(True), Employee.active.is_(True))
            .group_by(Participant.role)
        ).all()
    )
    pairs = dict.fromkeys(PAIR_STATUSES, 0) | dict(
        tenant.session.execute(
            select(Pair.status, func.count()).where(Pair.programme_id == programme.id).group_by(Pair.status)
        ).all()
    )
    health = summarise(pair_health.programme_assessment(tenant, programme.id, today))
    window = period_window(programme, today)
    held = 0
    if window:
        held = (
            tenant.session.scalar(
                select(func.count())
                .select_from(SessionLog)
                .join(Pair, Pair.id == SessionLog.pair_id)
                .where(
                    Pair.programme_id == programme.id,
                    SessionLog.status != "cancelled",
                    SessionLog.held_on.between(*window),
                )
            )
            or 0
        )
    return dict(
        members={r: members.get(r, 0) for r in ("mentor", "mentee")},
        pairs=pairs,
        health=health,
        sessions_this_period=held,
        period=window,
        unmatched_executives=unmatched_executives(tenant, programme.id),
    )


def unmatched_executives(tenant: Tenant, programme_id: int) -> int:
    """Executives taking part with no proposed, running or completed pair in the programme."""
    paired = select(Pair.mentee_employee_id).where(
        Pair.programme_id == programme_id, Pair.status.in_((*HELD_PAIR, "completed"))
    )
    return (
        tenant.session.scalar(
            select(func.count())
            .select_from(Participant)
            .join(Employee, Employee.id == Participant.employee_id)
            .where(
                Participant.programme_id == programme_id,
                Participant.role == "mentee",
                Participant.opted_in.is_(True),
                Employee.active.is_(True),
                Participant.employee_id.not_in(paired),
            )
        )
        or 0
    )


def next_actions(tenant: Tenant, failed_jobs: int | None) -> NextActions:
    """Failed jobs (counted by the caller from the job board; None while Redis is away), connections in
    trouble and syncs held by the deletion safeguard."""
    return NextActions(
        failed_jobs=failed_jobs,
        connections=tenant.count(Connection, Connection.status.in_(ATTENTION)),
        held_syncs=tenant.count(SyncRun, SyncRun.status == "needs_approval"),
    )
