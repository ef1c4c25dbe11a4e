"""Opt-in or HR-assigned, chosen in the set-up wizard: an HR-assigned programme takes everyone eligible
unless they opt out; an opt-in programme invites them, matches only those who said yes, and never those who
said no. An invitation is answered only by the person invited, only while it is open."""

from __future__ import annotations

import pytest

from plugin.models import AuditEvent, Pair, Participant, Programme
from plugin.services import admin_login, matching, programmes
from tests.admin_world import add_employee, add_programme

CSRF = "test-csrf-token"
RULES = dict(
    mentor_rules={"all": [{"field": "job_level", "op": "<=", "value": 2}]},
    mentee_rules={"all": [{"field": "job_level", "op": ">=", "value": 7}]},
)


def _as(client, tenant, employee_id=None):
    with client.session_transaction() as s:
        s["user"] = (
            {"organisation_id": tenant.organisation_id, "employee_id": employee_id, "role": "participant"}
            if employee_id
            else admin_login.session_user(tenant.organisation_id)
        )
        s["csrf_token"] = CSRF
    return client


@pytest.fixture
def org(make_org):
    tenant = make_org("optinco")
    people = {
        "exec": add_employee(tenant, 1, first_name="Petra", job_level=8, languages=["en"], preferred_language="en"),
        "yes": add_employee(tenant, 2, first_name="Yara", languages=["en"], preferred_language="en"),
        "no": add_employee(tenant, 3, first_name="Nils", languages=["en"], preferred_language="en"),
    }
    tenant.session.commit()
    return tenant, people


def _answer(client, programme_id, answer):
    return client.post(f"/me/programmes/{programme_id}/invitation", data={"csrf_token": CSRF, "answer": answer})


def test_an_opt_in_programme_matches_only_those_who_said_yes(client, org):
    tenant, people = org
    programme = add_programme(tenant, "Opt-in 2027", status="draft", enrolment="opt_in", min_overlap_hours=0.0, **RULES)
    tenant.session.commit()
    assert programmes.enrol_eligible(tenant, programme.id) == {"mentor": 2, "mentee": 1}
    assert tenant.all(Participant, Participant.opted_in.is_(True)) == [], "invited, not yet in"
    matching.run_matching(tenant, programme.id)
    assert tenant.all(Pair) == []
    tenant.session.commit()

    for who in ("exec", "yes"):
        page = _as(client, tenant, people[who].id).get("/me/pairs").get_data(as_text=True)
        assert "You are invited to take part in Opt-in 2027" in page
        assert _answer(client, programme.id, "join").status_code == 303
    page = _as(client, tenant, people["no"].id).get("/me/pairs").get_data(as_text=True)
    assert "You are invited to take part in Opt-in 2027" in page
    assert _answer(client, programme.id, "decline").status_code == 303
    assert "You are invited" not in client.get("/me/pairs").get_data(as_text=True)
    assert _answer(client, programme.id, "join").status_code == 404, "a no stays a no: the invitation is closed"

    tenant.session.expire_all()
    matching.run_matching(tenant, programme.id)
    (pair,) = tenant.all(Pair)
    assert (pair.mentee_employee_id, pair.mentor_employee_id) == (people["exec"].id, people["yes"].id)
    actions = sorted(e.action for e in tenant.all(AuditEvent) if e.action.startswith("participant."))
    assert actions == ["participant.declined", "participant.joined", "participant.joined"]


def test_an_hr_assigned_programme_takes_everyone_and_invites_no_one(client, org):
    tenant, people = org
    programme = add_programme(tenant, "Assigned 2027", status="draft", **RULES)
    tenant.session.commit()
    assert programme.enrolment == "hr_assigned"
    programmes.enrol_eligible(tenant, programme.id)
    assert len(tenant.all(Participant, Participant.opted_in.is_(True))) == 3
    tenant.session.commit()
    page = _as(client, tenant, people["yes"].id).get("/me/pairs").get_data(as_text=True)
    assert "You are invited" not in page
    assert _answer(client, programme.id, "join").status_code == 404


def test_nobody_answers_for_someone_else_or_a_programme_they_were_not_invited_to(client, org, make_org):
    tenant, people = org
    mine = add_programme(tenant, "Opt-in A", status="draft", enrolment="opt_in", **RULES)
    tenant.session.commit()
    programmes.enrol_eligible(tenant, mine.id)
    other = make_org("otherco")
    stranger = add_employee(other, 9, job_level=2)
    theirs = add_programme(other, "Elsewhere", status="draft", enrolment="opt_in", **RULES)
    other.session.commit()
    programmes.enrol_eligible(other, theirs.id)
    tenant.session.commit()
    _as(client, other, stranger.id)
    assert _answer(client, mine.id, "join").status_code == 404
    _as(client, tenant, people["yes"].id)
    assert _answer(client, theirs.id, "join").status_code == 404
    assert _answer(client, 2**40, "join").status_code == 404
    tenant.session.expire_all()
    assert tenant.all(Participant, Participant.opted_in.is_(True)) == []
    assert other.all(Participant, Participant.opted_in.is_(True)) == []


def test_the_wizard_stores_the_choice_and_refuses_anything_else(client, org):
    tenant, _ = org
    _as(client, tenant)
    post = lambda url, **form: client.post(url, data={"csrf_token": CSRF, **form})  # noqa: E731
    post("/admin/programmes/new?step=basics", name="Chosen", topics="")
    people = dict(mentor_max_level="2", mentee_min_level="7", mentors_per_executive="1")
    bad = post("/admin/programmes/new?step=people", **people, enrolment="everyone_forced")
    assert bad.status_code == 400 and "Choose whether HR assigns people" in bad.get_data(as_text=True)
    assert post("/admin/programmes/new?step=people", **people, enrolment="opt_in").status_code == 303
    post("/admin/programmes/new?step=rhythm", cadence_days="14", session_minutes="45", duration_weeks="26")
    review = client.get("/admin/programmes/new?step=review").get_data(as_text=True)
    assert "People opt in: everyone eligible is invited" in review
    assert post("/admin/programmes/new?step=review").status_code == 303
    (programme,) = tenant.all(Programme)
    assert programme.enrolment == "opt_in"
