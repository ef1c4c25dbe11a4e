"""Erasure jobs: a leaver's personal data is scheduled for erasure, and erased once the grace period is over."""

from __future__ import annotations

from ..db import db, transaction
from ..services import events, privacy
from ..services.tenant import Tenant
from .task import task


@task
def schedule_erasure(organisation_id: int, employee_id: int) -> str:
    """A leaver's personal data falls due for erasure after the organisation's grace period."""
    tenant = Tenant(db.session, organisation_id)
    with transaction(db.session):
        return privacy.on_employee_terminated(tenant, employee_id).due_on.isoformat()


def subscribe() -> None:
    """A termination queues the erasure schedule (one waiting per leaver)."""
    events.subscribe(
        events.EMPLOYEE_TERMINATED,
        "plugin.jobs.erasure:schedule_erasure",
        key="erasure-schedule-{organisation_id}-{employee_id}",
        ids=("employee_id",),
    )


@task
def erase_leavers(organisation_id: int) -> int:
    """Erase leavers whose grace period is over, and notes past their retention period."""
    tenant = Tenant(db.session, organisation_id)
    with transaction(db.session):
        erased = privacy.erase_due(tenant)
        privacy.purge_old_notes(tenant)
    return erased
