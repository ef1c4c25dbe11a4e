"""Reading an organisation's employees (writes come from the HRIS sync)."""

from __future__ import annotations

from ..models import Employee
from ..models.stamps import PEOPLE
from . import stamped
from .tenant import Tenant


def get_employee(tenant: Tenant, employee_id: int) -> Employee:
    return tenant.get(Employee, employee_id)


def find_by_email(tenant: Tenant, email: str) -> Employee | None:
    """The active employee with this work email (case-insensitive), if exactly one exists."""
    rows = tenant.all(Employee, Employee.work_email == email.strip().lower(), Employee.active.is_(True))
    return rows[0] if len(rows) == 1 else None


def count_active(tenant: Tenant) -> int:
    """Active employees (counting 100,000 takes 0.1 s, so the count is kept until a sync changes someone)."""
    return stamped.view(
        tenant, (PEOPLE,), ("active-employees",), lambda: tenant.count(Employee, Employee.active.is_(True))
    )
