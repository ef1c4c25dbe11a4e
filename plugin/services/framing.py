"""Regional framing in words a person reads: the API pages, messages, training records and credentials use.

wording = framing.for_person(employee, programme.framing)            # in the current page's language
wording = framing.for_person(employee, programme.framing, locale="ja")  # e.g. in a job or a message
wording.relationship, wording.mentor, wording.mentee, wording.title("mentee")
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass

from flask import has_app_context
from flask_babel import force_locale, gettext

from ..domain import language
from ..domain.framing import FIELDS, Framing, framing_for


@dataclass(frozen=True, slots=True)
class Wording:
    """A framing translated into one language."""

    relationship: str
    mentor: str
    mentee: str
    locale: str | None = None

    def __getitem__(self, role: str) -> str:
        return getattr(self, role)

    def title(self, role: str) -> str:
        """ "Knowledge exchange partnership: executive partner": training-record and credential titles."""
        with _in(self.locale):
            return gettext("%(relationship)s: %(role)s", relationship=_capitalised(self.relationship), role=self[role])


def reader_locale(employee) -> str:
    """The language someone reads when no page decides (messages): the one their LMS spoke at their latest
    launch, else their HRIS language, else their region's own."""
    from_region = framing_for(employee.country).local
    return language.first_supported(getattr(employee, "launch_locale", None), employee.preferred_language, from_region)


def for_person(employee, overrides: dict | None = None, locale: str | None = None) -> Wording:
    """The person's regional framing (with the programme's overrides) in `locale`, or the page's language."""
    return translate(framing_for(employee.country, overrides), locale)


def translate(framing: Framing, locale: str | None = None) -> Wording:
    """A framing's words in `locale` (the current request's when None); programme-written words stay as written."""
    with _in(locale):
        words = {f: getattr(framing, f) if f in framing.written else gettext(getattr(framing, f)) for f in FIELDS}
    return Wording(**words, locale=locale)


def credential_texts(wording: Wording, role: str, programme: str) -> dict[str, str]:
    """The credential's description and criteria in the wording's language."""
    with _in(wording.locale):
        return {
            "description": gettext(
                "Took part as %(role)s in the %(relationship)s of %(programme)s.",
                role=wording[role],
                relationship=wording.relationship,
                programme=programme,
            ),
            "criteria": gettext("Completed the programme's sessions and final reflection together with their partner."),
        }


def _in(locale: str | None):
    if locale is None or not has_app_context():
        return nullcontext()
    return force_locale(language.babel_id(locale))


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]
