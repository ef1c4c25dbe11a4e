"""One translation system: every catalogue complete, compiled, and every template string inside it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from plugin.domain.language import LOCALES, babel_id, direction, html_lang, supported

TRANSLATIONS = Path(__file__).parent.parent / "plugin" / "translations"
TEMPLATES = Path(__file__).parent.parent / "plugin" / "web" / "templates"
# Templates that may carry English outside the catalogue: the two pages of the development LMS (`lti/devplatform*`),
# served only by the loopback emulator in development and the demo, never to an employee or an HR admin of a real
# install. Every other template, and any new one, must word everything through the catalogue.
PENDING = ("lti/devplatform.html", "lti/devplatform_post.html")
TRANSLATED_TEMPLATES = sorted(
    str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html") if str(p.relative_to(TEMPLATES)) not in PENDING
)


def catalogue(locale: str):
    with open(TRANSLATIONS / babel_id(locale) / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po, locale=babel_id(locale))


TRANSLATED = [locale for locale in LOCALES if locale != "en"]  # English is the message ids themselves


def template_ids() -> set:
    with open(TRANSLATIONS / "messages.pot", "rb") as pot:
        return {m.id for m in read_po(pot) if m.id}


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_catalogue_translates_every_message_with_no_fuzzy_entry(locale):
    messages = {m.id: m for m in catalogue(locale) if m.id}
    assert set(messages) == template_ids(), "run `make messages` and translate the new entries"
    for m in messages.values():
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        assert all(strings) and not m.fuzzy, (locale, m.id)
    assert not catalogue(locale).fuzzy, "the catalogue header is marked fuzzy: it would not compile"
    assert not [error for _, errors in catalogue(locale).check() for error in errors]  # placeholders agree


@pytest.mark.parametrize("locale", TRANSLATED)
def test_the_compiled_catalogue_is_the_current_one(locale):
    folder = TRANSLATIONS / babel_id(locale) / "LC_MESSAGES"
    with open(folder / "messages.mo", "rb") as mo:
        compiled = {_key(m.id): _key(m.string) for m in read_mo(mo) if m.id}
    assert compiled == {_key(m.id): _key(m.string) for m in catalogue(locale) if m.id}, "run `make compile-messages`"


def _key(value):
    return tuple(value) if isinstance(value, list | tuple) else value


@pytest.mark.parametrize("name", TRANSLATED_TEMPLATES)
def test_no_visible_english_outside_the_catalogue(name):
    """Text between tags (not inside {{ }} or {% %}) must be a translated expression, never literal words.

    Commands and paths (inside <code>, or starting with /) are not prose and stay as they are.
    """
    source = (TEMPLATES / name).read_text(encoding="utf-8")
    source = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", "0", source, flags=re.S)  # Jinja expressions
    source = re.sub(r"<style>.*?</style>|<script.*?</script>|<code>.*?</code>", " ", source, flags=re.S)
    source = re.sub(r"<[^>]*>|&\w+;|(?<!\w)/[\w/.-]+", " ", source)  # tags, entities, URL paths
    literal = [word for word in re.findall(r"[^\W\d_]{2,}", source) if word not in {"Flipside", "JSON", "ICS", "CSV"}]
    assert not literal, f"{name}: {literal}"


def test_locale_tags_and_direction():
    assert [supported(t) for t in ("ja-JP", "pt_BR", "zh-CN", "ar-SA", "hi-IN", "ko", "xx")] == [
        "ja",
        "pt-BR",
        "zh-Hans",
        "ar",
        "hi",
        "ko",
        None,
    ]
    assert direction("ar") == "rtl" and {direction(x) for x in LOCALES if x != "ar"} == {"ltr"}
    assert html_lang("zh_Hans") == "zh-Hans"
