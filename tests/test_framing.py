"""Regional framing as data: 12+ regions, each worded in its own language, translated everywhere, overridable."""

from __future__ import annotations

import pytest
from babel.messages.pofile import read_po

from plugin.domain.framing import DEFAULT, FIELDS, FRAMINGS, framing_for, region_of
from plugin.domain.language import LOCALES, babel_id
from plugin.services import framing
from tests.test_catalogue import TRANSLATIONS

REGIONS = {
    "japan",
    "korea",
    "greater-china",
    "india",
    "southeast-asia",
    "brazil",
    "latin-america",
    "dach",
    "france",
    "uk-ireland",
    "north-america",
    "gulf",
    "nordics",
}


def translations(locale: str) -> dict[str, str]:
    with open(TRANSLATIONS / babel_id(locale) / "LC_MESSAGES" / "messages.po", "rb") as po:
        return {m.id: m.string for m in read_po(po) if m.id}


def test_at_least_twelve_regions_each_translated_in_every_catalogue():
    assert REGIONS <= set(FRAMINGS) and len(FRAMINGS) >= 12
    for locale in (x for x in LOCALES if x != "en"):  # English is the message ids themselves
        words = translations(locale)
        for region in (*FRAMINGS.values(), DEFAULT):
            for field in FIELDS:
                assert words.get(getattr(region, field)), (locale, region.region, field)


def test_each_region_reads_its_wording_in_its_own_language():
    for region in FRAMINGS.values():
        assert region.local in LOCALES and region.countries
        if region.local != "en":
            local = translations(region.local)
            assert all(local[getattr(region, f)] != getattr(region, f) for f in FIELDS), region.region


@pytest.mark.parametrize(
    ("country", "region"),
    [
        ("JP", "japan"),
        ("KR", "korea"),
        ("TW", "greater-china"),
        ("IN", "india"),
        ("VN", "southeast-asia"),
        ("BR", "brazil"),
        ("CO", "latin-america"),
        ("AT", "dach"),
        ("FR", "france"),
        ("IE", "uk-ireland"),
        ("CA", "north-america"),
        ("QA", "gulf"),
        ("NO", "nordics"),
        ("NG", "default"),
        (None, "default"),
    ],
)
def test_countries_fall_in_their_region(country, region):
    assert region_of(country).region == region


def test_a_programme_overrides_a_region_or_one_country_and_its_words_are_shown_as_written(app):
    overrides = {"japan": {"relationship": "相互学習"}, "AT": {"mentee": "Vorstand"}}
    with app.app_context():
        japanese = framing.translate(framing_for("JP", overrides), "ja")
        austrian = framing.translate(framing_for("AT", overrides), "de")
        german = framing.translate(framing_for("DE", overrides), "de")
    assert (japanese.relationship, japanese.mentor) == ("相互学習", "ナレッジパートナー")
    assert (austrian.mentee, austrian.relationship) == ("Vorstand", "Fachdialog")
    assert german.mentee == "Führungskraft im Dialog"


def test_titles_for_training_records_and_credentials_in_the_readers_language(app):
    class Person:
        country, preferred_language = "JP", None

    with app.app_context():
        assert framing.reader_locale(Person) == "ja"
        wording = framing.for_person(Person, {}, framing.reader_locale(Person))
        assert wording.title("mentee") == "知識交換パートナーシップ：エグゼクティブパートナー"
        Person.preferred_language = "en-US"
        assert (
            framing.for_person(Person, {}, framing.reader_locale(Person)).title("mentor")
            == "Knowledge exchange partnership: knowledge partner"
        )
