"""Course rosters (LMS course memberships read through NRPS): which a programme has, and asking for an import.

The import itself is the job `plugin.jobs.roster:import_course_roster`, asked for through the outbox.
"""

from __future__ import annotations

from collections.abc import Callable

from ..errors import FlipsideError
from ..models import CourseRoster, Programme
from . import outbox
from .tenant import Tenant

JOB = "plugin.jobs.roster:import_course_roster"


def _not_installed(tenant: Tenant, roster_id: int):
    raise FlipsideError("No roster importer is installed (create_app installs plugin.lti.nrps)")


# how a roster is read: services name it, lti provides it (plugin.lti.nrps.install, called by create_app)
IMPORTER: dict[str, Callable] = {"run": _not_installed}


def run_import(tenant: Tenant, roster_id: int):
    """Import one stored course roster through the installed importer; returns what it found."""
    return IMPORTER["run"](tenant, roster_id)


def for_programme(tenant: Tenant, programme: Programme) -> list[CourseRoster]:
    """The rosters of the programme's LMS course; every known roster when the programme names no course."""
    criteria = [CourseRoster.context_id == programme.lms_course_id] if programme.lms_course_id else []
    return list(tenant.session.scalars(tenant.select(CourseRoster, *criteria).order_by(CourseRoster.id)))


def ask_import(tenant: Tenant, roster: CourseRoster) -> None:
    """Ask for an import of the roster later (committed with the caller's transaction); imports are idempotent."""
    tenant.session.flush()
    outbox.later(
        tenant.session,
        JOB,
        key=f"roster-{tenant.organisation_id}-{roster.id}",
        organisation_id=tenant.organisation_id,
        roster_id=roster.id,
    )
