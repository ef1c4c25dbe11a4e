"""Stored programmes for the match review tests: a small one matched for real, and a generated large one."""

from __future__ import annotations

from sqlalchemy import insert, select

from plugin.models import Employee, Pair, Participant, Profile, Programme
from plugin.services.tenant import Tenant

GOALS = ["generative_ai", "sustainability"]
MENTORS = ["Kavya Rao", "Kavya Shah", "Kavya Iyer", "Ravi Menon", "Lena Vogel", "Tomás Ruiz", "Ana Lima", "Jon Berg"]
EXECUTIVES = ["Petra Albers", "Hugo Brandt", "Clara Dietz", "Otto Engel", "Ines Faber", "Yuki Sato"]


def person(
    tenant: Tenant, n: int, name: str, *, level: int, function: str, expertise=(), goals=(), language: str = "en"
) -> Employee:
    first, last = name.split(" ", 1)
    row = tenant.add(
        Employee(
            source_system="synthetic",
            source_id=f"R{n}",
            first_name=first,
            last_name=last,
            work_email=f"r{n}@example.test",
            job_level=level,
            function=function,
            country="DE",
            region="EMEA",
            timezone="Europe/Berlin",
            preferred_language=language,
            languages=[language],
            expertise=list(expertise),
            learning_goals=list(goals),
            active=True,
            custom_fields={},
        )
    )
    tenant.session.flush()
    return row


def review_programme(tenant: Tenant) -> tuple[Programme, dict[str, Employee]]:
    """Six executives, one mentor each; Yuki Sato speaks only Japanese, which no mentor does. Ravi Menon
    covers both of Petra Albers's goals; the rest of the mentors cover none."""
    programme = tenant.add(
        Programme(
            name="Review 2027",
            status="draft",
            mentors_per_executive=1,
            distinct_countries=False,
            min_overlap_hours=1.0,
            topics=["AI"],
        )
    )
    tenant.session.flush()
    people = {}
    for n, name in enumerate(EXECUTIVES):
        people[name] = person(
            tenant,
            n,
            name,
            level=8,
            function="Finance",
            goals=GOALS if name == "Petra Albers" else ("gaming",),
            language="ja" if name == "Yuki Sato" else "en",
        )
    for n, name in enumerate(MENTORS):
        people[name] = person(
            tenant, 100 + n, name, level=2, function="Engineering", expertise=GOALS if name == "Ravi Menon" else ()
        )
    for name, row in people.items():
        tenant.add(
            Participant(
                programme_id=programme.id, employee_id=row.id, role="mentee" if name in EXECUTIVES else "mentor"
            )
        )
    tenant.session.flush()
    return programme, people


REASONS = [
    {"criterion": c, "score": 0.5, "share": round(1 / 7, 3), "points": 7.1, "text": f"{c} reason text"}
    for c in ("goals", "language", "hours", "culture", "communication", "cross_function", "aspirations")
]


def large_programme(tenant: Tenant, proposals: int, short: int = 0) -> Programme:
    """`proposals` executives each with a proposed pair and `short` more with none, with stored profiles
    (as after a matching run), inserted in bulk."""
    programme = tenant.add(
        Programme(
            name="Scale 2027",
            status="matching",
            mentors_per_executive=1,
            distinct_countries=False,
            min_overlap_hours=1.0,
        )
    )
    tenant.session.flush()
    org = tenant.organisation_id
    total = proposals + short
    rows = [
        dict(
            organisation_id=org,
            source_system="synthetic",
            source_id=f"L{n}",
            first_name=f"First{n}",
            last_name=f"Family{n}",
            display_name=f"First{n} Family{n}",
            work_email=f"l{n}@example.test",
            job_level=8 if n < total else 2,
            function="Finance" if n < total else "Engineering",
            country="DE",
            region="EMEA",
            timezone="Europe/Berlin",
            preferred_language="en",
            languages=["en"],
            expertise=[],
            learning_goals=[],
            custom_fields={},
            active=True,
        )
        for n in range(total + proposals)
    ]
    tenant.session.execute(insert(Employee), rows)
    found = tenant.session.execute(select(Employee.source_id, Employee.id).where(Employee.source_id.like("L%")))
    ids = dict(found.all())
    people = [ids[f"L{n}"] for n in range(total + proposals)]
    tenant.session.execute(
        insert(Profile),
        [
            dict(
                organisation_id=org,
                employee_id=e,
                languages={"en": 5},
                expertise=[],
                learning_goals=[],
                aspirations=[],
                timezone="Europe/Berlin",
                work_start_hour=9,
                work_end_hour=17,
                source="hris",
            )
            for e in people
        ],
    )
    tenant.session.execute(
        insert(Participant),
        [
            dict(
                organisation_id=org,
                programme_id=programme.id,
                employee_id=e,
                role="mentee" if n < total else "mentor",
                opted_in=True,
            )
            for n, e in enumerate(people)
        ],
    )
    tenant.session.execute(
        insert(Pair),
        [
            dict(
                organisation_id=org,
                programme_id=programme.id,
                mentee_employee_id=people[n],
                mentor_employee_id=people[total + n],
                score=0.5 + (n % 50) / 100,
                explanation=REASONS,
                status="proposed",
                locked=False,
                extensions=0,
                end_reason="",
            )
            for n in range(proposals)
        ],
    )
    tenant.session.flush()
    return programme
