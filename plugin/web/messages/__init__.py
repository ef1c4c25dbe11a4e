"""Learner-page strings in English, German, Japanese, Portuguese (Brazil) and Spanish; `t(key, locale)`.

One JSON file per locale in this folder; a key missing from a locale falls back to English. The locale
comes from the launch (`launch_presentation.locale`), e.g. "pt-BR", "pt_BR", "ja-JP", "de".
"""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path

FOLDER = Path(__file__).parent
LOCALES = ("en", "de", "ja", "pt-BR", "es")
DEFAULT = "en"


@cache
def catalogue(locale: str) -> dict[str, str]:
    """The messages of one supported locale."""
    return json.loads((FOLDER / f"{locale}.json").read_text(encoding="utf-8"))


def supported(locale: str | None) -> str:
    """The best supported locale for a launch locale: exact ('pt-BR'), else its language ('pt' -> 'pt-BR')."""
    raw = (locale or DEFAULT).replace("_", "-")
    by_lower = {code.lower(): code for code in LOCALES}
    if raw.lower() in by_lower:
        return by_lower[raw.lower()]
    language = raw.split("-")[0].lower()
    return next((code for code in LOCALES if code.split("-")[0].lower() == language), DEFAULT)


def t(key: str, locale: str | None = None, **values) -> str:
    """The message for `key` in `locale` (English when missing), with `{name}` placeholders filled."""
    text = catalogue(supported(locale)).get(key) or catalogue(DEFAULT).get(key, key)
    return text.format(**values) if values else text
