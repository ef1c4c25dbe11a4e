"""Three rooms, from launches shaped like real Moodle ones (recorded teacher, site admin and student
id_tokens, re-signed by the test platform): who reaches which pages, API, jobs board and tokens."""

from __future__ import annotations

import io
import json
import re
import time
from pathlib import Path

import pytest

from plugin.db import db
from plugin.models import ApiToken, AuditEvent, Connection, Pair, Programme
from plugin.services import access
from plugin.services.organisations import create_organisation
from plugin.services.tenant import Tenant
from tests.admin_world import add_employee, add_pair, add_programme
from tests.lti_support import BASE, launch, login

MOODLE = Path(__file__).parent / "fixtures" / "http" / "moodle"
HR_ONLY = (
    "/admin/audit",
    "/admin/audit.csv",
    "/admin/connections",
    "/admin/jobs",
    "/admin/tokens",
    "/admin/access",
    "/admin/insights",
    "/admin/pairs/health",
    "/admin/lti/",
    "/admin/programmes/new",
)


def recorded_claims(who: str, platform, nonce: str) -> dict:
    """A recorded Moodle 4.3 id_token's claims, addressed to the test platform and tool."""
    claims = json.loads((MOODLE / f"lti__auth__{who}__id_token.json").read_text())["response"]["id_token_decoded"]
    now = int(time.time())
    return {
        **claims["claims"],
        "iss": platform.issuer,
        "aud": platform.client_id,
        "nonce": nonce,
        "iat": now,
        "exp": now + 60,
        "https://purl.imsglobal.org/spec/lti/claim/deployment_id": platform.deployment_id,
        "https://purl.imsglobal.org/spec/lti/claim/target_link_uri": BASE + "/lti/launch",
    }


@pytest.fixture
def school(tool, platform, jwks_mock):
    """Moodle course 2 has a programme; another programme belongs to course 99; one has no course."""
    org = create_organisation(db.session, "school", "School")
    db.session.commit()
    tenant = Tenant(db.session, org.id)
    teacher = add_employee(tenant, 1, work_email="teacher1@example.com")
    student = add_employee(tenant, 2, work_email="student1@example.com")
    exec_ = add_employee(tenant, 3, job_level=8)
    other = add_employee(tenant, 4, display_name="Olga Othercourse")
    mine = add_programme(tenant, "Course two programme", lms_course_id="2")
    theirs = add_programme(tenant, "Course ninety-nine programme", lms_course_id="99")
    add_programme(tenant, "Programme without a course")
    add_pair(tenant, mine, student, exec_)
    add_pair(tenant, theirs, other, teacher)
    tenant.add(Connection(vendor="bamboohr", kind="hris", name="BambooHR", status="connected"))
    db.session.commit()
    platform.register(db.session, organisation_ids=[org.id])
    return tenant, mine, theirs


def signed_in(tool, platform, who: str):
    client = tool.test_client()
    state, nonce = login(client, platform)
    response = launch(client, platform.sign(recorded_claims(who, platform, nonce)), state)
    return client, response


def get(client, path):
    return client.get(path, base_url=BASE)


def test_a_course_instructor_reaches_only_their_courses_programme(tool, platform, school):
    tenant, mine, theirs = school
    client, response = signed_in(tool, platform, "teacher")
    assert response.status_code == 303 and response.headers["Location"].endswith("/admin/programmes/")
    listing = get(client, "/admin/programmes/").get_data(as_text=True)
    assert "Course two programme" in listing
    assert "Course ninety-nine programme" not in listing and "Programme without a course" not in listing
    assert "/admin/connections" not in listing and "/admin/tokens" not in listing
    assert get(client, f"/admin/programmes/{mine.id}/").status_code == 200
    participants = get(client, f"/admin/programmes/{mine.id}/participants").get_data(as_text=True)
    assert "Sam2 Example" in participants and "Olga" not in participants
    for path in (
        f"/admin/programmes/{theirs.id}/",
        f"/admin/programmes/{theirs.id}/participants",
        f"/admin/programmes/{theirs.id}/participants.csv",
        f"/admin/programmes/{theirs.id}/matches",
        f"/admin/programmes/{theirs.id}/health",
    ):
        assert get(client, path).status_code == 404, path
    for path in HR_ONLY:
        assert get(client, path).status_code == 403, path
    assert get(client, f"/admin/programmes/{mine.id}/impact").status_code == 403  # reads the whole workforce
    dashboard = get(client, "/admin/").get_data(as_text=True)  # the front page: their programme only
    assert "Course two programme" in dashboard and "Course ninety-nine programme" not in dashboard


