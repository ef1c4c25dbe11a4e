"""The connections page: an HR admin adds, edits, tests and removes BambooHR, Workday, Moodle and Canvas
connections; bad settings are refused field by field and store nothing; removing says what stops."""

from __future__ import annotations

import pytest

from plugin.models import AuditEvent, Connection, Programme
from plugin.services import admin_login, connections
from tests.lms_fixtures import TOKEN, moodle_emulator  # noqa: F401 (fixture)

CSRF = "test-csrf-token"


@pytest.fixture
def admin(client, make_org):
    tenant = make_org("acme")
    tenant.session.commit()
    with client.session_transaction() as s:
        s["user"] = admin_login.session_user(tenant.organisation_id)
        s["csrf_token"] = CSRF
    return client, tenant


def post(client, url, **form):
    return client.post(url, data={"csrf_token": CSRF, **form})


def test_an_admin_adds_tests_and_edits_a_moodle_connection(admin, vault, moodle_emulator):  # noqa: F811
    client, tenant = admin
    assert b"Connect Moodle" in client.get("/admin/connections/new").data
    made = post(
        client, "/admin/connections/new?vendor=moodle", name="Campus", base_url=moodle_emulator.url, token=TOKEN
    )
    assert made.status_code == 303
    conn = tenant.all(Connection)[0]
    assert (conn.vendor, conn.name, conn.settings) == ("moodle", "Campus", {"base_url": moodle_emulator.url})
    assert TOKEN.encode() not in conn.credentials_ciphertext and connections.credentials(conn, vault)["token"] == TOKEN
    page = client.get("/admin/connections").data.decode()
    assert f'action="/admin/connections/{conn.id}/test"' in page
    tested = post(client, f"/admin/connections/{conn.id}/test")
    assert tested.status_code == 200
    assert 'data-status="ok"' in tested.data.decode() and b"Every check passed" in tested.data
    assert b"core_group_get_course_groups" in tested.data
    edit_page = client.get(f"/admin/connections/{conn.id}/edit").data.decode()
    assert moodle_emulator.url in edit_page and TOKEN not in edit_page  # the secret is never shown again
    edited = post(
        client,
        f"/admin/connections/{conn.id}/edit",
        name="Campus LMS",
        base_url=moodle_emulator.url,
        token="",
        user_auth="oauth2",
    )
    assert edited.status_code == 303
    tenant.session.expire_all()
    conn = tenant.get(Connection, conn.id)
    assert conn.name == "Campus LMS" and conn.settings["user_auth"] == "oauth2" and conn.status == "new"
    assert connections.credentials(conn, vault)["token"] == TOKEN  # left empty: kept
    assert {e.action for e in tenant.all(AuditEvent)} >= {
        "connection.created",
        "connection.tested",
        "connection.edited",
    }


def test_a_failing_test_says_what_to_fix(admin, moodle_emulator):  # noqa: F811
    client, tenant = admin
    moodle_emulator.site.services["probe_service"]["functions"].remove("core_group_add_group_members")
    post(client, "/admin/connections/new?vendor=moodle", base_url=moodle_emulator.url, token=TOKEN)
    conn = tenant.all(Connection)[0]
    page = post(client, f"/admin/connections/{conn.id}/test").data.decode()
    assert 'data-status="error"' in page and "1 of " in page
    assert "missing: add core_group_add_group_members to the web service&#39;s functions" in page


@pytest.mark.parametrize(
    "vendor, form, field",
    [
        ("moodle", {"base_url": "not a url", "token": "t"}, "base_url"),
        ("moodle", {"base_url": "https://m.example.com"}, "token"),
        ("moodle", {"base_url": "https://m.example.com", "token": "t", "user_auth": "x" * 65}, "user_auth"),
        ("canvas", {"base_url": "https://c.example.com"}, "client_id"),
        ("canvas", {"base_url": "https://c.example.com", "client_id": "1"}, "client_secret"),
        ("bamboohr", {"company": "acme corp!", "api_key": "k"}, "company"),
        ("bamboohr", {"company": "acme"}, "api_key"),
        (
            "workday",
            {"host": "h", "tenant": "t", "report": "no-slash", "client_id": "i", "client_secret": "s"},
            "report",
        ),
        ("workday", {"tenant": "t", "report": "a/b", "client_id": "i", "client_secret": "s"}, "host"),
    ],
)
def test_bad_settings_are_refused_by_field_and_store_nothing(admin, vendor, form, field):
    client, tenant = admin
    answer = post(client, f"/admin/connections/new?vendor={vendor}", **form)
    assert answer.status_code == 400
    assert f'id="{field}" name="{field}"' in answer.data.decode() and f'id="{field}-error"' in answer.data.decode()
    tenant.session.expire_all()
    assert tenant.all(Connection) == []


