"""Factories for records the tests need, named make_*."""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path

from bench.fixtures import make_programme_with_pairs  # noqa: F401  (shared with the enrol benchmark)
from plugin.domain.employee import EmployeeRecord, EmploymentStatus

FIXTURES = Path(__file__).parent / "fixtures"


def make_record(
    source_id: str,
    *,
    manager: str | None = None,
    email: str | None = None,
    status: EmploymentStatus = EmploymentStatus.ACTIVE,
    **fields,
) -> EmployeeRecord:
    """An EmployeeRecord with sensible defaults; override any field."""
    values = dict(
        source_system="bamboohr",
        source_id=source_id,
        first_name=f"First{source_id}",
        last_name=f"Last{source_id}",
        work_email=email or f"person{source_id}@example.test",
        manager_source_id=manager,
        employment_status=status,
        hire_date=date(2024, 1, 15),
        country="DE",
        region="Europe",
        timezone="Europe/Berlin",
        job_level=2,
    )
    values.update(fields)
    return EmployeeRecord(**values)


def recorded(vendor: str, name: str) -> dict:
    """A recorded vendor response as `responses.add(...)` keyword arguments (status, headers, body)."""
    data = json.loads((FIXTURES / "http" / vendor / f"{name}.json").read_text())
    body = data.get("body", "")
    return {
        "status": data.get("status", 200),
        "headers": data.get("headers", {}),
        "body": body if isinstance(body, str) else json.dumps(body),
        "content_type": data.get("content_type", "application/json"),
    }


def make_employee(source_system: str = "bamboohr", n: int = 1, **overrides) -> EmployeeRecord:
    """One plausible employee; `n` makes ids, names and emails distinct."""
    prefix = "w" if source_system == "workday" else ""
    values = dict(
        source_system=source_system,
        source_id=f"{prefix}{n}",
        employee_number=f"E{n:05d}",
        first_name=f"Ada{n}",
        last_name="Lovelace",
        work_email=f"ada{n}@example.com",
        job_title="Engineer",
        job_level=3,
        department="Engineering",
        division="Product",
        location="London",
        country="GB",
        hire_date=date(2019, 4, 1),
        languages=("English", "French"),
        expertise=("python",),
        function="Engineering",
        preferred_language="en",
    )
    values.update(overrides)
    return EmployeeRecord(**values)


def make_workforce(count: int, source_system: str = "bamboohr", *, seed: int = 3) -> list[EmployeeRecord]:
    """A small company: managers every tenth person, some terminated, on leave, pending and inactive."""
    rng = random.Random(seed)
    prefix = "w" if source_system == "workday" else ""
    statuses = [EmploymentStatus.ACTIVE] * 16 + [
        EmploymentStatus.TERMINATED,
        EmploymentStatus.ON_LEAVE,
        EmploymentStatus.PENDING,
        EmploymentStatus.OTHER,
    ]
    people = []
    for n in range(1, count + 1):
        status = rng.choice(statuses)
        people.append(
            make_employee(
                source_system,
                n,
                job_level=rng.randint(1, 9),
                department=rng.choice(["Eng", "Sales", "HR"]),
                manager_source_id=f"{prefix}{1 + (n - 1) // 10 * 10}" if n % 10 != 1 else None,
                is_manager=n % 10 == 1,
                employment_status=status,
                termination_date=date(2025, 3, 31) if status == EmploymentStatus.TERMINATED else None,
                hire_date=date(2099, 1, 1) if status == EmploymentStatus.PENDING else date(2018, 1, 1 + n % 28),
                languages=tuple(rng.sample(["English", "French", "Hindi", "Swahili"], 2)),
            )
        )
    return people


def same_person(record: EmployeeRecord, expected: EmployeeRecord, fields) -> dict:
    """The fields (among `fields`) where a read record differs from the emulator's; empty when equal."""
    return {f: (getattr(record, f), getattr(expected, f)) for f in fields if getattr(record, f) != getattr(expected, f)}


