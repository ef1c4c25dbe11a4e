"""The set-up wizard covers the engine's rules: eligibility by function, country and region, function mix,
criteria weights with a preview on today's roster (JSON for the page's script, and a plain-form fallback),
the completion rule, each region's wording, templates that prefill it, and the same steps editing a stored
programme. HR admins use it; a coordinator edits only their own programme; a participant is refused; bad
values are refused with the field's message and store nothing."""

from __future__ import annotations

import pytest

from plugin.domain.matching import CRITERIA
from plugin.models import CompletionRule, Employee, Pair, Participant, Programme
from plugin.services import admin_login, matching
from tests.admin_world import add_programme, load_workforce

CSRF = "test-csrf-token"
NEW = "/admin/programmes/new"


def _sign_in(client, organisation_id: int, **user):
    with client.session_transaction() as s:
        s["user"] = {**admin_login.session_user(organisation_id), **user}
        s["csrf_token"] = CSRF
    return client


def post(client, url, **form):
    return client.post(url, data={"csrf_token": CSRF, **form})


@pytest.fixture
def hr(client, make_org):
    tenant = make_org("wizardco")
    load_workforce(tenant, size=300, seed=5)
    tenant.session.commit()
    return _sign_in(client, tenant.organisation_id), tenant


PEOPLE = dict(mentor_max_level="2", mentee_min_level="7", mentors_per_executive="2", distinct_countries="on")
RHYTHM = dict(cadence_days="21", session_minutes="45", duration_weeks="26", max_extensions="2", min_sessions="8")


def _through(client, base=NEW, people=None, weights=None, rhythm=None):
    assert post(client, f"{base}?step=basics", name="Wizard 2027", topics="ai").status_code == 303
    assert post(client, f"{base}?step=people", **(people or PEOPLE)).status_code == 303
    if weights is not None:
        assert post(client, f"{base}?step=weights", **weights).status_code == 303
    assert post(client, f"{base}?step=rhythm", **(rhythm or RHYTHM)).status_code == 303


def test_every_step_is_stored_as_the_programme_the_engine_reads(hr):
    client, tenant = hr
    people = {**PEOPLE, "function_mix": "at_least_one_other", "mentor_countries": "de, jp,BR", "mentor_max_tenure": "3"}
    _through(client, people=people, weights={f"weight_{c}": "1" for c in CRITERIA} | {"weight_goals": "4.5"})
    review = client.get(f"{NEW}?step=review").get_data(as_text=True)
    assert "DE, JP, BR" in review and "At least one mentor from another function" in review
    assert "knowledge exchange partnership" in review, "Japan's wording is previewed"
    assert post(client, f"{NEW}?step=review").status_code == 303
    (programme,) = tenant.all(Programme)
    assert programme.function_mix == "at_least_one_other" and programme.weights["goals"] == 4.5
    assert {"field": "country", "op": "in", "value": ["DE", "JP", "BR"]} in programme.mentor_rules["all"]
    assert {"field": "tenure_years", "op": "<", "value": 3} in programme.mentor_rules["all"]
    assert (programme.cadence_days, programme.max_extensions) == (21, 2)
    (rule,) = tenant.all(CompletionRule, CompletionRule.programme_id == programme.id)
    assert (rule.min_sessions, rule.final_reflection) == (8, False)  # the box was left unticked
    client.post(f"/admin/programmes/{programme.id}/enrol", data={"csrf_token": CSRF})
    mentors = tenant.all(Participant, Participant.programme_id == programme.id, Participant.role == "mentor")
    countries = {tenant.get(Employee, m.employee_id).country for m in mentors}
    assert mentors and countries <= {"DE", "JP", "BR"}, "only the countries chosen send mentors"


def test_the_preview_changes_with_the_weights_and_stores_nothing(hr):
    client, tenant = hr
    _through(client)
    even = client.get(f"{NEW}/preview?" + "&".join(f"weight_{c}=1" for c in CRITERIA)).get_json()
    assert even["executives"] > 0 and even["mentors"] > 0 and even["places"] == 2 * even["executives"]
    assert 0 < even["filled"] <= even["places"] and 0 < even["mean_score"] <= 100
    only_hours = client.get(
        f"{NEW}/preview?" + "&".join(f"weight_{c}={1 if c == 'hours' else 0}" for c in CRITERIA)
    ).get_json()
    assert only_hours["mean_score"] != even["mean_score"]
    assert only_hours == matching.preview(
        tenant,
        {
            "mentor_rules": {"all": [{"field": "job_level", "op": "<=", "value": 2}]},
            "mentee_rules": {"all": [{"field": "job_level", "op": ">=", "value": 7}]},
            "mentors_per_executive": 2,
            "distinct_countries": True,
            "weights": {c: 1.0 if c == "hours" else 0.0 for c in CRITERIA},
        },
    )
    assert tenant.all(Programme) == [] and tenant.all(Pair) == [] and tenant.all(Participant) == []


