"""Learner pages after a launch: first-launch profile, the pair page in the launch locale, forms with CSRF."""

import re

import pytest

from plugin.models import AuditEvent, Employee, Pair, Profile, Programme, SessionLog
from tests.factories import make_active_pair, make_person
from tests.test_learner_home import accept_agreement


@pytest.fixture
def world(make_org):
    tenant = make_org()
    mentor = make_person(tenant, 1, country="BR", timezone="America/Sao_Paulo", first_name="Bia")
    mentee = make_person(tenant, 2, country="JP", timezone="Asia/Tokyo", first_name="Kenji")
    pair = make_active_pair(
        tenant,
        mentor=mentor,
        mentee=mentee,
        topics=["ai", "sustainability", "inclusion"],
        objectives="Executives learn how younger colleagues work",
    )
    for person in (mentor, mentee):
        tenant.add(Profile(employee_id=person.id, source="self", timezone=person.timezone, languages={"en": 4}))
    tenant.session.commit()
    return tenant, pair


def launch(client, tenant, employee_id, locale="en", role="participant"):
    with client.session_transaction() as s:
        s["user"] = {
            "organisation_id": tenant.organisation_id,
            "employee_id": employee_id,
            "role": role,
            "locale": locale,
        }


def token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_first_launch_offers_the_profile_and_explains_opting_out(client, make_org):
    tenant = make_org()
    person = make_person(tenant, 5)
    tenant.session.commit()
    launch(client, tenant, person.id, "de-DE")
    response = client.get("/me/pairs")
    assert response.status_code == 200 and 'href="/me/profile"' in response.get_data(as_text=True)
    page = client.get("/me/profile").get_data(as_text=True)
    assert "Ihr Profil" in page and "Ihr Partner wird informiert" in page
    saved = client.post(
        "/me/profile",
        data={
            "csrf_token": token(page),
            "languages": "de:5; en:4",
            "sync_style": "synchronous",
            "formality": "informal",
            "medium": "video",
            "expertise": "finance",
            "learning_goals": "ai; social media",
            "aspirations": "lead",
            "timezone": "Europe/Berlin",
            "work_start_hour": "8",
            "work_end_hour": "16",
        },
    )
    assert saved.status_code == 303
    profile = tenant.all(Profile, Profile.employee_id == person.id)[0]
    assert (profile.source, profile.languages, profile.work_start_hour) == ("self", {"de": 5, "en": 4}, 8)


def test_the_japanese_executive_sees_a_knowledge_exchange_partnership_in_japanese(client, world):
    tenant, pair = world
    launch(client, tenant, pair.mentee_employee_id, "ja-JP")
    page = client.get(f"/me/pairs/{pair.id}").get_data(as_text=True)
    assert "知識交換パートナーシップ" in page and "会話のきっかけ" in page and "knowledge exchange" not in page
    assert "Bia" in page and "共通の業務言語があります" in page and "Executives learn how younger" in page
    assert "Both speak English" not in page  # the stored English reason is worded from its code instead
    assert 'name="viewport"' in page


def test_the_brazilian_partner_sees_an_insight_circle_in_portuguese(client, world):
    tenant, pair = world
    launch(client, tenant, pair.mentor_employee_id, "pt-BR")
    page = client.get(f"/me/pairs/{pair.id}").get_data(as_text=True)
    assert "círculo de insights" in page and "Sugestões de conversa" in page and "Kenji" in page


def test_a_form_without_the_csrf_token_is_refused(client, world):
    tenant, pair = world
    launch(client, tenant, pair.mentor_employee_id)
    response = client.post(f"/me/pairs/{pair.id}/sessions", data={"held_on": "2026-01-01", "minutes": "45"})
    assert response.status_code == 403
    assert tenant.count(SessionLog) == 0


def test_one_partner_logs_and_the_other_confirms_through_the_pages(client, world):
    tenant, pair = world
    for who in ("mentee", "mentor"):
        accept_agreement(client, tenant, pair, who, "en")
    launch(client, tenant, pair.mentor_employee_id)
    page = client.get(f"/me/pairs/{pair.id}").get_data(as_text=True)
    client.post(
        f"/me/pairs/{pair.id}/sessions",
        data={"csrf_token": token(page), "minutes": "40", "held_on": "2026-01-02", "topics": "ai"},
    )
    launch(client, tenant, pair.mentee_employee_id)
    page = client.get(f"/me/pairs/{pair.id}").get_data(as_text=True)
    session_id = tenant.all(SessionLog)[0].id
    assert f"/me/sessions/{session_id}/confirm" in page
    client.post(f"/me/sessions/{session_id}/confirm", data={"csrf_token": token(page)})
    tenant.session.expire_all()
    assert tenant.all(SessionLog)[0].status == "confirmed"


def test_the_calendar_downloads_as_ics(client, world):
    tenant, pair = world
    launch(client, tenant, pair.mentee_employee_id)
    response = client.get(f"/me/pairs/{pair.id}/calendar.ics")
    assert response.mimetype == "text/calendar" and b"BEGIN:VEVENT" in response.data


def test_opting_out_ends_the_pair(client, world):
    tenant, pair = world
    launch(client, tenant, pair.mentee_employee_id)
    page = client.get("/me/profile").get_data(as_text=True)
    client.post("/me/opt-out", data={"csrf_token": token(page), "confirm": "1"})
    tenant.session.expire_all()
    assert tenant.get(Pair, pair.id).status == "ended"


def test_hr_pages_need_the_hr_role_and_named_views_are_audited(client, world):
    tenant, pair = world
    launch(client, tenant, pair.mentor_employee_id)
    assert client.get("/admin/pairs/health").status_code == 403
    launch(client, tenant, pair.mentor_employee_id, role="hr_admin")
    assert client.get("/admin/pairs/health").status_code == 200
    assert client.get("/admin/insights?by=role").status_code == 200
    assert [e.action for e in tenant.all(AuditEvent, AuditEvent.action == "identifiable.viewed")] == [
        "identifiable.viewed"
    ]


def test_an_executive_with_two_mentors_chooses_between_them(client, world):
    tenant, pair = world
    second = make_person(tenant, 3, first_name="Lena", country="DE")
    programme = tenant.get(Programme, pair.programme_id)
    make_active_pair(tenant, mentor=second, mentee=tenant.get(Employee, pair.mentee_employee_id), programme=programme)
    tenant.add(Profile(employee_id=second.id, source="self"))
    tenant.session.commit()
    launch(client, tenant, pair.mentee_employee_id)
    page = client.get("/me/pairs").get_data(as_text=True)
    assert "Bia" in page and "Lena" in page