QUICK_RETRY = {"attempts": 3, "base": 0.01, "cap": 0.05}


def make_bamboohr_connection(tenant, vault, emulator, *, api_key: str = "key", **settings):
    """A committed BambooHR connection (API key) pointed at a loopback emulator."""
    from plugin.services.connections import create_connection

    values = {
        "company": emulator.company,
        "origin": emulator.base_url,
        "retry": QUICK_RETRY,
        "fields": {"is_manager": "customIsManager"},
        **settings,
    }
    conn = create_connection(tenant, vault, "bamboohr", settings=values, credentials={"api_key": api_key})
    tenant.session.commit()
    return conn


def make_workday_connection(tenant, vault, emulator, **settings):
    """A committed Workday connection (ISU refresh token) pointed at a loopback emulator."""
    from plugin.services.connections import create_connection

    values = {
        "host": "wd",
        "tenant": emulator.tenant,
        "report": emulator.report,
        "origin": emulator.base_url,
        "retry": QUICK_RETRY,
        **settings,
    }
    creds = {"client_id": "client", "client_secret": "secret", "refresh_token": emulator.refresh_token}
    conn = create_connection(tenant, vault, "workday", settings=values, credentials=creds)
    tenant.session.commit()
    return conn


REASONS = [
    {"criterion": "language", "score": 1.0, "share": 0.5, "text": "Both speak English"},
    {"criterion": "topics", "score": 0.8, "share": 0.5, "text": "Knows ai, which the executive wants to learn"},
]


def make_person(
    tenant,
    n: int,
    *,
    country: str = "DE",
    region: str = "Europe",
    function: str = "Engineering",
    timezone: str = "Europe/Berlin",
    connection_id: int | None = None,
    **fields,
):
    """A stored Employee of the tenant's organisation."""
    from plugin.models import Employee

    values = dict(
        source_system="bamboohr",
        source_id=str(n),
        first_name=f"Ada{n}",
        last_name="Lovelace",
        work_email=f"ada{n}@example.com",
        country=country,
        region=region,
        function=function,
        timezone=timezone,
        job_level=3,
        connection_id=connection_id,
    )
    values.update(fields)
    row = tenant.add(Employee(**values))
    tenant.session.flush()
    return row


def make_active_pair(
    tenant, *, mentor=None, mentee=None, programme=None, started_days_ago: int = 0, agreed: bool = False, **settings
):
    """An active programme and pair between two stored employees (made when not given); `agreed`: both partners
    accepted the confidentiality agreement, so sessions may be logged."""
    from datetime import UTC, datetime, timedelta

    from plugin.models import Pair, Programme

    mentor = mentor or make_person(tenant, 1000 + tenant.count(Pair) * 2, job_level=2)
    mentee = mentee or make_person(tenant, 1001 + tenant.count(Pair) * 2, job_level=8)
    started = datetime.now(UTC) - timedelta(days=started_days_ago)
    if programme is None:
        values = dict(
            name="Flip 2026",
            cadence_days=14,
            session_minutes=45,
            duration_weeks=26,
            max_extensions=1,
            extension_weeks=12,
            status="active",
            starts_on=started.date(),
            objectives="Learn together",
        )
        values.update(settings)
        programme = tenant.add(Programme(**values))
        tenant.session.flush()
    pair = tenant.add(
        Pair(
            programme_id=programme.id,
            mentor_employee_id=mentor.id,
            mentee_employee_id=mentee.id,
            status="active",
            score=0.8,
            approved_at=started,
            explanation=REASONS,
        )
    )
    tenant.session.flush()
    if agreed:
        agree(tenant, pair)
    return pair


def agree(tenant, pair):
    """Both partners accept the agreement in force, as they would on the pair page."""
    from plugin.models import Programme
    from plugin.services import agreements

    version = tenant.get(Programme, pair.programme_id).agreement_version
    for person in (pair.mentor_employee_id, pair.mentee_employee_id):
        agreements.accept(tenant, pair.id, person, version)
