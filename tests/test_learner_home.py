"""The learner home `/me/`: every pair with its partner, why matched, next session and what is due, in the
page's language; the profile offered but never required; confirmations and refusals in that language."""

from __future__ import annotations

import re

import pytest

from plugin.models import Pair, Reflection, SessionLog
from tests.factories import agree, make_active_pair, make_person
from tests.test_page_language import english_ui_strings, launch, visible_text

REASONS = [
    {"criterion": "language", "score": 1.0, "share": 0.4, "text": "Both speak English (fluent)"},
    {"criterion": "hours", "score": 0.5, "share": 0.3, "text": "4 h of shared working hours"},
    {"criterion": "culture", "score": 0.0, "share": 0.3, "text": "Both in JP"},
]


@pytest.fixture
def world(make_org):
    """A Japanese executive with two mentors (one pair running, one completed); nobody gave a profile."""
    tenant = make_org()
    executive = make_person(tenant, 1, country="JP", timezone="Asia/Tokyo", first_name="Kenji", last_name="Sato")
    running = make_person(tenant, 2, country="BR", timezone="America/Sao_Paulo", first_name="Bia", last_name="Lima")
    done = make_person(tenant, 3, country="SA", timezone="Asia/Riyadh", first_name="Omar", last_name="Haddad")
    pair = make_active_pair(tenant, mentor=running, mentee=executive, topics=["ai"], objectives="")
    pair.explanation = REASONS
    finished = tenant.add(
        Pair(
            programme_id=pair.programme_id,
            mentor_employee_id=done.id,
            mentee_employee_id=executive.id,
            status="completed",
            score=0.7,
            approved_at=pair.approved_at,
            explanation=REASONS,
        )
    )
    tenant.session.commit()
    return tenant, pair, finished


def english_leaks(html: str, lang: str) -> list[str]:
    text = visible_text(html)
    return [s for s in english_ui_strings(lang) if re.search(rf"(?<![\w-]){re.escape(s)}(?![\w-])", text)]


def pair_card(html: str, pair_id: int) -> str:
    return visible_text(html.split(f'id="pair-{pair_id}"', 1)[1].split('class="card pair"', 1)[0])


@pytest.mark.parametrize(
    ("locale", "lang", "direction", "reason", "due", "completed", "still"),
    [
        (
            "ja-JP",
            "ja",
            "ltr",
            "共通の業務言語があります",
            "次のセッション",
            "修了しました",
            "確認済みセッションがあと6回",
        ),
        (
            "pt-BR",
            "pt-BR",
            "ltr",
            "Vocês têm um idioma de trabalho em comum",
            "próximo encontro",
            "Concluído",
            "mais 6 sessões confirmadas",
        ),
        ("ar", "ar", "rtl", "تجمعكما لغة عمل مشتركة", "الجلسة التالية", "اكتمل", "6 جلسات مؤكدة أخرى"),
    ],
)
@pytest.mark.parametrize("who", ["mentee", "mentor"])
def test_home_lists_each_pair_in_the_page_language(
    client, world, who, locale, lang, direction, reason, due, completed, still
):
    tenant, pair, finished = world
    launch(client, tenant, getattr(pair, f"{who}_employee_id"), locale)
    html = client.get("/me/").get_data(as_text=True)
    assert f'<html lang="{lang}" dir="{direction}">' in html
    assert not english_leaks(html, lang)
    running = pair_card(html, pair.id)
    partner = "Kenji Sato" if who == "mentor" else "Bia Lima"
    assert partner in running and reason in running and due in running and still in running
    assert "Both speak English" not in html and "Both in JP" not in html  # codes worded, stored English not shown
    assert f"/me/pairs/{pair.id}" in html
    if who == "mentee":  # the executive's completed pair says so, with no next session
        done = pair_card(html, finished.id)
        assert "Omar Haddad" in done and completed in done and due not in done and still not in done


def test_a_reason_that_scored_nothing_is_not_given_as_a_reason(client, world):
    tenant, pair, _ = world
    launch(client, tenant, pair.mentee_employee_id, "ja")
    running = pair_card(client.get("/me/").get_data(as_text=True), pair.id)
    assert "勤務時間が重なっています" in running  # hours scored 0.5
    assert "異なる国の視点を持ち寄れます" not in running  # culture scored 0: same country, not a reason


def test_the_profile_is_offered_never_required_before_the_pair(client, world):
    tenant, pair, _ = world
    launch(client, tenant, pair.mentor_employee_id, "ja")
    home = client.get("/me/").get_data(as_text=True)
    assert "プロフィールは任意です" in home and 'href="/me/profile"' in home
    reached = client.get("/me/pairs")  # the mentor's one pair, straight away, no profile form in between
    assert reached.status_code == 302 and reached.location.endswith(f"/me/pairs/{pair.id}")
    assert client.get(reached.location).status_code == 200


def test_an_unpaired_person_is_told_partners_will_appear(client, make_org):
    tenant = make_org()
    person = make_person(tenant, 9)
    tenant.session.commit()
    launch(client, tenant, person.id, "en")
    html = client.get("/me/").get_data(as_text=True)
    assert "Your mentoring partners will appear here once a programme pairs you." in html
    assert 'class="card pair"' not in html


