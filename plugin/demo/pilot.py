"""Demo programmes over the synthetic workforce: a finished pilot to measure, and a running cohort to watch."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from ..domain.impact import add_months
from ..models import Employee, Pair, Participant, Programme
from ..services.tenant import Tenant

MENTOR_MAX_LEVEL = 2
EXECUTIVE_MIN_LEVEL = 7


def _employed(employee: Employee, day: date) -> bool:
    return bool(
        employee.hire_date
        and employee.hire_date <= day
        and (employee.termination_date is None or employee.termination_date > day)
    )


def _pair_up(
    tenant: Tenant,
    programme: Programme,
    mentors: list[Employee],
    executives: list[Employee],
    status: str,
    approved: date,
) -> int:
    when = datetime.combine(approved, time(9), UTC)
    known = {p.employee_id for p in tenant.all(Participant, Participant.programme_id == programme.id)}
    for employee, role in [(m, "mentor") for m in mentors] + [(e, "mentee") for e in executives]:
        if employee.id not in known:
            tenant.add(Participant(programme_id=programme.id, employee_id=employee.id, role=role))
    for n, mentor in enumerate(mentors):
        tenant.add(
            Pair(
                programme_id=programme.id,
                mentor_employee_id=mentor.id,
                score=0.0,
                status=status,
                mentee_employee_id=executives[n % len(executives)].id,
                approved_at=when,
                explanation=[{"criterion": "demo", "score": 0.0, "text": "Paired for the demo"}],
            )
        )
    tenant.session.flush()
    return len(mentors)


def seed_programmes(tenant: Tenant, today: date, seed: int = 7, share: float = 0.2) -> tuple[Programme, Programme]:
    """A completed pilot that started 25 months ago (a fifth of juniors took part) and a running cohort."""
    rng = random.Random(seed)
    start = add_months(today, -25)
    people = tenant.all(Employee)
    juniors = [e for e in people if (e.job_level or 99) <= MENTOR_MAX_LEVEL and _employed(e, start)]
    executives = [e for e in people if (e.job_level or 0) >= EXECUTIVE_MIN_LEVEL and _employed(e, start)]
    pilot = tenant.add(
        Programme(
            name="Pilot (synthetic)", status="completed", starts_on=start, cadence_days=14, topics=["AI", "Inclusion"]
        )
    )
    cohort = tenant.add(
        Programme(
            name="Cohort (synthetic)",
            status="active",
            cadence_days=14,
            starts_on=today - timedelta(days=45),
            topics=["AI"],
        )
    )
    tenant.session.flush()
    if not juniors or not executives:
        return pilot, cohort
    taking_part = [e for e in juniors if rng.random() < share]
    _pair_up(tenant, pilot, taking_part, executives[: max(1, len(taking_part) // 2)], "completed", start)
    current = [e for e in juniors if e.active and e not in taking_part][:8]
    leaders = [e for e in executives if e.active][:4] or executives[:1]
    _pair_up(tenant, cohort, current[:3], leaders, "approved", today - timedelta(days=45))
    _pair_up(tenant, cohort, current[3:], leaders, "approved", today - timedelta(days=5))
    return pilot, cohort
