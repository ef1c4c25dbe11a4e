"""Audit: every page and API call that shows named people writes `identifiable.viewed` (who, what, when);
HR admins read the log at /admin/audit with filters and pages, and export it; coordinators cannot."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from plugin.models import ApiToken, AuditEvent
from plugin.services import access, admin_login, api_tokens, audit
from tests.admin_world import add_employee, add_pair, add_programme

CSRF = "test-csrf-token"


@pytest.fixture
def world(make_org, session):
    tenant = make_org("acme")
    programme = add_programme(tenant)
    hr = add_employee(tenant, 900, first_name="Hana", last_name="Admin", work_email="hana@example.test")
    for n in range(3):
        add_pair(tenant, programme, add_employee(tenant, n), add_employee(tenant, 100 + n, job_level=8))
    token = api_tokens.issue(tenant, "bi")
    session.commit()
    return tenant, programme, hr, token


def _sign_in(client, user: dict) -> None:
    with client.session_transaction() as s:
        s["user"] = user
        s["csrf_token"] = CSRF


def _hr(tenant, hr) -> dict:
    return {**admin_login.session_user(tenant.organisation_id), "employee_id": hr.id, "launch_id": "launch-1"}


def _views(tenant, session) -> list[tuple]:
    session.expire_all()
    rows = tenant.all(AuditEvent, AuditEvent.action == "identifiable.viewed")
    return [(e.actor, e.detail["what"], e.subject_type, e.subject_id) for e in sorted(rows, key=lambda e: e.id)]


def test_every_identifiable_page_and_api_call_is_audited(client, world, session):
    tenant, programme, hr, token = world
    _sign_in(client, _hr(tenant, hr))
    for path in ("participants", "participants.csv", "health", "matches"):
        assert client.get(f"/admin/programmes/{programme.id}/{path}").status_code == 200, path
    assert client.get("/admin/pairs/health").status_code == 200
    api = client.get(f"/api/v1/programmes/{programme.id}/pair-health", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200 and len(api.get_json()) == 3
    me, pid = f"hr_admin:employee:{hr.id}", str(programme.id)
    token_id = tenant.all(ApiToken)[0].id
    assert _views(tenant, session) == [
        (me, "participant list", "programme", pid),
        (me, "participant CSV", "programme", pid),
        (me, "pair health", "programme", pid),
        (me, "match review", "programme", pid),
        (me, "pair health", "organisation", str(tenant.organisation_id)),
        (f"api_token:{token_id}", "pair health", "programme", pid),
    ]
    listed = tenant.all(AuditEvent, AuditEvent.action == "identifiable.viewed")
    assert all(e.created_at is not None for e in listed)
    assert {e.detail.get("shown") for e in listed if e.detail["what"] == "pair health"} == {3}


def test_a_refused_look_writes_nothing(client, world, session):
    tenant, _, hr, _ = world
    _sign_in(client, _hr(tenant, hr))
    assert client.get("/admin/programmes/99999/participants").status_code == 404
    refused = client.get("/api/v1/programmes/1/pair-health", headers={"Authorization": "Bearer fsk_nope"})
    assert refused.status_code == 401
    assert _views(tenant, session) == []


def _event(tenant, actor: str, action: str, when: datetime) -> None:
    row = audit.record(tenant, actor, action, "pair", 1)
    row.created_at = when


def test_hr_reads_the_log_with_filters_and_pages(client, world, session):
    tenant, _, hr, _ = world
    for n in range(60):
        _event(tenant, "hr_admin:employee:7", "identifiable.viewed", datetime(2026, 3, 1 + n % 28, 9, tzinfo=UTC))
    _event(tenant, "coordinator:ko@example.test", "pair.nudged", datetime(2026, 4, 2, 9, tzinfo=UTC))
    session.commit()
    _sign_in(client, _hr(tenant, hr))
    page = client.get("/admin/audit?event=identifiable.viewed&from=2026-03-01&to=2026-03-31").get_data(as_text=True)
    assert "Events 1 to 50 of 60" in page and page.count('data-event="') == 50 and "Page 1 of 2" in page
    second = client.get("/admin/audit?event=identifiable.viewed&from=2026-03-01&to=2026-03-31&page=2")
    assert second.get_data(as_text=True).count('data-event="') == 10
    nudges = client.get("/admin/audit?actor=KO@example").get_data(as_text=True)
    assert "Events 1 to 1 of 1" in nudges and "pair.nudged" in nudges
    april = client.get("/admin/audit?from=2026-04-01&to=2026-04-02").get_data(as_text=True)
    assert "Events 1 to 1 of 1" in april
    assert client.get("/admin/audit?from=yesterday").status_code == 400
    assert client.get("/admin/audit?from=2026-04-02&to=2026-04-01").status_code == 400


def test_hr_exports_the_filtered_log_and_the_export_is_audited(client, world, session):
    tenant, _, hr, _ = world
    _event(tenant, "=HYPERLINK(1)", "pair.nudged", datetime(2026, 4, 2, 9, tzinfo=UTC))
    _event(tenant, "hr_admin:employee:7", "programme.created", datetime(2026, 4, 3, 9, tzinfo=UTC))
    session.commit()
    _sign_in(client, _hr(tenant, hr))
    answer = client.get("/admin/audit.csv?event=pair.nudged")
    assert answer.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    assert [(r["actor"], r["event"], r["when_utc"]) for r in rows] == [
        ("'=HYPERLINK(1)", "pair.nudged", "2026-04-02T09:00:00+00:00")
    ]
    session.expire_all()
    exported = tenant.all(AuditEvent, AuditEvent.action == "audit.exported")
    assert [(e.actor, e.detail["event"]) for e in exported] == [(f"hr_admin:employee:{hr.id}", "pair.nudged")]


def test_coordinators_cannot_read_or_export_the_log(client, world, session):
    tenant, programme, _, _ = world
    access.grant(tenant, "coord@example.test", "coordinator", programme.id, actor="test")
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
    assert client.get("/admin/audit").status_code == 403
    assert client.get("/admin/audit.csv").status_code == 403
    assert client.get(f"/admin/programmes/{programme.id}/health").status_code == 200
    assert _views(tenant, session) == [
        ("coordinator:coord@example.test", "pair health", "programme", str(programme.id))
    ]
