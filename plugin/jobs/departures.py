"""What happens when the HRIS reports that someone left: pairs end, panels are re-filled, the LMS follows."""

from __future__ import annotations

from flask import current_app

from ..db import db, transaction
from ..models import Pair
from ..services import enrolment, events, match_review
from ..services.tenant import Tenant
from .task import task


@task
def handle_departure(organisation_id: int, employee_id: int) -> dict:
    """End the leaver's pairs, re-fill their executives' panels, then queue unenrolment and enrolment."""
    tenant = Tenant(db.session, organisation_id)
    with transaction(db.session):
        ended, added = match_review.on_departure(tenant, employee_id)
    settings = current_app.config["FLIPSIDE"]
    approved = [p for p in added if tenant.get(Pair, p).status == "approved"]
    with transaction(db.session):
        enrolment.enqueue_unenrolments(tenant, settings, ended)
        enrolment.enqueue_enrolments(tenant, settings, approved)
    return {"ended": ended, "added": added}


def subscribe() -> None:
    """A termination queues the departure job (one waiting per leaver: a repeated event queues it once)."""
    events.subscribe(
        events.EMPLOYEE_TERMINATED,
        "plugin.jobs.departures:handle_departure",
        key="departure-{organisation_id}-{employee_id}",
        ids=("employee_id",),
    )
