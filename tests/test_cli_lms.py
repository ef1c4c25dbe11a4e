"""`flipside connect moodle|canvas` and `flipside connect test` on an LMS, against the loopback emulators."""

from __future__ import annotations

import pytest

from plugin.emulators.canvas import CanvasEmulator
from plugin.emulators.moodle_functions import new_course
from plugin.models import AuditEvent, Connection, Programme
from plugin.services import connections
from tests.lms_fixtures import TOKEN, moodle_emulator  # noqa: F401 (fixture)
from tests.test_cli_hris import flipside


def test_moodle_connection_from_the_command_line_tests_ok(settings, make_org, vault, moodle_emulator):  # noqa: F811
    tenant = make_org("uni")
    made = flipside(
        settings, "connect", "moodle", "uni", "--url", moodle_emulator.url, "--token", TOKEN, "--name", "Campus Moodle"
    )
    assert made.exit_code == 0, made.output
    conn = tenant.all(Connection)[0]
    assert (conn.vendor, conn.name, conn.status) == ("moodle", "Campus Moodle", "new")
    assert connections.credentials(conn, vault) == {"token": TOKEN}  # stored encrypted, read back
    tested = flipside(settings, "connect", "test", str(conn.id), "--course", moodle_emulator.course)
    lines = tested.output.splitlines()
    assert tested.exit_code == 0, tested.output
    assert any(line.startswith("ok   function core_group_get_course_groups") for line in lines)
    assert any(line.startswith(f"ok   manual enrolment in course {moodle_emulator.course}  enabled") for line in lines)
    assert any(line.startswith("ok   sample read: courses  2 course(s), e.g. Onboarding (ONBOARD)") for line in lines)
    assert moodle_emulator.site.calls["enrol_manual_enrol_users"] == 1
    assert not [key for key in moodle_emulator.site.enrolments if key[0] == int(moodle_emulator.course)]
    tenant.session.expire_all()
    assert conn.status == "ok"
    assert [e.detail["passed"] for e in tenant.all(AuditEvent, AuditEvent.action == "connection.tested")] == [True]


def test_a_missing_function_and_a_course_without_manual_enrolment_say_what_to_fix(settings, make_org, moodle_emulator):  # noqa: F811
    site = moodle_emulator.site
    site.services["probe_service"]["functions"].remove("core_group_get_course_groups")
    site.manual_on_new_courses = False
    closed = str(new_course(site, {"shortname": "NOMAN", "fullname": "No manual"})["id"])
    tenant = make_org("uni2")
    flipside(settings, "connect", "moodle", "uni2", "--url", moodle_emulator.url, "--token", TOKEN)
    conn = tenant.all(Connection)[0]
    tenant.add(Programme(name="Cohort", lms_connection_id=conn.id, lms_course_id=closed))
    tenant.session.commit()
    tested = flipside(settings, "connect", "test", str(conn.id))
    lines = tested.output.splitlines()
    assert tested.exit_code == 1
    assert any(
        line.startswith(
            "FAIL function core_group_get_course_groups  missing: add "
            "core_group_get_course_groups to the web service's functions"
        )
        for line in lines
    )
    assert any(
        line.startswith(f"FAIL manual enrolment in course {closed}  missing: add 'Manual enrolments'") for line in lines
    )
    tenant.session.expire_all()
    assert conn.status == "error" and "core_group_get_course_groups" in conn.status_detail


def test_a_refused_moodle_token_fails_the_test(settings, make_org, moodle_emulator):  # noqa: F811
    tenant = make_org("uni3")
    flipside(settings, "connect", "moodle", "uni3", "--url", moodle_emulator.url, "--token", "wrong-token")
    conn = tenant.all(Connection)[0]
    tested = flipside(settings, "connect", "test", str(conn.id))
    assert tested.exit_code == 1
    assert tested.output.startswith("FAIL authentication  Moodle refused the token")
    tenant.session.expire_all()
    assert conn.status == "error"


@pytest.mark.parametrize(
    "args, says",
    [
        (["--url", "ftp://moodle.example.com", "--token", "t"], "is not an http(s) address"),
        (["--url", "http://moodle.example.com", "--token", "t"], "use https"),
        (["--url", "https://moodle.example.com?x=1", "--token", "t"], "is not an http(s) address"),
        (["--url", "https://moodle.example.com"], "give --token, or --username"),
        (["--url", "https://moodle.example.com", "--token", "t", "--username", "u"], "give --token, or --username"),
        (["--url", "https://moodle.example.com", "--username", "u"], "--username needs --password and --service"),
        (["--url", "https://moodle.example.com", "--token", "two words"], "without spaces"),
        (["--url", "https://moodle.example.com", "--token", "t", "--user-auth", "x" * 65], "not valid"),
    ],
)
def test_bad_moodle_arguments_store_nothing(settings, make_org, args, says):
    tenant = make_org("strict")
    result = flipside(settings, "connect", "moodle", "strict", *args)
    assert result.exit_code != 0 and says in result.output
    tenant.session.expire_all()
    assert tenant.all(Connection) == []


