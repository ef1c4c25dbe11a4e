"""Preparation read back from the LMS: the course's tracked activities and which of them a learner completed,
from Moodle (core_course_get_contents, core_completion_get_activities_completion_status) and Canvas (modules
with completion requirements, `?student_id=` state), each against its loopback emulator."""

from __future__ import annotations

import requests

from plugin.connectors.moodle import MoodleConnector
from plugin.emulators.moodle_site import MoodleSite
from tests.lms_fixtures import TOKEN, moodle_emulator  # noqa: F401 (fixture)


def test_moodle_lists_tracked_activities_and_reads_each_learners_completion(moodle_emulator):  # noqa: F811
    site: MoodleSite = moodle_emulator.site
    course = int(moodle_emulator.course)
    site.services["probe_service"]["functions"] += [
        "core_course_get_contents",
        "core_completion_get_activities_completion_status",
    ]
    briefing = site.add_module(course, "Confidentiality briefing")
    site.add_module(course, "Welcome banner", modname="label", completion=0)  # nothing to read back
    reading = site.add_module(course, "Reverse mentoring primer", completion=2)
    site.enrol(course, 3, 9, False)
    site.complete_module(briefing, 3)
    lms = MoodleConnector(moodle_emulator.url, TOKEN)
    listed = lms.activities(str(course))
    assert [(a.id, a.name) for a in listed] == [
        (str(briefing), "Confidentiality briefing"),
        (str(reading), "Reverse mentoring primer"),
    ]
    assert listed[0].url.endswith(f"/mod/page/view.php?id={briefing}")
    assert lms.activities_done(str(course), "3") == {str(briefing)}
    assert lms.activities_done(str(course), "2") == set()  # the admin is not enrolled: nothing done, no error


def test_canvas_reads_module_state_for_a_student(make_org, vault):
    from plugin.connectors.canvas import CanvasConnector
    from plugin.emulators.canvas import CanvasEmulator

    emulator = CanvasEmulator()
    emulator.start()
    try:
        token = emulator.issue_token()["access_token"]
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        course = emulator.add_course("Reverse mentoring", "RM27")
        briefing = emulator.add_module(course, "Confidentiality briefing")
        emulator.add_module(course, "Course overview", requirement=None)
        emulator.enrolments[1] = {"id": 1, "course_id": course, "user_id": 7, "type": "StudentEnrollment"}
        emulator.complete_module(briefing, 7)
        lms = CanvasConnector(emulator.url, session=session)
        tracked = lms.activities(str(course))
        assert [(a.id, a.name) for a in tracked] == [(str(briefing), "Confidentiality briefing")]
        # Canvas calls a module without requirements "completed" once unlocked; only tracked ones are asked about
        assert lms.activities_done(str(course), "7") & {a.id for a in tracked} == {str(briefing)}
        assert lms.activities_done(str(course), "8") == set()  # not in the course: 404, read as nothing done
    finally:
        emulator.stop()
