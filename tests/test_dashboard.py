"""The workspace dashboard at /admin/: per programme its people, pairs by state, this period's sessions, pairs at
risk, completion and charts; the next actions, each a link to where it is done; coordinators see their own."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from rq import SimpleWorker

from plugin.config import from_environment
from plugin.jobs.queue import enqueue, get_queue
from plugin.lti.landing import WANTED_SCOPES
from plugin.models import Connection, Participant, SessionLog, SyncRun
from plugin.services import access, admin_login
from tests.admin_world import add_employee, add_pair, add_programme
from tests.job_functions import refused

TODAY = date.today()


@pytest.fixture
def world(make_org, session):
    """A running programme (started 20 days ago, fortnightly) and a draft one, in one organisation."""
    tenant = make_org("acme")
    running = add_programme(tenant, "Running programme", starts_on=TODAY - timedelta(days=20), cadence_days=14)
    draft = add_programme(tenant, "Draft programme", status="draft", starts_on=None)
    add_programme(tenant, "Last year's programme", status="completed", starts_on=TODAY - timedelta(days=400))
    mentors = [add_employee(tenant, n) for n in range(5)]
    executives = [add_employee(tenant, 100 + n, job_level=8) for n in range(5)]
    statuses = ("active", "active", "completed", "proposed")
    pairs = [
        add_pair(tenant, running, m, e, status=s, approved=TODAY - timedelta(days=20))
        for m, e, s in zip(mentors, executives, statuses, strict=False)
    ]
    tenant.add(Participant(programme_id=running.id, employee_id=executives[4].id, role="mentee"))  # no mentor
    sessions = (
        (pairs[0], TODAY - timedelta(days=2), "confirmed"),
        (pairs[0], TODAY - timedelta(days=10), "confirmed"),
        (pairs[1], TODAY - timedelta(days=1), "cancelled"),
    )
    for pair, day, status in sessions:
        tenant.add(SessionLog(pair_id=pair.id, held_on=day, minutes=45, logged_by_role="mentor", status=status))
    tenant.add(Participant(programme_id=draft.id, employee_id=add_employee(tenant, 300).id, role="mentor"))
    connection = tenant.add(Connection(vendor="bamboohr", kind="hris", name="BambooHR", status="needs_reconnect"))
    session.flush()
    tenant.add(SyncRun(connection_id=connection.id, kind="full", status="needs_approval", safeguard="held"))
    session.commit()
    return tenant, running, draft


def _sign_in(client, user: dict) -> None:
    with client.session_transaction() as s:
        s["user"] = user


def _section(page: str, programme_id: int) -> str:
    return page.split(f'id="programme-{programme_id}"')[1].split("</section>")[0]


def test_each_programme_in_numbers_and_charts(client, world):
    tenant, running, draft = world
    _sign_in(client, admin_login.session_user(tenant.organisation_id))
    page = client.get("/admin/").get_data(as_text=True)
    mine = _section(page, running.id)
    assert "Mentors: 4, executives: 5" in mine
    assert ">1 held between" in mine.replace('data-figure="sessions">', ">")  # the cancelled and older ones don't count
    assert "33% of started pairs completed" in mine  # 1 completed of 3 approved or later
    at_risk = mine.split('data-figure="at-risk">')[1].split("</dd>")[0]
    assert f'href="/admin/programmes/{running.id}/health"' in at_risk
    assert mine.count('role="img"') == 2
    assert "<desc" in mine and "Proposed: 1; Active: 2; Completed: 1" in mine
    other = _section(page, draft.id)
    assert "Mentors: 1, executives: 0" in other and "The programme has not started" in other
    assert "No pair has started yet" in other and "No pairs yet" in other
    over = page.split("Last year&#39;s programme")[1].split("</section>")[0]
    assert "The programme is over" in over and "held between" not in over


def test_next_actions_link_to_where_they_are_done(client, world, app, settings):
    tenant, running, _ = world
    fresh = from_environment(
        database_url=settings.database_url,
        instance_path=settings.instance_path,
        queue_prefix=f"db{uuid.uuid4().hex[:6]}",
        redis_url=settings.redis_url,
    )
    app.config["FLIPSIDE"] = fresh
    enqueue(fresh, refused, retries=0, organisation_id=tenant.organisation_id)
    queue = get_queue(fresh)
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    _sign_in(client, admin_login.session_user(tenant.organisation_id))
    actions = client.get("/admin/").get_data(as_text=True).split('id="next-actions"')[1].split("</section>")[0]
    unmatched = actions.split(f'data-action="unmatched-{running.id}"')[1].split("</li>")[0]
    assert f'href="/admin/programmes/{running.id}/matches"' in unmatched
    assert "1 executive without a mentor in Running programme" in unmatched
    assert 'href="/admin/jobs">1 failed job' in actions
    assert 'href="/admin/connections">1 connection needs attention' in actions
    assert 'href="/admin/connections">1 sync waits for your approval' in actions


def test_the_landing_page_words_missing_scopes_instead_of_ims_urls(client, world):
    tenant, _, _ = world
    _sign_in(client, {**admin_login.session_user(tenant.organisation_id), "missing_scopes": list(WANTED_SCOPES)})
    page = client.get("/admin/").get_data(as_text=True)
    assert "purl.imsglobal.org" not in page
    assert "Course roster (NRPS)" in page and "Gradebook scores (AGS)" in page


def test_a_coordinator_sees_only_their_programmes_and_no_organisation_actions(client, world, session):
    tenant, running, draft = world
    access.grant(tenant, "coord@example.test", "coordinator", draft.id, actor="test")
    session.commit()
    _sign_in(
        client,
        {
            **admin_login.session_user(tenant.organisation_id),
            "role": "coordinator",
            "lms_role": None,
            "email": "coord@example.test",
        },
    )
    page = client.get("/admin/").get_data(as_text=True)
    assert f'id="programme-{draft.id}"' in page and "Draft programme" in page
    assert f'id="programme-{running.id}"' not in page and "Running programme" not in page
    assert 'data-action="connections"' not in page and 'data-action="failed-jobs"' not in page
    assert "Programme coordinator" in page


@pytest.mark.parametrize(
    "locale, words", [("ja", "次の対応"), ("ar", "الإجراءات التالية"), ("fr", "binômes commencés")]
)
def test_the_dashboard_speaks_the_admins_language(client, world, locale, words):
    tenant, _, _ = world
    _sign_in(client, {**admin_login.session_user(tenant.organisation_id), "locale": locale})
    page = client.get("/admin/").get_data(as_text=True)
    assert words in page
