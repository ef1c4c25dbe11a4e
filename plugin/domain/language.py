"""The UI locales and how a launch's or HRIS's language tag maps onto one of them (CLDR data via Babel)."""

from __future__ import annotations

from functools import lru_cache

from babel import Locale, UnknownLocaleError

LOCALES = ("en", "de", "fr", "es", "pt-BR", "ja", "zh-Hans", "ko", "hi", "ar")
DEFAULT = "en"


def N_(message: str) -> str:  # noqa: N802 - gettext's conventional name for "translate later"
    """Mark a message id for the catalogue (`make messages`) without translating it here."""
    return message


# A language we have in one variant only: any tag of that language reads it ("pt-PT" -> "pt-BR").
_BY_LANGUAGE = {"pt": "pt-BR", "zh": "zh-Hans"}


def supported(tag: str | None) -> str | None:
    """The UI locale for a BCP 47 / POSIX tag ("ja-JP", "pt_BR", "zh-Hant-TW"), or None when we have none."""
    raw = (tag or "").strip().replace("_", "-")
    if not raw:
        return None
    exact = {code.lower(): code for code in LOCALES}
    if raw.lower() in exact:
        return exact[raw.lower()]
    language = raw.split("-")[0].lower()
    return _BY_LANGUAGE.get(language) or exact.get(language)


def first_supported(*tags: str | None) -> str:
    """The first of these tags we can show, else English."""
    return next((code for code in map(supported, tags) if code), DEFAULT)


def babel_id(locale: str) -> str:
    """The catalogue folder / Babel identifier of a UI locale ("pt-BR" -> "pt_BR")."""
    return locale.replace("-", "_")


def html_lang(babel_locale: Locale | str) -> str:
    """The BCP 47 tag for `<html lang>` ("pt_BR" -> "pt-BR")."""
    return str(babel_locale).replace("_", "-")


@lru_cache(maxsize=64)
def direction(locale: str) -> str:
    """'rtl' for right-to-left scripts (Arabic), else 'ltr', from CLDR's character order."""
    try:
        order = Locale.parse(babel_id(locale)).character_order
    except (UnknownLocaleError, ValueError):
        return "ltr"
    return "rtl" if order == "right-to-left" else "ltr"
