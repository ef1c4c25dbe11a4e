"""Factories for records the tests need, named make_*."""
from __future__ import annotations

from datetime import date

from plugin.domain.employee import EmployeeRecord, EmploymentStatus


def make_record(source_id: str, *, manager: str | None = None, email: str | None = None,
                status: EmploymentStatus = EmploymentStatus.ACTIVE, **fields) -> EmployeeRecord:
    """An EmployeeRecord with sensible defaults; override any field."""
    values = dict(source_system="bamboohr", source_id=source_id, first_name=f"First{source_id}",
                  last_name=f"Last{source_id}", work_email=email or f"person{source_id}@example.test",
                  manager_source_id=manager, employment_status=status, hire_date=date(2024, 1, 15),
                  country="DE", region="Europe", timezone="Europe/Berlin", job_level=2)
    values.update(fields)
    return EmployeeRecord(**values)
