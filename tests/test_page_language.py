"""A learner sees one language on every page: lang/dir right, the framing local, no English UI string."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from plugin.domain.language import babel_id
from plugin.models import Employee, Profile
from tests.factories import make_active_pair, make_person
from tests.test_catalogue import TRANSLATIONS


@pytest.fixture
def world(make_org):
    tenant = make_org()
    mentor = make_person(tenant, 1, country="BR", timezone="America/Sao_Paulo", first_name="Bia")
    mentee = make_person(tenant, 2, country="JP", timezone="Asia/Tokyo", first_name="Kenji")
    pair = make_active_pair(tenant, mentor=mentor, mentee=mentee, topics=["ai", "new-ways-of-working"], objectives="")
    for person in (mentor, mentee):
        tenant.add(Profile(employee_id=person.id, source="self", timezone=person.timezone, languages={"en": 4}))
    tenant.session.commit()
    return tenant, pair


def launch(client, tenant, employee_id, locale):
    with client.session_transaction() as s:
        s["user"] = {
            "organisation_id": tenant.organisation_id,
            "employee_id": employee_id,
            "role": "participant",
            "locale": locale,
        }


def english_ui_strings(locale: str) -> list[str]:
    """Every English message id the locale words differently ("Formal" is Portuguese too)."""
    with open(TRANSLATIONS / babel_id(locale) / "LC_MESSAGES" / "messages.po", "rb") as po:
        return [m.id for m in read_po(po) if m.id and isinstance(m.id, str) and "%(" not in m.id and m.string != m.id]


def visible_text(html: str) -> str:
    html = re.sub(r"<style>.*?</style>|<[^>]*>", " ", html, flags=re.S)
    return " ".join(html.split())


@pytest.mark.parametrize(
    ("locale", "lang", "direction", "framing", "who"),
    [
        ("ja-JP", "ja", "ltr", "知識交換パートナーシップ", "mentee"),
        ("pt-BR", "pt-BR", "ltr", "círculo de insights", "mentor"),
        ("ar", "ar", "rtl", "شريك", "mentee"),
    ],
)
def test_every_learner_page_is_in_the_launch_language(client, world, locale, lang, direction, framing, who):
    tenant, pair = world
    launch(client, tenant, getattr(pair, f"{who}_employee_id"), locale)
    english = english_ui_strings(lang)
    urls = (f"/me/pairs/{pair.id}", "/me/pairs", "/me/profile", "/me/")
    pages = {url: client.get(url, follow_redirects=True) for url in urls}
    for url, response in pages.items():
        html = response.get_data(as_text=True)
        assert response.status_code == 200, url
        assert f'<html lang="{lang}" dir="{direction}">' in html, url
        text = visible_text(html)
        leaked = [s for s in english if re.search(rf"(?<![\w-]){re.escape(s)}(?![\w-])", text)]
        assert not leaked, (url, leaked, [text[max(0, text.find(s) - 80) : text.find(s) + 40] for s in leaked])
    pair_page = visible_text(pages[f"/me/pairs/{pair.id}"].get_data(as_text=True))
    assert framing in pair_page
    for code in ("new-ways-of-working", " JP ", " BR ", "Asia/Tokyo", "America/Sao_Paulo", " en,", " en "):
        assert code not in f" {pair_page} ", code


def test_names_not_codes_on_the_japanese_page(client, world):
    tenant, pair = world
    launch(client, tenant, pair.mentee_employee_id, "ja")
    page = client.get(f"/me/pairs/{pair.id}").get_data(as_text=True)
    assert "ブラジル" in page and "英語" in page and "新しい働き方" in page  # country, language, topic by name


def test_without_a_launch_locale_the_hris_language_decides(client, world):
    tenant, pair = world
    tenant.get(Employee, pair.mentor_employee_id).preferred_language = "pt-BR"
    tenant.session.commit()
    launch(client, tenant, pair.mentor_employee_id, None)
    html = client.get("/me/profile", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert '<html lang="pt-BR" dir="ltr">' in html and "Seu perfil" in html


def test_then_the_browser_language(client, world):
    tenant, pair = world
    launch(client, tenant, pair.mentor_employee_id, None)
    html = client.get("/me/profile", headers={"Accept-Language": "ko-KR,ko;q=0.9"}).get_data(as_text=True)
    assert '<html lang="ko" dir="ltr">' in html


def test_the_greeting_is_one_sentence_in_the_reader_s_language_not_a_word_and_an_english_comma(client, make_org):
    from tests.factories import make_person

    tenant = make_org()
    person = make_person(tenant, 7, first_name="Kenji", last_name="Sato")
    tenant.session.commit()
    launch(client, tenant, person.id, "ar")
    page = client.get("/me/").get_data(as_text=True)
    assert "مرحبًا، Kenji" in page and "مرحبًا, Kenji" not in page
    launch(client, tenant, person.id, "ja")
    assert "ようこそ、Kenjiさん" in client.get("/me/").get_data(as_text=True)
