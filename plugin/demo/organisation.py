"""The demo organisation: a clean tenant to run every capability against, and its summary."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..models import Employee, Organisation
from ..services.organisations import create_organisation
from ..services.tenant import Tenant

DEMO_SLUG = "demo-corp"
DEMO_NAME = "Demo Corp (synthetic)"


def reset_demo_organisation(session: Session) -> Organisation:
    """Drop the previous demo tenant, if any, and create it afresh."""
    session.execute(delete(Organisation).where(Organisation.slug == DEMO_SLUG))
    session.flush()
    org = create_organisation(session, DEMO_SLUG, DEMO_NAME)
    session.commit()
    return org


@dataclass(frozen=True)
class WorkforceSummary:
    """Counts HR would want to see first about a workforce."""

    employees: int
    active: int
    terminated: int
    managers: int
    by_region: dict[str, int]
    by_country: dict[str, int]
    by_level: dict[int, int]
    executives: int
    juniors: int


def workforce_summary(tenant: Tenant, executive_level: int = 7, junior_level: int = 2) -> WorkforceSummary:
    """Summarise the stored employees of one organisation."""
    rows = tenant.session.execute(
        select(Employee.active, Employee.is_manager, Employee.region, Employee.country, Employee.job_level)
    ).all()
    active = [r for r in rows if r.active]
    return WorkforceSummary(
        employees=len(rows),
        active=len(active),
        terminated=len(rows) - len(active),
        managers=sum(1 for r in active if r.is_manager),
        by_region=dict(Counter(r.region or "?" for r in active).most_common()),
        by_country=dict(Counter(r.country or "?" for r in active).most_common()),
        by_level=dict(sorted(Counter(r.job_level or 0 for r in active).items())),
        executives=sum(1 for r in active if (r.job_level or 0) >= executive_level),
        juniors=sum(1 for r in active if (r.job_level or 99) <= junior_level),
    )