def test_an_instructor_cannot_act_on_another_programmes_pair_or_issue_tokens(tool, platform, school):
    tenant, mine, theirs = school
    client, _ = signed_in(tool, platform, "teacher")
    page = get(client, f"/admin/programmes/{mine.id}/").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    their_pair = tenant.all(Pair, Pair.programme_id == theirs.id)[0].id
    assert client.post(f"/admin/pairs/{their_pair}/nudge", base_url=BASE, data={"csrf_token": csrf}).status_code == 404
    assert (
        client.post(
            f"/admin/programmes/{mine.id}/matches/{their_pair}",
            base_url=BASE,
            data={"csrf_token": csrf, "action": "exclude", "reason": "x"},
        ).status_code
        == 404
    )
    assert client.post("/admin/tokens", base_url=BASE, data={"csrf_token": csrf, "name": "bi"}).status_code == 403
    upload = {"csrf_token": csrf, "file": (io.BytesIO(b"work_email\nx@example.com\n"), "p.csv")}
    assert (
        client.post(
            f"/admin/programmes/{mine.id}/participants/import",
            base_url=BASE,
            data=upload,
            content_type="multipart/form-data",
        ).status_code
        == 403
    )
    assert (
        client.post(
            "/admin/access",
            base_url=BASE,
            data={"csrf_token": csrf, "email": "teacher1@example.com", "role": "hr_admin"},
        ).status_code
        == 403
    )
    assert tenant.count(ApiToken) == 0 and access.grants(tenant) == []
    assert tenant.count(AuditEvent, AuditEvent.action.in_(("nudge.sent", "pair.excluded"))) == 0


def test_an_institution_administrator_reaches_the_organisations_workspace(tool, platform, school):
    tenant, mine, theirs = school
    client, response = signed_in(tool, platform, "admin")
    assert response.headers["Location"].endswith("/admin/")
    listing = get(client, "/admin/programmes/").get_data(as_text=True)
    assert all(
        name in listing
        for name in ("Course two programme", "Course ninety-nine programme", "Programme without a course")
    )
    for path in HR_ONLY:
        assert get(client, path).status_code == 200, path


def test_a_learner_reaches_neither(tool, platform, school):
    tenant, mine, _ = school
    client, response = signed_in(tool, platform, "student")
    assert response.headers["Location"].endswith("/me/")
    for path in ("/admin/", "/admin/programmes/", f"/admin/programmes/{mine.id}/", *HR_ONLY):
        assert get(client, path).status_code == 403, path
    assert get(client, "/me/").status_code == 200


def test_a_grant_widens_a_coordinator_and_a_revoke_takes_effect_on_the_next_click(tool, platform, school):
    tenant, mine, theirs = school
    client, _ = signed_in(tool, platform, "teacher")
    assert get(client, f"/admin/programmes/{theirs.id}/").status_code == 404
    access.grant(tenant, "Teacher1@Example.com", "coordinator", theirs.id, actor="hr:test")
    db.session.commit()
    assert get(client, f"/admin/programmes/{theirs.id}/").status_code == 200
    assert get(client, "/admin/connections").status_code == 403  # a coordinator still
    access.grant(tenant, "teacher1@example.com", "hr_admin", None, actor="hr:test")
    db.session.commit()
    assert get(client, "/admin/connections").status_code == 200
    access.revoke(tenant, "teacher1@example.com", "hr_admin", None, actor="hr:test")
    access.revoke(tenant, "teacher1@example.com", "coordinator", theirs.id, actor="hr:test")
    db.session.commit()
    assert get(client, "/admin/connections").status_code == 403
    assert get(client, f"/admin/programmes/{theirs.id}/").status_code == 404
    actions = [e.action for e in tenant.all(AuditEvent, AuditEvent.action.like("access.%"))]
    assert sorted(actions) == ["access.granted", "access.granted", "access.revoked", "access.revoked"]


