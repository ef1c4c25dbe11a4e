"""Course roster import (NRPS): asked for by an instructor's launch, the participants page's button and the
daily jobs, always through the outbox; it links LMS accounts to employees, lists who could not be linked and
why, and a broken LMS answer stores a reason while the links and the last good list stay as they were."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest
import responses
from rq import SimpleWorker
from rq.job import Job
from sqlalchemy import select

from plugin import create_app
from plugin.db import db
from plugin.errors import FlipsideError
from plugin.jobs import roster as roster_jobs
from plugin.jobs.queue import get_queue
from plugin.jobs.relay import relay
from plugin.lti.nrps import run_import
from plugin.lti.platform_keys import PLATFORM_KEYS
from plugin.lti.registrations import PlatformInput, attach_organisation, save_platform
from plugin.models import Employee, OutboxMessage, Programme
from plugin.models.lti import CourseRoster, LtiRegistration, LtiUserLink
from plugin.services import admin_login
from plugin.services.organisations import create_organisation
from plugin.services.tenant import Tenant
from tests.loopback_platform import LoopbackPlatform, Server
from tests.lti_support import INSTRUCTOR
from tests.test_lti_e2e import browser_launch

CSRF = "test-csrf-token"
LMS = "https://lms.broken.test"
TOKEN = LMS + "/token"
MEMBERS = LMS + "/courses/7/memberships"


def _work(app) -> list:
    """Send the outbox rows still waiting, then run a burst worker on our own queue; the jobs' results."""
    settings = app.config["FLIPSIDE"]
    relay(settings, db.engine)
    queue = get_queue(settings, "default")
    ids = list(queue.job_ids)
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    return [Job.fetch(i, connection=queue.connection).return_value() for i in ids]


def _admin(app, organisation_id: int):
    client = app.test_client()
    with client.session_transaction() as s:
        s["user"] = admin_login.session_user(organisation_id)
        s["csrf_token"] = CSRF
    return client


@pytest.fixture
def world(settings):
    """Our tool on loopback HTTP, an independent LTI platform (lti1p3platform) with three course members,
    and an organisation whose HRIS knows two of them; a programme runs in the platform's course c1."""
    tool_server = Server()
    prefix = f"{settings.queue_prefix}roster{uuid.uuid4().hex[:6]}"  # our own queues, under the run's prefix
    app = create_app(replace(settings, base_url=tool_server.url, queue_prefix=prefix))
    tool_server.app = app
    tool_server.start()
    lms = LoopbackPlatform(tool_server.url)
    lms.server.start()
    PLATFORM_KEYS.clear()
    with app.app_context():
        org = create_organisation(db.session, "roster", "Roster Corp")
        for sid, email in (("1", "ada@example.com"), ("2", "grace@example.com")):
            db.session.add(
                Employee(
                    organisation_id=org.id,
                    source_system="hris",
                    source_id=sid,
                    first_name=email.split("@")[0].title(),
                    last_name="X",
                    work_email=email,
                )
            )
        db.session.add(Programme(organisation_id=org.id, name="Cycle", status="draft", lms_course_id="c1"))
        db.session.commit()
        reg = save_platform(
            db.session,
            PlatformInput(
                issuer=lms.issuer,
                client_id=lms.client_id,
                auth_login_url=lms.urls["auth"],
                auth_token_url=lms.urls["token"],
                key_set_url=lms.urls["jwks"],
                deployment_ids=(lms.deployment_id,),
            ),
        )
        attach_organisation(db.session, reg.id, lms.deployment_id, org.id)
        yield app, lms, Tenant(db.session, org.id)
        from tests.conftest import _empty_tables

        _empty_tables()
    tool_server.stop()
    lms.server.stop()


def test_an_instructors_launch_imports_the_course_roster_through_the_outbox(world):
    app, lms, tenant = world
    launched = browser_launch(lms, "lms-2", email="grace@example.com", name="Grace", roles=[INSTRUCTOR])
    assert launched.status_code == 303, launched.text[-300:]
    (course,) = tenant.all(CourseRoster)
    assert (course.context_id, course.memberships_url, course.status) == ("c1", lms.urls["memberships"], "new")
    (row,) = tenant.all(OutboxMessage)
    assert row.target == "plugin.jobs.roster:import_course_roster" and row.kwargs["roster_id"] == course.id
    assert not tenant.all(LtiUserLink, LtiUserLink.method == "nrps")  # nothing read during the launch itself

    assert _work(app) == [{"members": 3, "linked": 2, "unlinked": 1}]
    db.session.expire_all()
    links = {link.lms_user_id: link.employee_id for link in tenant.all(LtiUserLink) if link.method == "nrps"}
    emails = {e.id: e.work_email for e in tenant.all(Employee)}
    assert {k: emails[v] for k, v in links.items()} == {"lms-1": "ada@example.com", "lms-2": "grace@example.com"}
    course = tenant.get(CourseRoster, course.id)
    assert (course.status, course.members, course.linked) == ("ok", 3, 2)
    assert course.unlinked == [{"user_id": "lms-3", "name": "N", "reason": "no_employee"}]

    programme = tenant.all(Programme)[0]
    page = _admin(app, tenant.organisation_id).get(f"/admin/programmes/{programme.id}/participants")
    text = page.get_data(as_text=True)
    assert "3 members, 2 linked to employees, 1 not linked" in text
    assert 'data-lms-user="lms-3" data-reason="no_employee"' in text
    assert "No active employee has this email or person id." in text


