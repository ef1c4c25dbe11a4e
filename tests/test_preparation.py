"""Preparation: HR names the course's activities each role completes before the first session, picked from the
list the LMS returns; completion is read back per participant from the Moodle and Canvas emulators; the partner
sees their own steps, HR only counts per role."""

from __future__ import annotations

import re

import pytest
import requests

from plugin.connectors.moodle import MoodleConnector
from plugin.errors import ValidationError
from plugin.models import AuditEvent, PreparationActivity, Programme
from plugin.services import preparation
from plugin.services.receipts import Receipts
from tests.factories import make_active_pair
from tests.lms_fixtures import STUDENT_ROLE, TOKEN, moodle_connection, moodle_emulator  # noqa: F401 (fixture)


def moodle_world(make_org, vault, emulator):
    site, course = emulator.site, int(emulator.course)
    site.services["probe_service"]["functions"] += [
        "core_course_get_contents",
        "core_completion_get_activities_completion_status",
    ]
    tenant = make_org()
    conn = moodle_connection(tenant, vault, emulator.url)
    pair = make_active_pair(tenant)
    programme = tenant.get(Programme, pair.programme_id)
    programme.lms_connection_id, programme.lms_course_id = conn.id, str(course)
    tenant.session.flush()
    receipts = Receipts.for_connection(tenant, conn.id, pair.id)
    for employee_id, lms_user in ((pair.mentor_employee_id, 3), (pair.mentee_employee_id, 2)):
        receipts.once("user", f"user:{employee_id}", lambda u=lms_user: str(u))
        site.enrol(course, lms_user, STUDENT_ROLE, False)
    modules = {
        name: site.add_module(course, name)
        for name in ("Confidentiality briefing", "Reverse mentoring primer", "Listening for executives")
    }
    return tenant, pair, MoodleConnector(emulator.url, TOKEN), modules, site


def test_moodle_completion_is_read_back_per_partner_and_counted_per_role(make_org, vault, moodle_emulator):  # noqa: F811
    tenant, pair, lms, m, site = moodle_world(make_org, vault, moodle_emulator)
    mentor_steps = [str(m["Confidentiality briefing"]), str(m["Reverse mentoring primer"])]
    mentee_steps = [str(m["Confidentiality briefing"]), str(m["Listening for executives"])]
    preparation.choose(tenant, lms, pair.programme_id, {"mentor": mentor_steps, "mentee": mentee_steps}, "hr:x")
    site.complete_module(m["Confidentiality briefing"], 3)
    site.complete_module(m["Reverse mentoring primer"], 3)
    site.complete_module(m["Confidentiality briefing"], 2)
    site.complete_module(m["Reverse mentoring primer"], 2)  # not one of the mentee's: it does not count
    assert preparation.mine(tenant, pair.id, pair.mentor_employee_id)[1] is None  # not read yet
    preparation.read_back(tenant, lms, pair.id)
    steps, read_at = preparation.mine(tenant, pair.id, pair.mentor_employee_id)
    assert [(s.name, s.done) for s in steps] == [("Confidentiality briefing", True), ("Reverse mentoring primer", True)]
    assert read_at is not None and steps[0].url.endswith(f"view.php?id={m['Confidentiality briefing']}")
    mentee = preparation.mine(tenant, pair.id, pair.mentee_employee_id)[0]
    assert [(s.name, s.done) for s in mentee] == [
        ("Confidentiality briefing", True),
        ("Listening for executives", False),
    ]
    counts = {c.role: (c.activities, c.people, c.ready) for c in preparation.counts(tenant, pair.programme_id)}
    assert counts == {"mentor": (2, 1, 1), "mentee": (2, 1, 0)}
    site.complete_module(m["Listening for executives"], 2)
    preparation.read_back(tenant, lms, pair.id)  # the last reading replaces the one before
    assert {c.role: c.ready for c in preparation.counts(tenant, pair.programme_id)} == {"mentor": 1, "mentee": 1}


