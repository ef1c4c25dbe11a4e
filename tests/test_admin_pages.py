"""The admin workspace pages: sign-in, CSRF on every form, the wizard, participants, pair health, impact."""

from datetime import UTC, date, datetime

import pytest

from plugin.domain.roles import HR_ADMIN
from plugin.jobs.queue import get_queue
from plugin.lti.landing import SignedInUser
from plugin.models import Connection, Nudge, Pair, PairEnrolment, Programme, SyncRun
from plugin.services import admin_login
from plugin.services.enrolment_batch import BATCH, BATCH_MIN
from tests.admin_world import add_employee, add_pair, add_programme, load_workforce, matching_programme

CSRF = "test-csrf-token"


@pytest.fixture
def world(make_org, session):
    tenant = make_org("acme")
    programme = add_programme(tenant)
    for n in range(6):
        add_pair(
            tenant,
            programme,
            add_employee(tenant, n, country="DE" if n % 2 else "IN"),
            add_employee(tenant, 100 + n, job_level=8, department="Leadership", birth_year=1970),
        )
    for n in range(10):
        add_employee(tenant, 200 + n, termination_date=date(2025, 1, 15) if n < 2 else None)
    session.commit()
    return tenant, programme


@pytest.fixture
def admin(client, world):
    with client.session_transaction() as s:
        s["user"] = admin_login.session_user(world[0].organisation_id)
        s["csrf_token"] = CSRF
    return client


def test_the_workspace_needs_an_admin_session(client, world):
    answer = client.get("/admin/programmes/")
    assert answer.status_code == 401 and b"login link" in answer.data
    with client.session_transaction() as s:
        s["user"] = {
            **admin_login.session_user(world[0].organisation_id),
            "role": "participant",
            "lms_role": "participant",
        }
    assert client.get("/admin/programmes/").status_code == 403


def test_a_login_link_opens_the_workspace_once(client, world, session):
    token = admin_login.issue_link(session, "acme")
    session.commit()
    answer = client.get(f"/admin/login/{token}")
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/admin/programmes/")
    assert b"Reverse mentoring 2024" in client.get("/admin/programmes/").data
    assert client.get(f"/admin/login/{token}").status_code == 403


def test_every_form_needs_the_csrf_token(admin, world):
    _, programme = world
    refused = admin.post(f"/admin/programmes/{programme.id}/impact/settings", data={"replacement_cost": "1"})
    assert refused.status_code == 403 and b"reload the page" in refused.data
    accepted = admin.post(
        f"/admin/programmes/{programme.id}/impact/settings",
        data={"replacement_cost": "1", "threshold": "5", "csrf_token": CSRF},
    )
    assert accepted.status_code == 303


def test_the_wizard_creates_a_programme_step_by_step(admin, world):
    tenant, _ = world
    bad = admin.post("/admin/programmes/new?step=basics", data={"name": "", "csrf_token": CSRF})
    assert bad.status_code == 400 and b"Give the programme a name" in bad.data
    steps = [
        ("basics", {"name": "AI fluency 2027", "topics": "AI, Inclusion"}),
        ("people", {"mentor_max_level": "2", "mentee_min_level": "7", "mentors_per_executive": "1"}),
        ("rhythm", {"cadence_days": "21", "session_minutes": "45", "duration_weeks": "26"}),
        ("review", {}),
    ]
    for step, data in steps:
        answer = admin.post(f"/admin/programmes/new?step={step}", data={**data, "csrf_token": CSRF})
        assert answer.status_code == 303, answer.data
    created = tenant.all(Programme, Programme.name == "AI fluency 2027")[0]
    assert answer.headers["Location"].endswith(f"/admin/programmes/{created.id}/")
    assert (created.topics, created.cadence_days, created.status) == (["ai", "inclusion"], 21, "draft")
    assert created.mentee_rules == {"all": [{"field": "job_level", "op": ">=", "value": 7}]}


def test_the_wizard_refuses_executives_junior_to_their_mentors(admin):
    answer = admin.post(
        "/admin/programmes/new?step=people",
        data={"mentor_max_level": "5", "mentee_min_level": "3", "mentors_per_executive": "1", "csrf_token": CSRF},
    )
    assert answer.status_code == 400 and b"senior to their mentors" in answer.data


def test_participants_filter_and_export(admin, world):
    _, programme = world
    page = admin.get(f"/admin/programmes/{programme.id}/participants?role=mentor&country=DE")
    assert b"Participants 1 to 3 of 3" in page.data
    exported = admin.get(f"/admin/programmes/{programme.id}/participants.csv?role=mentee")
    lines = exported.get_data(as_text=True).splitlines()
    assert lines[0].startswith("employee_id,name,email,role") and len(lines) == 7
    assert all(",mentee," in line for line in lines[1:])


