"""The course roster job: import an LMS course's membership (NRPS) and link its members to employees.

Asked for through the outbox (`plugin.jobs.roster:import_course_roster`) by an instructor's or admin's
launch and by the participants page's button, and queued daily for every known course roster.
"""

from __future__ import annotations

from ..config import Settings
from ..db import db, transaction
from ..models import CourseRoster
from ..services import audit, course_rosters
from ..services.tenant import Tenant
from .queue import enqueue
from .task import task


def enqueue_imports(settings: Settings, organisation_id: int, day: str) -> list:
    """Queue the import of every course roster of the organisation (ids carry the ISO day: once a day)."""
    ids = db.session.scalars(Tenant(db.session, organisation_id).select(CourseRoster.id)).all()
    return [
        enqueue(
            settings,
            import_course_roster,
            organisation_id,
            roster_id,
            job_id=f"roster-{roster_id}-{day}",
            organisation_id=organisation_id,
        )
        for roster_id in ids
    ]


@task
def import_course_roster(organisation_id: int, roster_id: int) -> dict:
    """Import one course roster; the outcome (or why it failed) is stored on the roster row."""
    tenant = Tenant(db.session, organisation_id)
    result = course_rosters.run_import(tenant, roster_id)
    with transaction(db.session):
        audit.record(
            tenant,
            "worker",
            "roster.imported",
            "course_roster",
            roster_id,
            members=result.members,
            linked=result.linked,
            unlinked=len(result.unlinked),
        )
    return {"members": result.members, "linked": result.linked, "unlinked": len(result.unlinked)}
