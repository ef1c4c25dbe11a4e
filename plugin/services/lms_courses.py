"""The LMS course a programme enrols into, picked from the connected LMS's own course list (Moodle
core_course_get_courses, Canvas's account or user course list), never typed: a posted id is checked
against the list again before it is kept."""

from __future__ import annotations

from flask_babel import gettext

from ..config import Settings
from ..connectors.lms import LmsCourse
from ..errors import NotFound, ValidationError
from ..models import Connection, Programme
from ..vault import Vault
from . import lms, programmes
from .tenant import Tenant


def lms_connections(tenant: Tenant) -> list[Connection]:
    """The organisation's LMS connections, oldest first."""
    return sorted(tenant.all(Connection, Connection.kind == "lms"), key=lambda c: c.id)


def course_list(tenant: Tenant, settings: Settings, vault: Vault, connection_id: int) -> list[LmsCourse]:
    """The courses the LMS lists for this connection, read now (an IntegrationError says why not)."""
    conn = tenant.get(Connection, connection_id)
    if conn.kind != "lms":
        raise NotFound(f"No LMS connection {connection_id}")
    return sorted(lms.open_connector(settings, vault, conn).courses(), key=lambda c: (c.name.lower(), c.id))


def verified_course(tenant: Tenant, settings: Settings, vault: Vault, connection_id: int, course_id: str) -> LmsCourse:
    """The course if the LMS lists it, else ValidationError (a forged or stale id is never kept)."""
    for course in course_list(tenant, settings, vault, connection_id):
        if course.id == str(course_id).strip():
            return course
    raise ValidationError(
        gettext("The LMS does not list course %(id)s: pick one from the list", id=course_id),
        errors={"lms_course_id": gettext("not in the LMS's course list")},
    )


def attach_course(
    tenant: Tenant,
    settings: Settings,
    vault: Vault,
    programme_id: int,
    connection_id: int,
    course_id: str,
    actor: str = "admin",
) -> Programme:
    """Point the programme at a course its LMS lists; approved pairs are enrolled there from now on."""
    tenant.get(Programme, programme_id)
    course = verified_course(tenant, settings, vault, connection_id, course_id)
    return programmes.update_programme(
        tenant, programme_id, {"lms_connection_id": connection_id, "lms_course_id": course.id}, actor
    )


def picked(form) -> tuple[int, str] | None:
    """The (connection id, course id) a form chose, None for 'no course', ValidationError when malformed."""
    raw_connection, course = (form.get("lms_connection_id") or "").strip(), (form.get("lms_course_id") or "").strip()
    if not course:
        return None
    if not raw_connection.isdigit() or len(raw_connection) > 9 or len(course) > 64:
        raise ValidationError(
            gettext("Choose an LMS and one of its courses"),
            errors={"lms_course_id": gettext("Choose an LMS and one of its courses")},
        )
    return int(raw_connection), course