def test_pair_health_shows_pairs_at_risk_and_nudges(admin, world):
    tenant, programme = world
    page = admin.get(f"/admin/programmes/{programme.id}/health").get_data(as_text=True)
    assert page.count('class="badge at_risk"') == 6 and "No session for two cadence periods" in page
    pair_id = int(page.split('data-pair="')[1].split('"')[0])
    answer = admin.post(f"/admin/pairs/{pair_id}/nudge", data={"csrf_token": CSRF})
    assert answer.status_code == 303
    assert tenant.count(Nudge, Nudge.pair_id == pair_id) == 1
    assert admin.post(f"/admin/pairs/{pair_id}/nudge", data={"csrf_token": CSRF}).status_code == 409


def test_impact_page_charts_lifts_and_suppresses_small_groups(admin, world):
    _, programme = world
    page = admin.get(f"/admin/programmes/{programme.id}/impact").get_data(as_text=True)
    assert page.count("<svg") == 4 and 'role="img"' in page
    assert "Suppressed: fewer than 5 people to compare" in page
    assert "Self-selection" in page
    mentors = page.split('data-cell="mentors-retention-12"')[1].split("</tr>")[0]
    assert ">6<" in mentors and ">10<" in mentors and "80.0%" in mentors


def test_impact_settings_change_the_roi_shown(admin, world):
    _, programme = world
    admin.post(
        f"/admin/programmes/{programme.id}/impact/settings",
        data={"replacement_cost": "50000", "programme_cost": "0", "threshold": "5", "csrf_token": CSRF},
    )
    page = admin.get(f"/admin/programmes/{programme.id}/impact").get_data(as_text=True)
    assert "60,000 EUR" in page  # 0.2 lift x 6 mentors x 50,000
    assert "Self-selection" not in page  # the unchecked box says people did not opt in
    csv = admin.get(f"/admin/programmes/{programme.id}/impact.csv")
    assert csv.mimetype == "text/csv"


def test_another_organisations_programme_is_not_found(admin, make_org, session):
    other = make_org("other")
    programme = add_programme(other, name="Theirs")
    session.commit()
    assert admin.get(f"/admin/programmes/{programme.id}/impact").status_code == 404


def test_match_review_runs_locks_and_approves(admin, make_org, session):
    tenant = make_org("matchco")
    load_workforce(tenant)
    programme = matching_programme(tenant)
    session.commit()
    with admin.session_transaction() as s:
        s["user"] = admin_login.session_user(tenant.organisation_id)
    assert admin.post(f"/admin/programmes/{programme.id}/matches/run", data={"csrf_token": CSRF}).status_code == 303
    page = admin.get(f"/admin/programmes/{programme.id}/matches").get_data(as_text=True)
    proposed = [p for p in tenant.all(Pair, Pair.programme_id == programme.id) if p.status == "proposed"]
    assert len(proposed) >= 2 and f"Approve {len(proposed)} proposed pairs" in page
    assert proposed[0].explanation[0]["text"] in page
    admin.post(
        f"/admin/programmes/{programme.id}/matches/{proposed[0].id}", data={"action": "lock", "csrf_token": CSRF}
    )
    session.refresh(proposed[0])
    assert proposed[0].locked
    answer = admin.post(f"/admin/programmes/{programme.id}/matches/approve", data={"csrf_token": CSRF})
    assert "approved" in answer.headers["Location"]
    assert {p.status for p in tenant.all(Pair, Pair.programme_id == programme.id)} == {"approved"}


def test_connections_show_last_sync_rejections_and_which_need_reconnecting(admin, world, session):
    tenant, _ = world
    bamboo = tenant.add(
        Connection(
            vendor="bamboohr",
            kind="hris",
            name="BambooHR",
            status="needs_reconnect",
            status_detail="The refresh token was revoked",
        )
    )
    tenant.add(Connection(vendor="moodle", kind="lms", name="Moodle", status="connected"))
    session.flush()
    tenant.add(
        SyncRun(
            connection_id=bamboo.id,
            kind="incremental",
            status="partial",
            inserted=3,
            rejected=1,
            rejections=[{"source_id": "E17", "reason": "no work email"}],
            finished_at=datetime(2026, 11, 20, 6, 30, tzinfo=UTC),
        )
    )
    session.commit()
    page = admin.get("/admin/connections").get_data(as_text=True)
    assert "The refresh token was revoked" in page and "Reconnect BambooHR" in page
    assert "/connect/bamboohr/start?link=" in page and "Reconnect Moodle" not in page
    assert "2026-11-20 06:30 UTC" in page and "E17: no work email" in page
    assert "incremental sync partial: 3 new" in page


