"""Assignment and Grade Services 2.0: one line item per programme (found by tag, created once) and scores."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import requests
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem

from ..errors import RetriableError
from .registrations import AGS_SCOPES
from .runtime import launch_store
from .service_connector import connector_for


def programme_tag(programme_id: int | str) -> str:
    return f"flipside-programme-{programme_id}"


def _service(registration_id: int, lineitems_url: str, http) -> AssignmentsGradesService:
    return AssignmentsGradesService(
        connector_for(registration_id, http), {"scope": list(AGS_SCOPES), "lineitems": lineitems_url}
    )


def ensure_line_item(
    registration_id: int,
    lineitems_url: str,
    *,
    programme_id: int | str,
    label: str,
    score_maximum: float = 1.0,
    resource_link_id: str | None = None,
    http: requests.Session | None = None,
) -> str:
    """The URL of the programme's line item in this course, created the first time only (a Redis lock keeps
    two jobs from creating it twice); later calls find it by its tag."""
    service = _service(registration_id, lineitems_url, http)
    tag = programme_tag(programme_id)
    found = service.find_lineitem_by_tag(tag)
    if found:
        return found.get_id()
    lock = f"lineitem:{registration_id}:{lineitems_url}:{tag}"
    store = launch_store()
    if not store.lock(lock):
        time.sleep(0.5)
        found = service.find_lineitem_by_tag(tag)
        if found:
            return found.get_id()
        raise RetriableError("Another job is creating this line item; retry shortly")
    try:
        item = LineItem().set_tag(tag).set_label(label).set_score_maximum(score_maximum)
        if resource_link_id:
            item.set_resource_link_id(resource_link_id)
        return service.find_or_create_lineitem(item).get_id()
    finally:
        store.unlock(lock)


def post_score(
    registration_id: int,
    lineitem_url: str,
    lms_user_id: str,
    *,
    score_given: float = 1.0,
    score_maximum: float = 1.0,
    comment: str | None = None,
    completed: bool = True,
    http: requests.Session | None = None,
) -> int:
    """Post a score (Completed / FullyGraded when completed) for one user; returns the platform's 2xx status.
    Moodle answers 200 with an empty body, others 201/202/204: any 2xx is success."""
    service = _service(registration_id, lineitem_url, http)
    grade = (
        Grade()
        .set_user_id(lms_user_id)
        .set_score_given(score_given)
        .set_score_maximum(score_maximum)
        .set_timestamp(datetime.now(UTC).isoformat())
        .set_activity_progress("Completed" if completed else "InProgress")
        .set_grading_progress("FullyGraded" if completed else "Pending")
    )
    if comment:
        grade.set_comment(comment)
    response = service.put_grade(grade, LineItem({"id": lineitem_url}))
    return int(response.get("status", 200))