def test_without_script_the_preview_button_shows_the_numbers_on_the_page(hr):
    client, tenant = hr
    _through(client)
    page = post(client, f"{NEW}?step=weights", action="preview", weight_goals="3")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="preview-numbers"' in text and "executives get a full panel" in text
    assert 'value="3"' in text, "the weights typed stay in the form"
    assert tenant.all(Programme) == []


@pytest.mark.parametrize(
    "field, value",
    [("weight_goals", "abc"), ("weight_goals", "-1"), ("weight_goals", "nan"), ("weight_goals", "1e9")],
)
def test_a_bad_weight_is_refused_by_the_step_and_the_preview(hr, field, value):
    client, tenant = hr
    _through(client)
    page = post(client, f"{NEW}?step=weights", **{field: value})
    assert page.status_code == 400 and "A weight from 0 to 5" in page.get_data(as_text=True)
    answer = client.get(f"{NEW}/preview?{field}={value}")
    assert answer.status_code == 400 and field in answer.get_json()["errors"]
    assert tenant.all(Programme) == []


def test_all_weights_zero_is_refused(hr):
    client, tenant = hr
    _through(client)
    page = post(client, f"{NEW}?step=weights", **{f"weight_{c}": "0" for c in CRITERIA})
    assert page.status_code == 400 and "at least one criterion a weight above 0" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    "people, message",
    [
        ({"mentor_countries": "Germany"}, "two-letter country codes"),
        ({"mentee_functions": ",".join(f"F{n}" for n in range(40))}, "At most 30 entries"),
        ({"function_mix": "everyone_from_sales"}, "Choose one of the function mixes offered"),
        ({"mentor_max_tenure": "0"}, "Between 1 and 50"),
    ],
)
def test_bad_eligibility_is_refused_with_its_message_and_nothing_stored(hr, people, message):
    client, tenant = hr
    post(client, f"{NEW}?step=basics", name="Bad", topics="")
    page = post(client, f"{NEW}?step=people", **PEOPLE, **people)
    assert page.status_code == 400 and message in page.get_data(as_text=True)
    assert post(client, f"{NEW}?step=review").status_code == 400, "the people step is still missing"
    assert tenant.all(Programme) == []


def test_a_template_prefills_the_wizard(hr):
    client, tenant = hr
    assert b"Panels of three" in client.get(NEW).data
    assert client.get(f"{NEW}?template=panels_of_three").status_code == 303
    people = client.get(f"{NEW}?step=people").get_data(as_text=True)
    assert 'name="mentors_per_executive" min="1" max="3" value="3"' in people
    assert '<option value="at_least_one_other" selected>' in people
    rhythm = client.get(f"{NEW}?step=rhythm").get_data(as_text=True)
    assert 'name="cadence_days" min="1" max="90" value="21"' in rhythm
    assert client.get(f"{NEW}?template=nothing-like-it").status_code == 404


def test_a_stored_programme_is_edited_with_the_same_steps(hr):
    client, tenant = hr
    _through(client)
    post(client, f"{NEW}?step=review")
    (programme,) = tenant.all(Programme)
    edit = f"/admin/programmes/{programme.id}/edit"
    assert b"Edit the programme" in client.get(f"/admin/programmes/{programme.id}/").data
    basics = client.get(edit).get_data(as_text=True)
    assert 'value="Wizard 2027"' in basics
    assert post(client, f"{edit}?step=basics", name="Wizard 2027, second go", topics="ai").status_code == 303
    assert post(client, f"{edit}?step=rhythm", **{**RHYTHM, "min_sessions": "5"}).status_code == 303
    assert post(client, f"{edit}?step=review").status_code == 303
    tenant.session.expire_all()
    programme = tenant.get(Programme, programme.id)
    assert programme.name == "Wizard 2027, second go" and programme.mentors_per_executive == 2
    (rule,) = tenant.all(CompletionRule, CompletionRule.programme_id == programme.id)
    assert rule.min_sessions == 5


def test_an_active_programme_keeps_its_pairing_rules_and_says_so(hr):
    client, tenant = hr
    _through(client)
    post(client, f"{NEW}?step=review")
    (programme,) = tenant.all(Programme)
    programme.status = "active"
    tenant.session.commit()
    edit = f"/admin/programmes/{programme.id}/edit"
    client.get(edit)
    post(client, f"{edit}?step=people", **{**PEOPLE, "mentors_per_executive": "3"})
    refused = post(client, f"{edit}?step=review")
    assert refused.status_code == 400
    assert "Pairing rules cannot change once a programme is active." in refused.get_data(as_text=True)
    tenant.session.expire_all()
    assert tenant.get(Programme, programme.id).mentors_per_executive == 2
    client.get(edit)  # a fresh draft: only the name changes, which an active programme allows
    post(client, f"{edit}?step=basics", name="Renamed while running", topics="ai")
    assert post(client, f"{edit}?step=review").status_code == 303
    tenant.session.expire_all()
    assert tenant.get(Programme, programme.id).name == "Renamed while running"