def test_an_admin_issues_a_token_that_opens_the_api_and_can_revoke_it(admin, world):
    _, programme = world
    page = admin.post("/admin/tokens", data={"name": "Power BI", "csrf_token": CSRF}).get_data(as_text=True)
    token = page.split('id="issued-token">')[1].split("<")[0]
    auth = {"Authorization": f"Bearer {token}"}
    assert admin.get(f"/api/v1/programmes/{programme.id}/pair-health", headers=auth).status_code == 200
    assert token not in admin.get("/admin/tokens").get_data(as_text=True)
    listing = admin.get("/admin/tokens").get_data(as_text=True)
    revoke = listing.split('action="/admin/tokens/')[1].split("/revoke")[0]
    assert admin.post(f"/admin/tokens/{revoke}/revoke", data={"csrf_token": CSRF}).status_code == 303
    assert admin.get(f"/api/v1/programmes/{programme.id}/pair-health", headers=auth).status_code == 401


def test_an_lti_admin_launch_opens_the_workspace(client, world):
    tenant, _ = world
    user = SignedInUser(
        organisation_id=tenant.organisation_id,
        employee_id=None,
        role=HR_ADMIN,
        registration_id=1,
        launch_id="launch-1",
        locale="en",
        lms_role=HR_ADMIN,
    )
    with client.session_transaction() as s:
        s["user"] = user.as_session()
    assert b"Reverse mentoring 2024" in client.get("/admin/programmes/").data
    assert b'href="/admin/programmes/"' in client.get("/admin/").data


def test_forms_refuse_nul_characters(admin):
    answer = admin.post("/admin/programmes/new?step=basics", data={"name": "Pilot\x00", "csrf_token": CSRF})
    assert answer.status_code == 400 and b"NUL" in answer.data


def test_approving_a_programme_with_an_lms_course_queues_enrolment(admin, make_org, session, settings):
    tenant = make_org("lmsco")
    load_workforce(tenant)
    moodle = tenant.add(Connection(vendor="moodle", kind="lms", name="Moodle", status="connected"))
    session.flush()
    programme = matching_programme(tenant)
    programme.lms_connection_id, programme.lms_course_id = moodle.id, "42"
    session.commit()
    with admin.session_transaction() as s:
        s["user"] = admin_login.session_user(tenant.organisation_id)
    admin.post(f"/admin/programmes/{programme.id}/matches/run", data={"csrf_token": CSRF})
    queued_before = get_queue(settings).count
    answer = admin.post(f"/admin/programmes/{programme.id}/matches/approve", data={"csrf_token": CSRF})
    pairs = tenant.all(Pair, Pair.programme_id == programme.id)
    jobs = -(-len(pairs) // BATCH) if len(pairs) >= BATCH_MIN else len(pairs)  # Moodle: batches per course
    noun = "job" if jobs == 1 else "jobs"
    assert f"{jobs}+enrolment+{noun}+queued" in answer.headers["Location"].replace("%20", "+")
    assert get_queue(settings).count == queued_before + jobs
    assert {row.status for row in tenant.all(PairEnrolment)} == {"queued"}


def _pairs_page_queries(client, make_org, session, pairs: int) -> tuple[int, bytes]:
    """SQL statements one view of the organisation's pair-health page runs, for an organisation of `pairs`."""
    from sqlalchemy import event

    from plugin.db import db
    from plugin.models import Credential, SessionLog

    tenant = make_org()
    programme = add_programme(tenant)
    for n in range(pairs):
        pair = add_pair(tenant, programme, add_employee(tenant, n), add_employee(tenant, 1000 + n, job_level=8))
        tenant.add(
            SessionLog(
                pair_id=pair.id, held_on=date(2024, 9, 10), status="confirmed", minutes=30, logged_by_role="mentor"
            )
        )
        tenant.add(Credential(uid=f"cred-{tenant.organisation_id}-{n}", pair_id=pair.id, role="mentor", jws="x"))
    session.commit()
    with client.session_transaction() as s:
        s["user"] = admin_login.session_user(tenant.organisation_id)
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        answer = client.get("/admin/pairs/health")
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert answer.status_code == 200
    return len(statements), answer.data


def test_the_organisations_pair_health_page_runs_as_many_queries_for_50_pairs_as_for_5(client, make_org, session):
    few, page_of_5 = _pairs_page_queries(client, make_org, session, 5)
    many, page_of_50 = _pairs_page_queries(client, make_org, session, 50)
    assert page_of_5.count(b"Revoke</button>") == 5 and page_of_50.count(b"Revoke</button>") == 50
    assert b"Sam49 Example" in page_of_50
    assert many == few, (few, many)