def test_saving_a_reflection_confirms_in_the_page_language(client, world):
    tenant, pair, _ = world
    agree(tenant, pair)
    tenant.session.commit()
    launch(client, tenant, pair.mentee_employee_id, "pt-BR")
    page = client.get(f"/me/pairs/{pair.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    saved = client.post(
        f"/me/pairs/{pair.id}/reflections",
        data={"csrf_token": token, "final": "1", "q1": "4", "q2": "5", "q3": "3", "text": "Aprendi"},
        follow_redirects=True,
    )
    assert "Sua reflexão foi salva. Só você pode lê-la." in saved.get_data(as_text=True)
    assert [(r.kind, r.q1, r.q2, r.q3, r.text) for r in tenant.all(Reflection)] == [("final", 4, 5, 3, "Aprendi")]


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"minutes": "forty", "held_on": "2026-01-02"}, "分数は1〜480の整数で入力してください"),
        ({"minutes": "999", "held_on": "2026-01-02"}, "分数は1〜480の整数で入力してください"),
        ({"minutes": "40", "held_on": "02/01/2026"}, "日付は YYYY-MM-DD の形式で入力してください"),
        ({"minutes": "40", "held_on": "2999-01-01"}, "セッションは実施後にのみ記録できます"),
    ],
)
def test_a_refused_session_says_why_in_the_page_language_and_stores_nothing(client, world, form, message):
    tenant, pair, _ = world
    accept_agreement(client, tenant, pair, "mentee")
    accept_agreement(client, tenant, pair, "mentor")
    launch(client, tenant, pair.mentor_employee_id, "ja")
    page = client.get(f"/me/pairs/{pair.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    refused = client.post(
        f"/me/pairs/{pair.id}/sessions",
        data={"csrf_token": token, "topics": "ai", "back": f"/me/pairs/{pair.id}", **form},
        follow_redirects=True,
    )
    html = refused.get_data(as_text=True)
    assert message in html and not english_leaks(html, "ja")
    assert tenant.count(SessionLog) == 0


def test_a_reflection_with_a_missing_answer_is_refused_in_arabic(client, world):
    tenant, pair, _ = world
    agree(tenant, pair)
    tenant.session.commit()
    launch(client, tenant, pair.mentee_employee_id, "ar")
    page = client.get(f"/me/pairs/{pair.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    refused = client.post(
        f"/me/pairs/{pair.id}/reflections",
        data={"csrf_token": token, "final": "1", "q1": "4", "q2": "9", "q3": "3"},
        follow_redirects=True,
    )
    assert "أجب عن كل سؤال من الأسئلة الثلاثة على مقياس من 1 إلى 5" in refused.get_data(as_text=True)
    assert tenant.count(Reflection) == 0


def accept_agreement(client, tenant, pair, who, locale="ja"):
    """One partner accepts the agreement on the pair page, as they would with the button."""
    launch(client, tenant, getattr(pair, f"{who}_employee_id"), locale)
    page = client.get(f"/me/pairs/{pair.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    return client.post(
        f"/me/pairs/{pair.id}/agreement", data={"csrf_token": token, "version": version}, follow_redirects=True
    )


def test_the_same_session_form_sent_twice_logs_one_session_and_asks_the_partner_once(client, world):
    from plugin.models import OutboundMessage

    tenant, pair, _ = world
    agree(tenant, pair)
    tenant.session.commit()
    launch(client, tenant, pair.mentor_employee_id, "en")
    page = client.get(f"/me/pairs/{pair.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = {"csrf_token": token, "topics": "ai, inclusion", "held_on": "2026-01-05", "minutes": "45"}
    for _ in range(2):  # a double click, or the browser sending the form again after a slow answer
        sent = client.post(f"/me/pairs/{pair.id}/sessions", data=form)
        assert sent.status_code in (302, 303)
    tenant.session.expire_all()
    assert tenant.count(SessionLog) == 1
    asked = tenant.all(OutboundMessage, OutboundMessage.event_key.like("session-logged-%"))
    assert len(asked) == 1
    another = client.post(f"/me/pairs/{pair.id}/sessions", data=form | {"held_on": "2026-01-19"})
    assert another.status_code in (302, 303)
    assert tenant.count(SessionLog) == 2  # a different session is a second one


@pytest.mark.parametrize(
    ("field", "value", "japanese", "english"),
    [
        ("languages", "ja:9", "各言語を1～5の習熟度とともに入力してください", "needs a fluency"),
        ("timezone", "Mars/Olympus", "タイムゾーンはIANAの名前で入力してください", "unknown time zone"),
        ("work_start_hour", "30", "勤務時間は0～24の整数の時で入力してください", "whole hour"),
        ("work_start_hour", "18", "勤務開始時刻は終了時刻より前にしてください", "must be before"),
        ("formality", "royal", "表示されている選択肢から1つを選んでください", "must be one of"),
    ],
)
def test_a_refused_profile_form_is_worded_in_the_page_language(client, world, field, value, japanese, english):
    from plugin.models import Profile
    from tests.catalogue_text import english_left, page_text

    tenant, pair, _ = world
    launch(client, tenant, pair.mentor_employee_id, "ja")
    page = client.get("/me/profile").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = {"csrf_token": token, "work_start_hour": "9", "work_end_hour": "17", field: value}
    refused = client.post("/me/profile", data=form, follow_redirects=True)
    text = page_text(refused.get_data(as_text=True))
    assert japanese in text and english not in text and not english_left(text, "ja")
    assert not tenant.all(Profile, Profile.employee_id == pair.mentor_employee_id, Profile.source == "self")
