"""The JSON API for impact and pair health: token auth, the same numbers as the services, CSV, OpenAPI."""

from datetime import date

import pytest

from plugin.models import Nudge
from plugin.services import api_tokens
from tests.admin_world import START, add_employee, add_pair, add_programme


@pytest.fixture
def seeded(make_org, session):
    """An organisation with an active programme, 6 paired mentors and 10 comparable colleagues, and a token."""
    tenant = make_org()
    programme = add_programme(tenant)
    for n in range(6):
        add_pair(
            tenant,
            programme,
            add_employee(tenant, n),
            add_employee(tenant, 100 + n, job_level=8, department="Leadership", birth_year=1970),
        )
    for n in range(10):
        add_employee(tenant, 200 + n, termination_date=date(2025, 1, 15) if n < 2 else None)
    token = api_tokens.issue(tenant, "bi")
    session.commit()
    return tenant, programme, {"Authorization": f"Bearer {token}"}


def test_impact_needs_a_token(client, seeded):
    _, programme, _ = seeded
    answer = client.get(f"/api/v1/programmes/{programme.id}/impact")
    assert answer.status_code == 401


def test_impact_report_shows_matched_cells_and_suppresses_small_ones(client, seeded):
    _, programme, auth = seeded
    body = client.get(f"/api/v1/programmes/{programme.id}/impact?as_of=2026-11-01", headers=auth).get_json()
    assert body["index_date"] == START.isoformat() and body["threshold"] == 5
    mentors = next(c for c in body["cells"] if (c["group"], c["outcome"], c["months"]) == ("mentors", "retention", 12))
    assert (mentors["participants"], mentors["comparison"], mentors["comparison_rate"]) == (6, 10, 0.8)
    assert mentors["absolute"]["low"] < 0.2 < mentors["absolute"]["high"]
    mentees = next(c for c in body["cells"] if c["group"] == "mentees")
    assert mentees["status"] == "suppressed" and mentees["participants"] is None
    assert "opt-in" in body["warning"]


def test_impact_csv_downloads(client, seeded):
    _, programme, auth = seeded
    answer = client.get(f"/api/v1/programmes/{programme.id}/impact.csv?as_of=2026-11-01", headers=auth)
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert "attachment" in answer.headers["Content-Disposition"]
    assert answer.get_data(as_text=True).count("\n") == 13


def test_settings_change_the_roi_and_refuse_a_low_threshold(client, seeded):
    _, programme, auth = seeded
    url = f"/api/v1/programmes/{programme.id}/impact/settings"
    assert client.patch(url, json={"threshold": 2}, headers=auth).status_code == 400
    changed = client.patch(url, json={"replacement_cost": 45000, "currency": "GBP"}, headers=auth).get_json()
    assert (changed["replacement_cost"], changed["currency"], changed["threshold"]) == (45000.0, "GBP", 5)
    roi = client.get(f"/api/v1/programmes/{programme.id}/impact?as_of=2026-11-01", headers=auth).get_json()["roi"]
    assert roi["value"]["estimate"] == pytest.approx(0.2 * 6 * 45000)


def test_pair_health_and_nudge(client, seeded):
    tenant, programme, auth = seeded
    rows = client.get(f"/api/v1/programmes/{programme.id}/pair-health", headers=auth).get_json()
    assert len(rows) == 6 and rows[0]["status"] == "at_risk" and rows[0]["can_nudge"]
    assert rows[0]["reasons"][0] == "No session for two cadence periods"
    first = client.post(f"/api/v1/pairs/{rows[0]['pair_id']}/nudge", headers=auth)
    assert first.status_code == 201
    assert client.post(f"/api/v1/pairs/{rows[0]['pair_id']}/nudge", headers=auth).status_code == 409
    assert tenant.count(Nudge) == 1


def test_another_organisations_programme_is_not_found(client, seeded, make_org, session):
    _, programme, _ = seeded
    other = make_org()
    token = api_tokens.issue(other, "bi")
    session.commit()
    answer = client.get(f"/api/v1/programmes/{programme.id}/impact", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 404


def test_openapi_documents_the_analytics_endpoints(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert {
        "/programmes/{programme_id}/impact",
        "/programmes/{programme_id}/pair-health",
        "/pairs/{pair_id}/nudge",
    } <= set(spec["paths"])
    cell = spec["components"]["schemas"]["Cell"]["properties"]
    assert {"absolute", "relative", "status"} <= set(cell)


def test_text_with_a_nul_character_is_refused_not_a_server_error(client, seeded):
    _, _, auth = seeded
    answer = client.post("/api/v1/programmes", json={"name": "Pilot\u0000"}, headers=auth)
    assert answer.status_code == 400 and "NUL" in answer.get_json()["error"]["message"]
