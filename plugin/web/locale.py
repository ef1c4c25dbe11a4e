"""Flask-Babel wiring: which one language a person sees, and `<html lang dir>` on every page.

The locale is the launch's `launch_presentation.locale`, then the HRIS preferred language, then the
browser's Accept-Language; it is chosen once per request, so every page and flashed message agree.
"""

from __future__ import annotations

from babel import Locale, UnknownLocaleError
from babel.dates import get_timezone_location
from babel.numbers import format_decimal, format_percent
from flask import Flask, has_request_context, request, session
from flask_babel import Babel, get_locale, gettext, refresh

from ..db import db
from ..domain import language
from ..domain.topics import TOPIC_LABELS
from ..models import Employee
from ..services.tenant import Tenant
from .hot_path import skipped_on_hot_path

babel = Babel()


UI_LOCALE = "flipside.ui_locale"


def current_locale() -> str:
    """The UI locale of this request ("pt-BR"), cached for the request; English outside a request."""
    if not has_request_context():
        return language.DEFAULT  # a job or the CLI: callers that know the reader pass a locale
    # cached on the request itself: `g` lives as long as the app context, which a test (or a CLI command that
    # serves requests) may keep across several requests by different people
    if UI_LOCALE not in request.environ:
        user = session.get("user") or {}
        browser = request.accept_languages.best_match(list(language.LOCALES))
        request.environ[UI_LOCALE] = language.first_supported(user.get("locale"), _hris_language(user), browser)
    return request.environ[UI_LOCALE]


def _hris_language(user: dict) -> str | None:
    if not user.get("employee_id") or language.supported(user.get("locale")):
        return None  # the launch already decided; spare the query
    employee = Tenant(db.session, user["organisation_id"]).get(Employee, user["employee_id"])
    return employee.preferred_language if employee else None


def init_app(app: Flask) -> None:
    """Flask-Babel with the catalogues in plugin/translations, and lang/dir for every template."""
    babel.init_app(
        app,
        locale_selector=lambda: language.babel_id(current_locale()),
        default_translation_directories="translations",
        default_domain="messages",
    )

    # Flask-Babel caches the locale on `g`, which outlives a request when the app context does (tests, a CLI
    # command serving requests): each request chooses its own; the LTI login and launch refresh only when they
    # render a page (a launch that redirects shows no text)
    app.before_request(skipped_on_hot_path(refresh))

    app.add_template_filter(country_name)
    app.add_template_filter(language_name)
    app.add_template_filter(zone_name)
    app.add_template_filter(topic_name)
    app.add_template_filter(number)
    app.add_template_filter(percent)

    @app.context_processor
    def _page_language():
        locale = current_locale()
        return {"html_lang": language.html_lang(get_locale() or locale), "html_dir": language.direction(locale)}


def country_name(code: str | None) -> str:
    """ "IN" -> "インド" on a Japanese page (CLDR); an unknown code is shown as given."""
    return get_locale().territories.get((code or "").upper(), code or "")


def language_name(tag: str | None) -> str:
    """ "pt-BR" -> "portugais (Brésil)" on a French page (CLDR)."""
    try:
        return Locale.parse((tag or "").replace("-", "_")).get_display_name(get_locale()) or tag
    except (UnknownLocaleError, ValueError, TypeError):
        return tag or ""


def zone_name(zone: str | None) -> str:
    """ "America/Chicago" -> "Chicago (États-Unis)"-style CLDR wording in the page's language."""
    try:
        return get_timezone_location(zone, locale=get_locale())
    except LookupError:
        return zone or ""


def topic_name(topic: str | None) -> str:
    """A catalogue topic by its translated label ("new-ways-of-working" -> "Neue Arbeitsformen"); free text as typed."""
    label = TOPIC_LABELS.get(topic or "")
    return gettext(label) if label else (topic or "")


def number(value: float | None, digits: int = 0) -> str:
    """12345.6 -> "12,346" in English, "12.346" in German (CLDR); digits after the decimal sign fixed."""
    if value is None:
        return ""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=get_locale())


def percent(share: float | None, digits: int = 1) -> str:
    """0.8 -> "80.0%" in English, "80,0 %" in French (CLDR)."""
    if share is None:
        return ""
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return format_percent(share, format=pattern, locale=get_locale())