def test_a_coordinator_edits_only_their_programme_and_a_participant_nothing(client, make_org):
    tenant = make_org("coordco")
    mine = add_programme(tenant, "Course two", lms_course_id="2", status="draft")
    theirs = add_programme(tenant, "Course nine", lms_course_id="9", status="draft")
    tenant.session.commit()
    coordinator = dict(role="coordinator", lms_role="coordinator", email="coord@example.test", courses=["2"])
    _sign_in(client, tenant.organisation_id, **coordinator)
    assert client.get(f"/admin/programmes/{mine.id}/edit").status_code == 200
    assert client.get(f"/admin/programmes/{mine.id}/edit/preview?weight_goals=2").status_code == 200
    assert post(client, f"/admin/programmes/{mine.id}/edit?step=basics", name="Mine renamed").status_code == 303
    for url in (f"/admin/programmes/{theirs.id}/edit", f"/admin/programmes/{theirs.id}/edit/preview", NEW):
        assert client.get(url).status_code in (403, 404), url
    assert post(client, f"/admin/programmes/{theirs.id}/edit?step=basics", name="Taken").status_code in (403, 404)
    assert post(client, f"{NEW}?step=basics", name="Sneaky").status_code == 403
    _sign_in(client, tenant.organisation_id, role="participant", lms_role="participant", email="p@example.test")
    for url in (f"/admin/programmes/{mine.id}/edit", NEW, f"{NEW}/preview"):
        assert client.get(url).status_code == 403, url
    tenant.session.expire_all()
    assert tenant.get(Programme, theirs.id).name == "Course nine"
    assert sorted(p.name for p in tenant.all(Programme)) == ["Course nine", "Course two"]


def test_the_preview_counts_only_this_organisations_people(hr, make_org):
    client, tenant = hr
    empty = make_org("emptyco")
    settings = {
        "mentor_rules": {"all": [{"field": "job_level", "op": "<=", "value": 2}]},
        "mentee_rules": {"all": [{"field": "job_level", "op": ">=", "value": 7}]},
    }
    assert matching.preview(tenant, settings)["executives"] > 0
    assert matching.preview(empty, settings) == {
        "executives": 0,
        "mentors": 0,
        "full_panels": 0,
        "filled": 0,
        "places": 0,
        "mean_score": None,
    }


def test_an_edit_keeps_the_rules_the_form_does_not_show_and_out_of_the_cookie(hr):
    client, tenant = hr
    named = list(range(1, 201))  # people named one by one: too many for a session cookie
    programme = add_programme(
        tenant,
        "Hand-made rules",
        status="draft",
        mentors_per_executive=1,
        mentor_rules={
            "all": [
                {"field": "job_level", "op": "<=", "value": 3},
                {"field": "age", "op": "<", "value": 30},
                {"field": "country", "op": "in", "value": ["DE"]},
            ],
            "employee_ids": named,
        },
        mentee_rules={"all": [{"field": "job_level", "op": ">=", "value": 8}]},
    )
    tenant.session.commit()
    edit = f"/admin/programmes/{programme.id}/edit"
    people = client.get(f"{edit}?step=basics") and client.get(f"{edit}?step=people").get_data(as_text=True)
    assert 'name="mentor_max_level" min="1" max="10" value="3"' in people and 'value="DE"' in people
    with client.session_transaction() as s:
        assert "employee_ids" not in repr(s[f"wizard:{programme.id}"]) and "'age'" not in repr(
            s[f"wizard:{programme.id}"]
        )
    people_form = {**PEOPLE, "mentors_per_executive": "1", "mentor_max_level": "2", "mentee_min_level": "8"}
    assert post(client, f"{edit}?step=people", **people_form, mentor_countries="DE, FR").status_code == 303
    assert post(client, f"{edit}?step=review").status_code == 303
    tenant.session.expire_all()
    stored = tenant.get(Programme, programme.id).mentor_rules
    assert stored["employee_ids"] == named
    assert {"field": "age", "op": "<", "value": 30} in stored["all"]
    assert {"field": "job_level", "op": "<=", "value": 2} in stored["all"]
    assert {"field": "country", "op": "in", "value": ["DE", "FR"]} in stored["all"]
    assert len(stored["all"]) == 3