def test_every_vendor_can_be_added(admin, vault):
    client, tenant = admin
    forms = {
        "bamboohr": {"company": "acme", "client_id": "cid", "client_secret": "cs"},
        "workday": {
            "host": "wd2-impl-services1.workday.com",
            "tenant": "acme",
            "report": "isu/Workers",
            "client_id": "i",
            "client_secret": "s",
            "refresh_token": "r",
        },
        "moodle": {"base_url": "https://moodle.example.com", "token": "t"},
        "canvas": {"base_url": "https://canvas.example.com", "access_token": "tok", "account_id": "1"},
    }
    for vendor, form in forms.items():
        assert post(client, f"/admin/connections/new?vendor={vendor}", **form).status_code == 303, vendor
    stored = {c.vendor: c for c in tenant.all(Connection)}
    assert sorted(stored) == sorted(forms)
    assert connections.tokens(stored["canvas"], vault) == {"access_token": "tok"}
    assert stored["workday"].settings["report"] == "isu/Workers"
    page = post(client, f"/admin/connections/{stored['bamboohr'].id}/test").data.decode()
    assert "/connect/bamboohr/start?link=" in page  # an OAuth client with no token yet: the consent link
    listed = client.get("/admin/connections").data.decode()
    assert "/connect/bamboohr/start?link=" in listed  # also on the list
    assert "/connect/canvas/start" not in listed and "/connect/workday/start" not in listed  # they have grants


def test_removing_asks_for_the_name_and_says_what_stops(admin):
    client, tenant = admin
    post(client, "/admin/connections/new?vendor=moodle", name="Campus", base_url="https://m.example.com", token="t")
    conn = tenant.all(Connection)[0]
    programme = tenant.add(Programme(name="Cohort 2027", lms_connection_id=conn.id, lms_course_id="7"))
    tenant.session.commit()
    confirm = client.get(f"/admin/connections/{conn.id}/remove").data.decode()
    assert "stop enrolling pairs into Moodle" in confirm and "Cohort 2027" in confirm
    refused = post(client, f"/admin/connections/{conn.id}/remove", confirm="campus")
    assert refused.status_code == 400
    tenant.session.expire_all()
    assert tenant.count(Connection) == 1
    assert post(client, f"/admin/connections/{conn.id}/remove", confirm="Campus").status_code == 303
    tenant.session.expire_all()
    assert tenant.count(Connection) == 0
    assert tenant.get(Programme, programme.id).lms_connection_id is None
    assert tenant.count(AuditEvent, AuditEvent.action == "connection.removed") == 1


def test_another_organisations_connection_is_not_found(admin, make_org, vault):
    client, _ = admin
    other = make_org("other")
    foreign = connections.create_connection(
        other, vault, "moodle", settings={"base_url": "https://m.example.com"}, credentials={"token": "t"}
    )
    other.session.commit()
    for method, url in (("get", "edit"), ("post", "edit"), ("post", "test"), ("get", "remove"), ("post", "remove")):
        answer = getattr(client, method)(
            f"/admin/connections/{foreign.id}/{url}",
            data={"csrf_token": CSRF, "confirm": "moodle", "base_url": "https://x.io"},
        )
        assert answer.status_code == 404, (method, url)
    other.session.expire_all()
    assert other.get(Connection, foreign.id).settings == {"base_url": "https://m.example.com"}


def test_a_coordinator_can_neither_see_nor_change_connections(client, make_org, vault):
    from plugin.domain.roles import COORDINATOR

    tenant = make_org("acme")
    conn = connections.create_connection(
        tenant, vault, "moodle", settings={"base_url": "https://m.example.com"}, credentials={"token": "t"}
    )
    tenant.session.commit()
    with client.session_transaction() as s:
        s["user"] = {**admin_login.session_user(tenant.organisation_id), "role": COORDINATOR, "lms_role": COORDINATOR}
        s["csrf_token"] = CSRF
    for url in (
        "/admin/connections/new?vendor=moodle",
        f"/admin/connections/{conn.id}/edit",
        f"/admin/connections/{conn.id}/remove",
    ):
        assert client.get(url).status_code == 403, url
    assert post(client, f"/admin/connections/{conn.id}/remove", confirm="moodle").status_code == 403
    assert (
        post(client, "/admin/connections/new?vendor=moodle", base_url="https://evil.example.com", token="t").status_code
        == 403
    )
    tenant.session.expire_all()
    assert [c.id for c in tenant.all(Connection)] == [conn.id]