def test_only_activities_of_the_course_can_be_picked(make_org, vault, moodle_emulator):  # noqa: F811
    tenant, pair, lms, m, _ = moodle_world(make_org, vault, moodle_emulator)
    for picked in (
        {"mentor": ["999999"]},
        {"mentee": ["<script>"]},
        {"mentor": [str(m["Confidentiality briefing"])] * 1 + ["1; DROP TABLE"]},
    ):
        with pytest.raises(ValidationError):
            preparation.choose(tenant, lms, pair.programme_id, picked, "hr:x")
    assert tenant.count(PreparationActivity) == 0
    twice = [str(m["Confidentiality briefing"])] * 2
    preparation.choose(tenant, lms, pair.programme_id, {"mentor": twice}, "hr:x")
    assert tenant.count(PreparationActivity) == 1
    assert tenant.count(AuditEvent, AuditEvent.action == "preparation.chosen") == 1


def test_canvas_module_progress_is_read_back(make_org, vault):
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
        primer = emulator.add_module(course, "Primer")
        emulator.enrolments[1] = {"id": 1, "course_id": course, "user_id": 7, "type": "StudentEnrollment"}
        emulator.enrolments[2] = {"id": 2, "course_id": course, "user_id": 8, "type": "StudentEnrollment"}
        emulator.complete_module(briefing, 7)
        lms = CanvasConnector(emulator.url, session=session)
        tenant = make_org()
        pair = make_active_pair(tenant)
        conn = moodle_connection(tenant, vault, emulator.url)  # any stored connection: the connector is given
        programme = tenant.get(Programme, pair.programme_id)
        programme.lms_connection_id, programme.lms_course_id = conn.id, str(course)
        receipts = Receipts.for_connection(tenant, conn.id, pair.id)
        receipts.once("user", f"user:{pair.mentor_employee_id}", lambda: "7")
        receipts.once("user", f"user:{pair.mentee_employee_id}", lambda: "8")
        both = [str(briefing), str(primer)]
        preparation.choose(tenant, lms, pair.programme_id, {"mentor": both, "mentee": both}, "hr:x")
        preparation.read_back(tenant, lms, pair.id)
        mentor = preparation.mine(tenant, pair.id, pair.mentor_employee_id)[0]
        mentee = preparation.mine(tenant, pair.id, pair.mentee_employee_id)[0]
        assert [s.done for s in mentor] == [True, False] and [s.done for s in mentee] == [False, False]
    finally:
        emulator.stop()


@pytest.fixture
def _clean_queue(app, settings):
    from rq.registry import ScheduledJobRegistry

    from plugin.jobs.queue import get_queue

    yield
    get_queue(settings).empty()
    registry = ScheduledJobRegistry(queue=get_queue(settings))
    for job_id in registry.get_job_ids():
        registry.remove(job_id)


def test_the_job_reads_completion_through_the_queue_after_enrolment(
    settings,
    make_org,
    vault,
    moodle_emulator,
    _clean_queue,  # noqa: F811
):
    from plugin.models import Pair, PreparationReading
    from plugin.services.enrolment import enqueue_enrolments
    from tests.factories import make_programme_with_pairs
    from tests.lms_fixtures import work

    site = moodle_emulator.site
    site.services["probe_service"]["functions"] += [
        "core_course_get_contents",
        "core_completion_get_activities_completion_status",
    ]
    tenant = make_org()
    conn = moodle_connection(tenant, vault, moodle_emulator.url)
    programme_id, ids = make_programme_with_pairs(tenant, pairs=2, connection_id=conn.id, course=moodle_emulator.course)
    programme_id = getattr(programme_id, "id", programme_id)
    enqueue_enrolments(tenant, settings, ids)
    work(settings)
    course = int(moodle_emulator.course)
    briefing = site.add_module(course, "Confidentiality briefing")
    lms = MoodleConnector(moodle_emulator.url, TOKEN)
    preparation.choose(tenant, lms, programme_id, {"mentor": [str(briefing)], "mentee": [str(briefing)]}, "hr:x")
    tenant.session.commit()
    first = tenant.get(Pair, ids[0])
    mentor_user = Receipts.for_connection(tenant, conn.id, first.id).done(f"user:{first.mentor_employee_id}")
    site.complete_module(briefing, int(mentor_user))
    assert len(preparation.enqueue_readings(tenant, settings, programme_id)) == 2
    work(settings)
    tenant.session.expire_all()
    readings = {(r.pair_id, r.role): r.done for r in tenant.all(PreparationReading)}
    assert readings[(first.id, "mentor")] == [str(briefing)] and readings[(first.id, "mentee")] == []
    assert len(readings) == 4
    counts = {c.role: (c.people, c.ready) for c in preparation.counts(tenant, programme_id)}
    assert counts == {"mentor": (2, 1), "mentee": (2, 0)}


