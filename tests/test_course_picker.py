"""The programme's LMS course is picked from the connected LMS's own list, in the wizard and afterwards; a
forged or stale course id is refused and nothing is kept."""

from __future__ import annotations

import pytest

from plugin.emulators.canvas import CanvasEmulator
from plugin.models import Programme
from plugin.services import connections
from plugin.services.connections import create_connection
from tests.lms_fixtures import moodle_connection, moodle_emulator  # noqa: F401 (fixture)
from tests.test_connection_pages import CSRF, admin, post  # noqa: F401 (fixture)

STEPS = [
    ("basics", {"name": "AI fluency 2027", "topics": "AI"}),
    ("people", {"mentor_max_level": "2", "mentee_min_level": "7", "mentors_per_executive": "1"}),
    ("rhythm", {"cadence_days": "21", "session_minutes": "45", "duration_weeks": "26"}),
]


def _through_rhythm(client):
    for step, data in STEPS:
        assert post(client, f"/admin/programmes/new?step={step}", **data).status_code == 303


def test_the_wizard_lists_moodles_courses_and_keeps_the_one_picked(admin, vault, moodle_emulator):  # noqa: F811
    client, tenant = admin
    conn = moodle_connection(tenant, vault, moodle_emulator.url)
    _through_rhythm(client)
    review = client.get("/admin/programmes/new?step=review").data.decode()
    assert f'<option value="{moodle_emulator.course}">Reverse mentoring (RM27)</option>' in review
    assert "Onboarding (ONBOARD)" in review and ">Moodle Probe" not in review  # never the front page
    made = post(
        client,
        "/admin/programmes/new?step=review",
        lms_connection_id=str(conn.id),
        lms_course_id=moodle_emulator.course,
    )
    assert made.status_code == 303
    programme = tenant.all(Programme)[0]
    assert (programme.lms_connection_id, programme.lms_course_id) == (conn.id, moodle_emulator.course)


@pytest.mark.parametrize("course, connection", [("999", None), ("1", None), ("2", "x"), ("2", "2147483648")])
def test_a_course_the_lms_does_not_list_is_refused(admin, vault, moodle_emulator, course, connection):  # noqa: F811
    client, tenant = admin
    conn = moodle_connection(tenant, vault, moodle_emulator.url)
    _through_rhythm(client)
    answer = post(
        client, "/admin/programmes/new?step=review", lms_connection_id=connection or str(conn.id), lms_course_id=course
    )
    assert answer.status_code in (400, 404)
    tenant.session.expire_all()
    assert tenant.all(Programme) == []


def test_a_programme_changes_its_course_from_canvas_list(admin, vault):  # noqa: F811
    client, tenant = admin
    canvas = CanvasEmulator()
    canvas.start()
    try:
        course = str(canvas.add_course("Leaders learning", "LEAD"))
        conn = create_connection(
            tenant,
            vault,
            "canvas",
            settings={"base_url": canvas.url, "account_id": "1"},
            tokens={"access_token": canvas.issue_token()["access_token"]},
        )
        programme = tenant.add(Programme(name="Cohort"))
        tenant.session.commit()
        page = client.get(f"/admin/programmes/{programme.id}/course").data.decode()
        assert f'<option value="{course}">Leaders learning (LEAD)</option>' in page
        assert (
            post(
                client, f"/admin/programmes/{programme.id}/course", lms_connection_id=str(conn.id), lms_course_id="77"
            ).status_code
            == 400
        )
        assert (
            post(
                client, f"/admin/programmes/{programme.id}/course", lms_connection_id=str(conn.id), lms_course_id=course
            ).status_code
            == 303
        )
        tenant.session.expire_all()
        assert tenant.get(Programme, programme.id).lms_course_id == course
        assert canvas.calls["list_account_courses"] == 4  # the page, the refusal (check and page), the save
    finally:
        canvas.stop()


def test_an_lms_that_cannot_list_courses_says_so_and_the_programme_can_wait(admin, vault, moodle_emulator):  # noqa: F811
    client, tenant = admin
    conn = moodle_connection(tenant, vault, moodle_emulator.url)
    connections.store_tokens(conn, vault, {"token": "revoked"})
    tenant.session.commit()
    _through_rhythm(client)
    review = client.get("/admin/programmes/new?step=review").data.decode()
    assert "Could not read the course list:" in review and "Moodle refused the token" in review
    assert post(client, "/admin/programmes/new?step=review").status_code == 303  # no course for now
    assert tenant.all(Programme)[0].lms_course_id is None
