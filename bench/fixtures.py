"""Data the benchmarks set up (the tests use the same factories)."""

from __future__ import annotations


def make_programme_with_pairs(
    tenant,
    *,
    pairs: int,
    connection_id: int | None,
    course: str | None,
    mentors_per_executive: int = 1,
    status: str = "approved",
    panel_of: int = 1,
):
    """A programme on an LMS course with `pairs` pairs of new employees; returns (programme, pair ids).

    With panel_of > 1, each executive gets that many mentors (one pair per mentor).
    """
    from plugin.models import Employee, Pair, Programme

    programme = tenant.add(
        Programme(
            name="Reverse mentoring 2027",
            lms_connection_id=connection_id,
            lms_course_id=course,
            mentors_per_executive=mentors_per_executive,
        )
    )
    tenant.session.flush()
    executives: list = []
    ids = []
    for i in range(pairs):
        if i % panel_of == 0:
            executives.append(_employee(tenant, Employee, f"x{programme.id}-{i}", "Exec", level=8))
        mentor = _employee(tenant, Employee, f"m{programme.id}-{i}", "Mentor", level=2)
        pair = tenant.add(
            Pair(
                programme_id=programme.id,
                mentee_employee_id=executives[-1].id,
                mentor_employee_id=mentor.id,
                status=status,
            )
        )
        tenant.session.flush()
        ids.append(pair.id)
    tenant.session.commit()
    return programme, ids


def _employee(tenant, model, source_id: str, first: str, level: int):
    row = tenant.add(
        model(
            source_system="bamboohr",
            source_id=source_id,
            first_name=first,
            last_name=source_id.upper(),
            work_email=f"{source_id}@example.test",
            job_level=level,
        )
    )
    tenant.session.flush()
    return row