def test_each_partner_sees_their_own_preparation_in_ja_and_pt_br(client, make_org, vault, moodle_emulator):  # noqa: F811
    from tests.test_page_language import launch

    tenant, pair, lms, m, site = moodle_world(make_org, vault, moodle_emulator)
    briefing, primer = str(m["Confidentiality briefing"]), str(m["Reverse mentoring primer"])
    preparation.choose(tenant, lms, pair.programme_id, {"mentor": [briefing, primer], "mentee": [briefing]}, "hr:x")
    tenant.session.commit()
    launch(client, tenant, pair.mentee_employee_id, "ja")
    before = client.get(f"/me/pairs/{pair.id}").get_data(as_text=True)
    assert "初回セッションまでの準備" in before and "まだLMSから読み込まれていません。" in before
    site.complete_module(m["Confidentiality briefing"], 2)
    preparation.read_back(tenant, lms, pair.id)
    tenant.session.commit()
    ja = client.get(f"/me/pairs/{pair.id}").get_data(as_text=True).split('id="preparation"')[1].split("</div>")[0]
    assert "Confidentiality briefing" in ja and "完了" in ja and "未完了" not in ja and "Primer" not in ja
    assert f'/mod/page/view.php?id={briefing}"' in ja and "時点のLMSの記録です" in ja
    launch(client, tenant, pair.mentor_employee_id, "pt-BR")
    pt = client.get(f"/me/pairs/{pair.id}").get_data(as_text=True).split('id="preparation"')[1].split("</div>")[0]
    assert "Preparação antes da primeira sessão" in pt and pt.count("ainda não concluído") == 2
    assert "Reverse mentoring primer" in pt


def test_hr_picks_each_roles_activities_on_the_programme_page_and_sees_only_counts(
    client,
    make_org,
    vault,
    moodle_emulator,  # noqa: F811
):
    from plugin.models import Employee
    from plugin.services import admin_login

    tenant, pair, lms, m, site = moodle_world(make_org, vault, moodle_emulator)
    tenant.session.commit()
    with client.session_transaction() as s:
        s["user"] = {**admin_login.session_user(tenant.organisation_id), "locale": "ja"}
        s["csrf_token"] = "tok"
    path = f"/admin/programmes/{pair.programme_id}/preparation"
    page = client.get(path).get_data(as_text=True)
    assert all(name in page for name in m) and "初回セッションまでの準備" in page
    briefing, primer = str(m["Confidentiality briefing"]), str(m["Reverse mentoring primer"])
    assert client.post(path, data={"mentor": briefing}).status_code in (400, 403)  # no CSRF token
    forged = client.post(path, data={"csrf_token": "tok", "mentor": "424242"})
    assert forged.status_code == 400 and "コースの一覧からアクティビティを選んでください。" in forged.get_data(
        as_text=True
    )
    assert tenant.count(PreparationActivity) == 0
    saved = client.post(
        path, data={"csrf_token": "tok", "mentor": [briefing, primer], "mentee": [briefing]}, follow_redirects=True
    )
    assert "保存しました：各役割の準備。" in saved.get_data(as_text=True)
    tenant.session.expire_all()
    assert [a.name for a in preparation.activities(tenant, pair.programme_id, "mentor")] == [
        "Confidentiality briefing",
        "Reverse mentoring primer",
    ]
    site.complete_module(m["Confidentiality briefing"], 2)
    preparation.read_back(tenant, lms, pair.id)
    tenant.session.commit()
    counts = client.get(path).get_data(as_text=True).split('id="preparation-counts"')[1].split("</table>")[0]
    assert [re.findall(r"<td>([^<]*)</td>", row)[1:] for row in counts.split("<tr>")[2:]] == [
        ["2", "1", "0"],
        ["1", "1", "1"],
    ]
    names = [tenant.get(Employee, e) for e in (pair.mentor_employee_id, pair.mentee_employee_id)]
    assert not any(p.last_name in counts or p.first_name in counts for p in names)
    assert tenant.count(AuditEvent, AuditEvent.action == "preparation.chosen") == 1


