"""The HR admin JSON API: token auth, validated bodies, programmes through their lifecycle, matching, approval."""

import pytest
from sqlalchemy import select

from plugin.demo.workforce import generate_workforce
from plugin.jobs.queue import get_queue
from plugin.models import PairEnrolment
from plugin.services import api_tokens, roster
from plugin.services.connections import create_connection
from plugin.services.enrolment_batch import BATCH_MIN
from tests.lms_fixtures import moodle_connection

PROGRAMME = {
    "name": "Digital fluency 2027",
    "mentors_per_executive": 1,
    "min_overlap_hours": 1,
    "mentee_rules": {"all": [{"field": "job_level", "op": ">=", "value": 7}]},
    "mentor_rules": {"all": [{"field": "job_level", "op": "<=", "value": 2}]},
    "framing": {"JP": {"relationship": "knowledge exchange partnership"}},
}


@pytest.fixture
def acme(make_org):
    return make_org("acme")


@pytest.fixture
def lms(acme, vault):
    return moodle_connection(acme, vault, "https://moodle.example.test").id


@pytest.fixture
def hris(acme, vault):
    conn = create_connection(acme, vault, "bamboohr", settings={"company": "acme"}, credentials={"api_key": "k"})
    acme.session.commit()
    return conn.id


@pytest.fixture
def api(acme, session, client):
    tenant = acme
    roster.upsert_employees(tenant, generate_workforce(800, seed=5))
    roster.relink_managers(tenant)
    token = api_tokens.issue(tenant, "bi")
    session.commit()

    def call(method, path, **kw):
        return client.open(f"/api/v1{path}", method=method, headers={"Authorization": f"Bearer {token}"}, **kw)

    return call


def test_requests_without_a_valid_token_are_refused(client, api):
    assert client.get("/api/v1/programmes").status_code == 401
    bad = client.get("/api/v1/programmes", headers={"Authorization": "Bearer fsk_forged"})
    assert bad.status_code == 401 and "unknown or revoked" in bad.json["error"]["message"]


def test_invalid_body_lists_every_problem_and_stores_nothing(api):
    response = api(
        "POST",
        "/programmes",
        json={"name": "", "mentors_per_executive": 5, "mentor_rules": {"all": [{"field": "salary", "op": "<"}]}},
    )
    assert response.status_code == 400
    fields = response.json["error"]["fields"]
    assert {"name", "mentors_per_executive", "mentor_rules"} <= set(fields)
    assert api("GET", "/programmes").json == []
    assert api("POST", "/programmes", data="not json", content_type="application/json").status_code == 400


def test_programme_from_creation_to_approved_pairs_with_enrolment_jobs(api, settings, lms):
    created = api("POST", "/programmes", json=PROGRAMME | {"lms_connection_id": lms, "lms_course_id": "42"})
    assert created.status_code == 201 and created.json["status"] == "draft"
    pid = created.json["id"]
    added = api("POST", f"/programmes/{pid}/participants").json["added"]
    assert added["mentee"] > 0 and added["mentor"] > 0
    preview = api("POST", f"/programmes/{pid}/match?dry_run=1").json
    assert preview["dry_run"] and preview["filled"] > 0 and api("GET", f"/programmes/{pid}/pairs").json == []
    run = api("POST", f"/programmes/{pid}/match").json
    assert run["optimal"] is True and run["pairs"][0]["explanation"]
    pairs = api("GET", f"/programmes/{pid}/pairs").json
    assert len(pairs) == run["filled"]
    approved = api("POST", f"/programmes/{pid}/approve").json
    assert sorted(approved["approved"]) == sorted(p["id"] for p in pairs)
    # a Moodle cohort of 10 pairs or more goes in batch jobs per course (up to 500 pairs each)
    assert len(approved["enrolment_jobs"]) == (1 if len(pairs) >= BATCH_MIN else len(pairs))
    assert api("GET", f"/programmes/{pid}").json["status"] == "active"
    queue = get_queue(settings)
    assert set(approved["enrolment_jobs"]) <= set(queue.job_ids)
    queue.empty()


def test_approving_a_programme_without_an_lms_course_queues_no_enrolment(api, settings, session):
    pid = api("POST", "/programmes", json=PROGRAMME).json["id"]
    api("POST", f"/programmes/{pid}/participants")
    api("POST", f"/programmes/{pid}/match")
    approved = api("POST", f"/programmes/{pid}/approve").json
    assert approved["approved"] and approved["enrolment_jobs"] == []
    assert get_queue(settings).job_ids == []
    everyone = select(PairEnrolment).execution_options(all_tenants=True)
    assert session.scalars(everyone).all() == []  # nothing shows as "queued" that never will run


def test_an_hris_connection_is_refused_as_the_lms_of_a_programme(api, hris):
    refused = api("POST", "/programmes", json=PROGRAMME | {"lms_connection_id": hris, "lms_course_id": "42"})
    assert refused.status_code == 409 and "lms_connection_id" in refused.json["error"]["fields"]


def test_lifecycle_steps_are_checked(api):
    pid = api("POST", "/programmes", json=PROGRAMME).json["id"]
    refused = api("POST", f"/programmes/{pid}/status", json={"status": "completed"})
    assert refused.status_code == 409 and "cannot become completed" in refused.json["error"]["message"]


def test_another_organisations_programme_is_not_found(api, make_org, session, client):
    other = make_org("globex")
    token = api_tokens.issue(other, "theirs")
    session.commit()
    pid = api("POST", "/programmes", json=PROGRAMME).json["id"]
    response = client.get(f"/api/v1/programmes/{pid}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 404


def test_profile_csv_keeps_good_rows_and_reports_bad_ones_by_line(api, session):
    from plugin.models import Employee

    anyone = session.query(Employee).execution_options(all_tenants=True)
    email = anyone.filter(Employee.active.is_(True)).first().work_email
    csv_text = (
        "email,languages,sync_style,timezone,work_start_hour,work_end_hour\n"
        f"{email},en:5;ja:3,synchronous,Asia/Tokyo,8,16\n"
        "nobody@example.test,en:5,,,,\n"
        f"{email},en:9,,,,\n"
        f"{email},,sometimes,Mars/Olympus,,\n"
    )
    report = api("POST", "/profiles/import", data=csv_text, content_type="text/csv").json
    assert report["imported"] == 1
    assert [r["line"] for r in report["rejected"]] == [3, 4, 5]
    assert "no active employee" in report["rejected"][0]["reason"]


def test_openapi_document_lists_the_programme_endpoints(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.") and "/programmes" in spec["paths"]
    assert "Programme" in spec["components"]["schemas"]