def test_a_granted_hr_admin_gets_in_although_the_lms_gives_no_room(tool, platform, school):
    tenant, _, _ = school
    state_client = tool.test_client()
    state, nonce = login(state_client, platform)
    mentor = platform.claims(
        nonce, roles=["http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"], email="teacher1@example.com"
    )
    refused = launch(state_client, platform.sign(mentor), state)
    assert refused.status_code == 403
    access.grant(tenant, "teacher1@example.com", "hr_admin", None, actor="hr:test")
    db.session.commit()
    state, nonce = login(state_client, platform)
    mentor["nonce"] = nonce
    assert launch(state_client, platform.sign(mentor), state).headers["Location"].endswith("/admin/")


def test_hr_admin_grants_and_revokes_on_the_access_page(tool, platform, school):
    tenant, mine, _ = school
    client, _ = signed_in(tool, platform, "admin")
    page = get(client, "/admin/access").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = {"csrf_token": csrf, "email": "coord@example.com", "role": "coordinator", "programme_id": str(mine.id)}
    assert client.post("/admin/access", base_url=BASE, data=form).status_code == 303
    assert "coord@example.com" in get(client, "/admin/access").get_data(as_text=True)
    bad = client.post("/admin/access", base_url=BASE, data={**form, "programme_id": ""})
    assert bad.status_code == 400 and len(access.grants(tenant)) == 1  # a coordinator grant names its programme
    other_org = create_organisation(db.session, "other", "Other")
    foreign = add_programme(Tenant(db.session, other_org.id), "Foreign")
    db.session.commit()
    foreign_form = {**form, "programme_id": str(foreign.id)}
    assert client.post("/admin/access", base_url=BASE, data=foreign_form).status_code == 404
    assert client.post("/admin/access/revoke", base_url=BASE, data=form).status_code == 303
    assert access.grants(tenant) == []
    assert db.session.get(Programme, foreign.id) is not None


def test_the_json_api_is_for_tokens_hr_admins_issued(tool, platform, school):
    """Tokens are issued on the HR-only page; a coordinator's session opens no API call."""
    tenant, mine, _ = school
    client, _ = signed_in(tool, platform, "teacher")
    assert client.get(f"/api/v1/programmes/{mine.id}/pair-health", base_url=BASE).status_code == 401


def test_flipside_admin_grant_and_revoke_from_the_command_line(tool, platform, school, monkeypatch, settings):
    from click.testing import CliRunner

    from plugin.cli import main

    tenant, mine, _ = school
    monkeypatch.setenv("DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("FLIPSIDE_INSTANCE_PATH", settings.instance_path)
    monkeypatch.setenv("FLIPSIDE_QUEUE_PREFIX", settings.queue_prefix)
    runner = CliRunner()
    done = runner.invoke(
        main, ["admin", "grant", "school", "Coord@Example.com", "--role", "coordinator", "--programme", str(mine.id)]
    )
    assert done.exit_code == 0 and "Granted coordinator of programme" in done.output
    db.session.expire_all()
    assert [(g.email, g.role, g.programme_id) for g in access.grants(tenant)] == [
        ("coord@example.com", "coordinator", mine.id)
    ]
    missing = runner.invoke(main, ["admin", "grant", "school", "x@example.com", "--role", "coordinator"])
    assert missing.exit_code == 1 and "names the programme" in missing.output
    bad_role = runner.invoke(main, ["admin", "grant", "school", "x@example.com", "--role", "superuser"])
    assert bad_role.exit_code == 2
    not_email = runner.invoke(main, ["admin", "grant", "school", "not an email", "--role", "hr_admin"])
    assert not_email.exit_code == 1
    db.session.expire_all()
    assert len(access.grants(tenant)) == 1
    gone = runner.invoke(
        main, ["admin", "revoke", "school", "coord@example.com", "--role", "coordinator", "--programme", str(mine.id)]
    )
    assert gone.exit_code == 0 and "Revoked" in gone.output
    db.session.expire_all()
    assert access.grants(tenant) == []
    again = runner.invoke(
        main, ["admin", "revoke", "school", "coord@example.com", "--role", "coordinator", "--programme", str(mine.id)]
    )
    assert again.exit_code == 1