def test_a_learners_launch_asks_for_no_import(world):
    _app, lms, tenant = world
    assert browser_launch(lms, "lms-1", email="ada@example.com", name="Ada").status_code == 303
    assert tenant.all(CourseRoster) == [] and tenant.all(OutboxMessage) == []


def test_the_participants_button_queues_an_import_and_refuses_without_a_known_course(world):
    app, lms, tenant = world
    programme = tenant.all(Programme)[0]
    admin = _admin(app, tenant.organisation_id)
    refused = admin.post(f"/admin/programmes/{programme.id}/participants/roster", data={"csrf_token": CSRF})
    assert refused.status_code == 400 and "launch Flipside once from the course" in refused.get_data(as_text=True)
    assert tenant.all(OutboxMessage) == []
    no_csrf = admin.post(f"/admin/programmes/{programme.id}/participants/roster")
    assert no_csrf.status_code in (400, 403)

    browser_launch(lms, "lms-2", email="grace@example.com", name="Grace", roles=[INSTRUCTOR])
    for _ in range(2):  # clicked twice: two imports, and the second changes nothing
        done = admin.post(f"/admin/programmes/{programme.id}/participants/roster", data={"csrf_token": CSRF})
        assert done.status_code == 303
    assert [row.target for row in tenant.all(OutboxMessage)] == ["plugin.jobs.roster:import_course_roster"] * 3
    assert _work(app) == [{"members": 3, "linked": 2, "unlinked": 1}] * 3  # the launch's and the two clicks'
    db.session.expire_all()
    assert tenant.all(CourseRoster)[0].linked == 2
    assert sorted(link.lms_user_id for link in tenant.all(LtiUserLink) if link.method == "nrps") == ["lms-1", "lms-2"]
    page = admin.get(f"/admin/programmes/{programme.id}/participants").get_data(as_text=True)
    assert "Import the roster from the LMS now" in page


def test_the_daily_jobs_queue_every_course_roster_once_a_day(world):
    app, lms, tenant = world
    settings = app.config["FLIPSIDE"]
    browser_launch(lms, "lms-2", email="grace@example.com", name="Grace", roles=[INSTRUCTOR])
    (course,) = tenant.all(CourseRoster)
    first = roster_jobs.enqueue_imports(settings, tenant.organisation_id, "2026-12-07")
    again = roster_jobs.enqueue_imports(settings, tenant.organisation_id, "2026-12-07")
    assert [j.id for j in first] == [j.id for j in again] and len(first) == 1
    assert first[0].args == (tenant.organisation_id, course.id)
    assert {"members": 3, "linked": 2, "unlinked": 1} in _work(app)


# -- a broken LMS: answers recorded with `responses` ---------------------------------------------------------


@pytest.fixture
def broken(org, platform, jwks_mock):
    """The test platform's registration, with a course roster of course 7 known from an earlier launch."""
    tenant = Tenant(db.session, org.id)
    tenant.add(
        Employee(
            source_system="hris", source_id="e2", first_name="Grace", last_name="Hopper", work_email="grace@example.com"
        )
    )
    reg = db.session.scalar(select(LtiRegistration))
    reg.auth_token_url = TOKEN
    course = tenant.add(CourseRoster(registration_id=reg.id, context_id="7", memberships_url=MEMBERS, unlinked=[]))
    db.session.commit()
    jwks_mock.add(responses.POST, TOKEN, json={"access_token": "t", "token_type": "Bearer", "expires_in": 3600})
    return tenant, course.id, jwks_mock


def _member(user_id, email=None, **extra):
    return {
        "user_id": user_id,
        "status": "Active",
        "roles": ["Learner"],
        "name": f"User {user_id}",
        **({"email": email} if email else {}),
        **extra,
    }