def test_the_home_page_lists_the_preparation_still_to_do_in_the_learners_language(
    client, make_org, vault, moodle_emulator
):  # noqa: F811
    from tests.catalogue_text import english_left, page_text
    from tests.test_page_language import launch

    tenant, pair, lms, m, site = moodle_world(make_org, vault, moodle_emulator)
    briefing, primer = str(m["Confidentiality briefing"]), str(m["Reverse mentoring primer"])
    preparation.choose(tenant, lms, pair.programme_id, {"mentor": [briefing, primer], "mentee": [briefing]}, "hr:x")
    tenant.session.commit()
    launch(client, tenant, pair.mentor_employee_id, "ja")
    card = client.get("/me/").get_data(as_text=True).split(f'id="pair-{pair.id}"')[1].split("</div>")[0]
    assert "準備：Confidentiality briefing" in card and "準備：Reverse mentoring primer" in card
    assert f'/mod/page/view.php?id={briefing}"' in card and not english_left(page_text(card), "ja")
    site.complete_module(m["Confidentiality briefing"], 3)
    preparation.read_back(tenant, lms, pair.id)
    tenant.session.commit()
    card = client.get("/me/").get_data(as_text=True).split(f'id="pair-{pair.id}"')[1].split("</div>")[0]
    assert "Confidentiality briefing" not in card and "準備：Reverse mentoring primer" in card


def test_the_daily_jobs_queue_the_preparation_reading_once_a_day(
    settings, make_org, vault, moodle_emulator, _clean_queue
):  # noqa: F811
    from datetime import date

    from plugin.jobs.daily import enqueue_daily

    tenant, pair, lms, m, site = moodle_world(make_org, vault, moodle_emulator)
    tenant.session.commit()
    today = date(2026, 12, 7)
    assert not [j for j in enqueue_daily(settings, tenant.organisation_id, today) if "preparation" in j.func_name]
    briefing = str(m["Confidentiality briefing"])
    preparation.choose(tenant, lms, pair.programme_id, {"mentor": [briefing], "mentee": [briefing]}, "hr:x")
    tenant.session.commit()
    first = [j for j in enqueue_daily(settings, tenant.organisation_id, today) if "preparation" in j.func_name]
    again = [j for j in enqueue_daily(settings, tenant.organisation_id, today) if "preparation" in j.func_name]
    assert [j.id for j in first] == [j.id for j in again] and len(first) == 1
    assert first[0].id.endswith(f"preparation-{pair.id}-2026-12-07")
    assert first[0].func_name == "plugin.jobs.preparation.read_preparation"
    assert first[0].args == (tenant.organisation_id, pair.id)
    site.complete_module(m["Confidentiality briefing"], 3)
    site.complete_module(m["Confidentiality briefing"], 2)
    preparation.read_back(tenant, lms, pair.id)
    tenant.session.commit()
    assert preparation.pairs_to_read(tenant) == []  # both partners are ready: nothing more to read


def test_a_learners_launch_asks_for_a_reading_at_most_once_in_the_period(
    client, settings, make_org, vault, moodle_emulator
):  # noqa: F811
    from datetime import timedelta

    from plugin.models import OutboxMessage
    from plugin.models.core import utcnow
    from tests.test_page_language import launch

    tenant, pair, lms, m, _ = moodle_world(make_org, vault, moodle_emulator)
    preparation.choose(tenant, lms, pair.programme_id, {"mentor": [str(m["Confidentiality briefing"])]}, "hr:x")
    tenant.session.commit()
    key = OutboxMessage.key == f"preparation-{pair.id}"
    for employee_id in (pair.mentor_employee_id, pair.mentee_employee_id, pair.mentor_employee_id):
        launch(client, tenant, employee_id, "en")
        assert client.get("/me/").status_code == 200
    assert tenant.count(OutboxMessage, key) == 1  # three launches of both partners: one request
    (row,) = tenant.all(OutboxMessage, key)
    row.sent_at = utcnow()  # the relay sent it; the job has not run yet
    tenant.session.commit()
    assert preparation.ask_if_stale(tenant, settings, pair.mentor_employee_id) == []
    later = utcnow() + timedelta(seconds=settings.preparation_read_s + 60)
    assert preparation.ask_if_stale(tenant, settings, pair.mentor_employee_id, now=later) == [pair.id]
    preparation.read_back(tenant, lms, pair.id)  # a fresh reading counts as recent too
    assert preparation.ask_if_stale(tenant, settings, pair.mentee_employee_id, now=utcnow()) == []
