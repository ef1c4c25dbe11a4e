"""Stored organisations for the admin workspace tests: employees, an active programme, pairs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from plugin.models import Employee, Pair, Participant, Programme
from plugin.services.tenant import Tenant

START = date(2024, 9, 2)


def add_employee(tenant: Tenant, n: int, **overrides) -> Employee:
    """A stored employee in Sales, level 2, EMEA, hired 2022, born 1999; override anything."""
    values = dict(
        source_system="synthetic",
        source_id=f"S{n}",
        first_name=f"Sam{n}",
        last_name="Example",
        display_name=f"Sam{n} Example",
        work_email=f"sam{n}@example.test",
        job_level=2,
        department="Sales",
        region="EMEA",
        country="DE",
        hire_date=date(2022, 1, 10),
        birth_year=1999,
        active=True,
        custom_fields={},
    )
    values.update(overrides)
    values["active"] = values.get("termination_date") is None
    employee = tenant.add(Employee(**values))
    tenant.session.flush()
    return employee


def add_programme(tenant: Tenant, name: str = "Reverse mentoring 2024", **overrides) -> Programme:
    values = dict(name=name, status="active", starts_on=START, cadence_days=14, topics=["AI"])
    values.update(overrides)
    programme = tenant.add(Programme(**values))
    tenant.session.flush()
    return programme


def add_pair(
    tenant: Tenant,
    programme: Programme,
    mentor: Employee,
    mentee: Employee,
    *,
    status: str = "approved",
    approved: date | None = None,
    score: float = 0.8,
) -> Pair:
    """Both participants and their pair."""
    for employee, role in ((mentor, "mentor"), (mentee, "mentee")):
        if not tenant.all(
            Participant, Participant.programme_id == programme.id, Participant.employee_id == employee.id
        ):
            tenant.add(Participant(programme_id=programme.id, employee_id=employee.id, role=role))
    when = datetime.combine(approved or programme.starts_on, datetime.min.time(), UTC) + timedelta(hours=9)
    pair = tenant.add(
        Pair(
            programme_id=programme.id,
            mentor_employee_id=mentor.id,
            mentee_employee_id=mentee.id,
            score=score,
            status=status,
            approved_at=when if status != "proposed" else None,
            explanation=[{"criterion": "goals", "score": 0.9, "text": "Shared interest in AI"}],
        )
    )
    tenant.session.flush()
    return pair


def load_workforce(tenant: Tenant, size: int = 300, seed: int = 5) -> None:
    """A synthetic workforce stored as the organisation's employees."""
    from plugin.demo.workforce import generate_workforce
    from plugin.services import roster

    roster.upsert_employees(tenant, generate_workforce(size, seed))
    roster.relink_managers(tenant)
    tenant.session.flush()


def matching_programme(tenant: Tenant, name: str = "AI fluency") -> Programme:
    """A draft programme for juniors (level 2 or below) and executives (7 or above), everyone eligible enrolled."""
    from plugin.services import programmes

    programme = programmes.create_programme(
        tenant,
        {
            "name": name,
            "topics": ["AI"],
            "cadence_days": 14,
            "mentor_rules": {"all": [{"field": "job_level", "op": "<=", "value": 2}]},
            "mentee_rules": {"all": [{"field": "job_level", "op": ">=", "value": 7}]},
        },
    )
    programmes.enrol_eligible(tenant, programme.id)
    return programme