def _good_import(tenant, roster_id, mock):
    mock.add(responses.GET, MEMBERS, json={"members": [_member("u1", "ada@example.com"), _member("u9", "x@y.test")]})
    run_import(tenant, roster_id)
    mock.remove(responses.GET, MEMBERS)


def _state(tenant, roster_id):
    db.session.expire_all()
    row = tenant.get(CourseRoster, roster_id)
    links = sorted(link.lms_user_id for link in tenant.all(LtiUserLink))
    return row, links


def test_members_without_an_id_or_without_email_and_person_id_are_listed_with_their_reason(broken):
    tenant, roster_id, mock = broken
    mock.add(
        responses.GET,
        MEMBERS,
        json={
            "members": [
                _member("u1", "ada@example.com"),
                {"status": "Active", "name": "No Id", "email": "grace@example.com"},
                _member("u3"),
                _member("u4", "stranger@example.com"),
                _member("u5", "grace@example.com", status="Inactive"),
                "not a member",
            ]
        },
    )
    result = run_import(tenant, roster_id)
    row, links = _state(tenant, roster_id)
    assert (result.members, result.linked, links) == (4, 1, ["u1"])  # the inactive member is not counted
    assert [(m["user_id"], m["name"], m["reason"]) for m in row.unlinked] == [
        ("", "No Id", "no_user_id"),
        ("u3", "User u3", "not_sent"),
        ("u4", "User u4", "no_employee"),
    ]


@pytest.mark.parametrize(
    "answer, reason",
    [
        ("loop", "page_loop"),
        ("401", "refused"),
        ("html", "bad_answer"),
        ("no_list", "bad_answer"),
        ("503", "unreachable"),
    ],
)
def test_a_broken_answer_stores_its_reason_and_loses_nothing(broken, answer, reason):
    tenant, roster_id, mock = broken
    _good_import(tenant, roster_id, mock)
    before, links_before = _state(tenant, roster_id)
    assert (before.status, before.linked, links_before) == ("ok", 1, ["u1"])
    page1 = {"members": [_member("u2", "grace@example.com")]}  # linkable: proves nothing is half-written
    if answer == "loop":
        mock.add(responses.GET, MEMBERS, json=page1, headers={"Link": f'<{MEMBERS}?p=2>; rel="next"'})
        mock.add(responses.GET, MEMBERS + "?p=2", json={"members": []}, headers={"Link": f'<{MEMBERS}>; rel="next"'})
    elif answer == "html":
        mock.add(responses.GET, MEMBERS, body="<html>Moodle error</html>", content_type="text/html")
    elif answer == "no_list":
        mock.add(responses.GET, MEMBERS, json={"members": {"u2": "grace"}})
    else:
        mock.add(responses.GET, MEMBERS, status=int(answer), json={"error": "nope"})
    with pytest.raises(FlipsideError):  # raised on, so the job is retried or listed as failed
        run_import(tenant, roster_id)
    row, links = _state(tenant, roster_id)
    assert row.status == "failed" and row.error.split(":")[0] == reason
    assert links == ["u1"] and (row.members, row.linked, row.unlinked) == (2, 1, before.unlinked)
    assert row.imported_at == before.imported_at  # the last good import is still the one shown


def test_the_page_shows_a_failed_import_in_words(broken, tool):
    tenant, roster_id, mock = broken
    mock.add(responses.GET, MEMBERS, status=401, json={"error": "nope"})
    with pytest.raises(FlipsideError):
        run_import(tenant, roster_id)
    programme = tenant.add(Programme(name="P", status="draft", lms_course_id="7"))
    db.session.commit()
    page = _admin(tool, tenant.organisation_id).get(f"/admin/programmes/{programme.id}/participants")
    text = page.get_data(as_text=True)
    assert 'data-status="failed"' in text and "The last import failed; nothing stored was changed." in text
    assert "The LMS refused Flipside" in text, text.split('id="roster"')[1][:1500]


def test_a_coordinator_cannot_ask_for_an_import(world):
    app, lms, tenant = world
    browser_launch(lms, "lms-2", email="grace@example.com", name="Grace", roles=[INSTRUCTOR])
    sent = len(tenant.all(OutboxMessage))
    programme = tenant.all(Programme)[0]
    client = app.test_client()
    with client.session_transaction() as s:
        s["user"] = dict(admin_login.session_user(tenant.organisation_id), role="coordinator", lms_role="coordinator")
        s["csrf_token"] = CSRF
    refused = client.post(f"/admin/programmes/{programme.id}/participants/roster", data={"csrf_token": CSRF})
    assert refused.status_code == 403
    assert len(tenant.all(OutboxMessage)) == sent  # nothing asked for