@pytest.mark.parametrize(
    "args, says",
    [
        (["--url", "https://canvas.example.com"], "give --token, or --client-id"),
        (["--url", "https://canvas.example.com", "--client-id", "1"], "--client-id needs --client-secret"),
        (["--url", "javascript:alert(1)", "--token", "t"], "is not an http(s) address"),
        (["--url", "https://canvas.example.com", "--token", "t", "--account", "x" * 65], "not valid"),
    ],
)
def test_bad_canvas_arguments_store_nothing(settings, make_org, args, says):
    tenant = make_org("strict-canvas")
    result = flipside(settings, "connect", "canvas", "strict-canvas", *args)
    assert result.exit_code != 0 and says in result.output
    tenant.session.expire_all()
    assert tenant.all(Connection) == []


def test_an_unknown_organisation_stores_nothing(settings, session):
    result = flipside(settings, "connect", "moodle", "nobody", "--url", "https://m.example.com", "--token", "t")
    assert result.exit_code == 1 and "no organisation 'nobody'" in result.output
    assert session.query(Connection).execution_options(all_tenants=True).count() == 0


@pytest.fixture
def canvas():
    emulator = CanvasEmulator(scopes=None)
    emulator.start()
    emulator.add_course("Reverse mentoring", "RM27")
    yield emulator
    emulator.stop()


def test_canvas_token_connection_reports_each_scope(settings, make_org, canvas):
    token = canvas.issue_token()["access_token"]
    canvas.scopes = {
        "url:GET|/api/v1/accounts/:account_id/users",
        "url:GET|/api/v1/accounts/:account_id/courses",
        "url:POST|/api/v1/courses/:course_id/enrollments",
    }
    tenant = make_org("school")
    made = flipside(settings, "connect", "canvas", "school", "--url", canvas.url, "--token", token, "--account", "1")
    assert made.exit_code == 0, made.output
    conn = tenant.all(Connection)[0]
    tested = flipside(settings, "connect", "test", str(conn.id))
    lines = tested.output.splitlines()
    assert tested.exit_code == 1
    assert "ok   scope url:POST|/api/v1/courses/:course_id/enrollments  enrol pairs in the programme's course" in lines
    assert any(
        line.startswith(
            "FAIL scope url:POST|/api/v1/groups/:group_id/memberships  missing: add this scope to the developer key"
        )
        for line in lines
    )
    assert "ok   sample read: courses  2 course(s), e.g. Flipside (FLIP)" in lines
    assert not canvas.enrolments and not canvas.groups  # probing wrote nothing
    canvas.scopes = None  # a key that does not enforce scopes
    assert flipside(settings, "connect", "test", str(conn.id)).exit_code == 0
    tenant.session.expire_all()
    assert conn.status == "ok"


def test_canvas_connects_through_its_oauth_consent_then_tests_ok(settings, make_org, vault, canvas, client, app):
    from urllib.parse import parse_qs, urlsplit

    import requests

    from plugin.services.oauth_connect import connect_link

    tenant = make_org("consent")
    made = flipside(
        settings,
        "connect",
        "canvas",
        "consent",
        "--url",
        canvas.url,
        "--client-id",
        canvas.client_id,
        "--client-secret",
        canvas.client_secret,
    )
    assert made.exit_code == 0, made.output
    conn = tenant.all(Connection)[0]
    started = client.get(connect_link(app.secret_key, "", conn))
    consent = urlsplit(started.location)
    assert started.status_code == 302 and consent.path == "/login/oauth2/auth"
    assert parse_qs(consent.query)["code_challenge_method"] == ["S256"]
    back = urlsplit(requests.get(started.location, allow_redirects=False, timeout=5).headers["Location"])
    forged = client.get(f"{back.path}?code=stolen&state=forged")
    assert forged.status_code == 403
    tenant.session.expire_all()
    assert tenant.get(Connection, conn.id).tokens_ciphertext is None  # a forged state stored nothing
    started = client.get(connect_link(app.secret_key, "", conn))
    back = urlsplit(requests.get(started.location, allow_redirects=False, timeout=5).headers["Location"])
    done = client.get(f"{back.path}?{back.query}")
    assert done.status_code == 200 and b"Canvas is connected" in done.data
    tenant.session.expire_all()
    assert connections.tokens(tenant.get(Connection, conn.id), vault)["refresh_token"]
    assert flipside(settings, "connect", "test", str(conn.id)).exit_code == 0
    tenant.session.expire_all()
    assert tenant.get(Connection, conn.id).status == "ok"
