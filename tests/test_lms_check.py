"""The LMS checks' vendor calls against recorded answers (`responses`): courses listed without the front page,
the manual-enrolment probe read from Moodle's own error codes, Canvas scopes from 401 versus 404."""

from __future__ import annotations

import json

import pytest
import responses

from plugin.connectors import canvas
from plugin.connectors.http import RetryPolicy
from plugin.errors import FatalError
from tests.test_moodle_connector import client, replay, sent


@responses.activate
def test_moodle_courses_leave_out_the_front_page():
    replay("ws__core_course_get_courses__all")
    courses = client().courses()
    assert [(c.id, c.code) for c in courses] == [("2", "PROBE101"), ("3", "PROBE201")]
    assert courses[0].name == "Probe Course"


@responses.activate
@pytest.mark.parametrize(
    "recording, state",
    [
        ("ws__enrol_manual_enrol_users__invalid_user", "ok"),  # reached the user check: instance and role fine
        ("ws__enrol_manual_enrol_users__wsnoinstance", "no_instance"),
        ("ws__enrol_manual_enrol_users__invalid_role", "cannot_assign"),
    ],
)
def test_manual_enrolment_probe_reads_moodles_order_of_checks(recording, state):
    replay(recording)
    assert client(role_ids={"student": 5}).manual_enrolment("2") == state
    assert sent()["enrolments[0][userid]"] == "0" and sent()["enrolments[0][roleid]"] == "5"


@responses.activate
def test_manual_enrolment_probe_passes_other_refusals_on():
    replay("ws__core_course_delete_courses__not_in_service")  # enrol_manual_enrol_users not in the service
    with pytest.raises(FatalError, match="accessexception"):
        client(role_ids={"student": 5}).manual_enrolment("2")


CANVAS = "https://school.instructure.test"


def _canvas() -> canvas.CanvasConnector:
    return canvas.CanvasConnector(CANVAS, policy=RetryPolicy(attempts=1))


@responses.activate
def test_canvas_scope_is_granted_on_404_and_missing_on_401_without_www_authenticate():
    responses.add(
        responses.POST,
        CANVAS + "/api/v1/courses/0/enrollments",
        status=404,
        json={"errors": [{"message": "The specified resource does not exist."}]},
    )
    responses.add(
        responses.POST,
        CANVAS + "/api/v1/groups/0/memberships",
        status=401,
        json={"errors": [{"message": "Insufficient scopes on access token."}]},
    )
    connector = _canvas()
    assert connector.allows("POST", "/api/v1/courses/0/enrollments") is True
    assert connector.allows("POST", "/api/v1/groups/0/memberships") is False


@responses.activate
def test_canvas_courses_follow_link_paging():
    page2 = CANVAS + "/api/v1/accounts/1/courses?page=bookmark:Mg&per_page=100"
    responses.add(
        responses.GET,
        CANVAS + "/api/v1/accounts/1/courses",
        json=[{"id": 7, "name": "Reverse mentoring", "course_code": "RM27", "workflow_state": "available"}],
        headers={"Link": f'<{page2}>; rel="next"'},
    )
    responses.add(
        responses.GET,
        page2,
        body=json.dumps(
            [
                {"id": 8, "name": "Old", "course_code": "OLD", "workflow_state": "deleted"},
                {"id": 9, "name": "Leaders", "course_code": "LEAD", "workflow_state": "unpublished"},
            ]
        ),
        content_type="application/json",
    )
    connector = canvas.CanvasConnector(CANVAS, account_id="1", policy=RetryPolicy(attempts=1))
    assert [(c.id, c.code) for c in connector.courses()] == [("7", "RM27"), ("9", "LEAD")]
