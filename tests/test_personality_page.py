"""The optional personality questionnaire as a learner meets it: twenty statements in the page's language,
all or none, stored as numbers for matching only, deletable, and never shown to HR."""

import re

import pytest

from plugin.domain.personality import ITEMS
from plugin.models import Employee, Participant, Profile
from plugin.services import admin_login, api_tokens
from tests.factories import make_active_pair, make_person
from tests.test_learner_pages import launch, token

ENGLISH_ITEMS = [item.text for item in ITEMS]


@pytest.fixture
def world(make_org):
    tenant = make_org()
    mentor = make_person(tenant, 1, country="BR", timezone="America/Sao_Paulo", first_name="Bia")
    mentee = make_person(tenant, 2, country="JP", timezone="Asia/Tokyo", first_name="Kenji")
    pair = make_active_pair(tenant, mentor=mentor, mentee=mentee)
    for person, role in ((mentor, "mentor"), (mentee, "mentee")):
        tenant.add(Participant(programme_id=pair.programme_id, employee_id=person.id, role=role))
    tenant.session.commit()
    return tenant, pair, mentor, mentee


def _answers(page: str, values: dict[int, str]) -> dict:
    return {"csrf_token": token(page), **{f"item{n}": v for n, v in values.items()}}


def _stored(tenant, employee_id):
    tenant.session.expire_all()
    found = tenant.all(Profile, Profile.employee_id == employee_id)
    return found[0].personality if found else None


def test_the_questionnaire_speaks_japanese_with_no_english_statement_left(client, world):
    tenant, _, _, mentee = world
    launch(client, tenant, mentee.id, "ja-JP")
    page = client.get("/me/profile/personality").get_data(as_text=True)
    assert '<html lang="ja"' in page and "性格質問票" in page
    assert "パーティーの盛り上げ役だ。" in page and "非常によくあてはまる" in page
    assert not [text for text in ENGLISH_ITEMS if text in page]
    assert page.count('type="radio"') == 100  # twenty statements, five answers each
    assert "人事部、パートナー、LMS が目にすることはなく" in page  # who never sees the answers, said up front


def test_nineteen_answers_are_refused_whole_and_the_gap_is_marked(client, world):
    tenant, _, mentor, _ = world
    launch(client, tenant, mentor.id, "pt-BR")
    page = client.get("/me/profile/personality").get_data(as_text=True)
    given = {n: "4" for n in range(1, 21) if n != 7}
    refused = client.post("/me/profile/personality", data=_answers(page, given))
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "1 afirmação ainda não tem resposta" in html
    assert re.search(r'<fieldset id="item-7" aria-describedby="gaps" class="missing">', html)
    assert html.count("checked") == 19  # what was answered stays answered
    assert _stored(tenant, mentor.id) is None


@pytest.mark.parametrize("bad", ["0", "6", "x", "1e0", " 3", "-1", "3.0", ""])
def test_an_answer_outside_the_scale_counts_as_no_answer_and_nothing_is_stored(client, world, bad):
    tenant, _, mentor, _ = world
    launch(client, tenant, mentor.id)
    page = client.get("/me/profile/personality").get_data(as_text=True)
    answers = {n: "3" for n in range(1, 21)} | {12: bad}
    assert client.post("/me/profile/personality", data=_answers(page, answers)).status_code == 400
    assert _stored(tenant, mentor.id) is None


def test_twenty_answers_are_kept_for_matching_then_deleted_on_request(client, world):
    tenant, _, mentor, _ = world
    launch(client, tenant, mentor.id, "pt-BR")
    page = client.get("/me/profile/personality").get_data(as_text=True)
    values = {n: str(1 + n % 5) for n in range(1, 21)}
    saved = client.post("/me/profile/personality", data=_answers(page, values))
    assert saved.status_code == 303 and saved.headers["Location"].endswith("/me/profile")
    assert _stored(tenant, mentor.id) == [1 + n % 5 for n in range(1, 21)]
    profile = client.get("/me/profile").get_data(as_text=True)
    assert "Suas respostas foram salvas" in profile and "Você respondeu ao questionário" in profile
    again = client.get("/me/profile/personality").get_data(as_text=True)
    assert again.count("checked") == 20 and "Apagar minhas respostas" in again
    client.post("/me/profile/personality/forget", data={"csrf_token": token(again)})
    assert _stored(tenant, mentor.id) is None


def test_the_forms_need_the_csrf_token(client, world):
    tenant, _, mentor, _ = world
    launch(client, tenant, mentor.id)
    values = {f"item{n}": "3" for n in range(1, 21)}
    assert client.post("/me/profile/personality", data=values).status_code in (400, 403)
    assert _stored(tenant, mentor.id) is None


def test_hr_never_sees_anyone_s_answers(client, world, session):
    tenant, pair, mentor, _ = world
    launch(client, tenant, mentor.id)
    page = client.get("/me/profile/personality").get_data(as_text=True)
    client.post("/me/profile/personality", data=_answers(page, {n: "5" for n in range(1, 21)}))
    assert _stored(tenant, mentor.id) == [5] * 20
    with client.session_transaction() as s:
        s["user"] = admin_login.session_user(tenant.organisation_id)
        s["csrf_token"] = "t"
    programme_id = pair.programme_id
    for path in (
        f"/admin/programmes/{programme_id}/participants",
        f"/admin/programmes/{programme_id}/participants.csv",
    ):
        shown = client.get(path).get_data(as_text=True)
        assert tenant.get(Employee, mentor.id).last_name in shown
        assert "personality" not in shown.lower() and "5,5,5" not in shown and "[5, 5" not in shown


def test_a_programme_weighing_personality_uses_it_but_shows_hr_no_trace(client, make_org, session):

    from plugin.models import Pair, Programme
    from plugin.services import matching, profiles
    from tests.admin_world import load_workforce, matching_programme

    tenant = make_org()
    load_workforce(tenant, size=200, seed=3)
    programme = matching_programme(tenant)
    members = tenant.all(Participant, Participant.programme_id == programme.id)
    for n, member in enumerate(members):  # the mentors differ in extraversion, so personality reorders them
        answers = [1 + (n + i) % 5 if ITEMS[i].trait == "extraversion" else 4 for i in range(20)]
        profiles.save_personality(tenant, tenant.get(Employee, member.employee_id), answers)
    matching.run_matching(tenant, programme.id)
    unweighted = {(p.mentee_employee_id, p.mentor_employee_id): p.score for p in tenant.all(Pair)}
    tenant.get(Programme, programme.id).weights = {"personality": 1.0}
    matching.run_matching(tenant, programme.id)
    weighted = tenant.all(Pair)
    session.commit()
    assert weighted and unweighted != {(p.mentee_employee_id, p.mentor_employee_id): p.score for p in weighted}
    assert not [r for p in weighted for r in p.explanation if r["criterion"] == "personality"]
    token = api_tokens.issue(tenant, "bi")
    session.commit()
    with client.session_transaction() as s:
        s["user"] = admin_login.session_user(tenant.organisation_id)
    review = client.get(f"/admin/programmes/{programme.id}/matches").get_data(as_text=True)
    api = client.get(f"/api/v1/programmes/{programme.id}/pairs", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200 and api.get_json()
    for shown in (review, api.get_data(as_text=True)):
        assert "personality" not in shown.lower() and "ways of working" not in shown.lower()
