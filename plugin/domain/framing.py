"""Regional framing as data: how each region names the relationship and its two roles.

The words are gettext message ids (marked with N_ for extraction): every catalogue translates each region's wording,
so a Japanese page says 知識交換パートナーシップ and a German one Fachdialog, and `local` names the
language the region's own people read it in (training records, credentials) when nobody chose another.
A programme may override any region's wording (or one country's) with its own text.
"""

from __future__ import annotations

from dataclasses import dataclass

from .language import N_

FIELDS = ("relationship", "mentor", "mentee")


@dataclass(frozen=True, slots=True)
class Framing:
    """A region's wording: message ids for the relationship, the mentor and the mentee."""

    region: str
    relationship: str
    mentor: str
    mentee: str
    local: str = "en"
    """The region's own language (a locale of plugin.domain.language), used when the reader has none."""
    countries: tuple[str, ...] = ()
    written: frozenset[str] = frozenset()
    """The fields the programme wrote itself: shown as written, not translated."""

    def __getitem__(self, role: str) -> str:
        return {"mentor": self.mentor, "mentee": self.mentee, "relationship": self.relationship}[role]


def _f(region, relationship, mentor, mentee, local, countries) -> Framing:
    return Framing(region, relationship, mentor, mentee, local, tuple(countries.split()))


DEFAULT = _f("default", N_("reverse mentoring"), N_("mentor"), N_("mentee"), "en", "")
FRAMINGS: dict[str, Framing] = {
    f.region: f
    for f in (
        _f("japan", N_("knowledge exchange partnership"), N_("knowledge partner"), N_("executive partner"), "ja", "JP"),
        _f("korea", N_("co-growth mentoring"), N_("growth mentor"), N_("growth partner"), "ko", "KR"),
        _f(
            "greater-china",
            N_("cross-generation exchange"),
            N_("exchange mentor"),
            N_("exchange partner"),
            "zh-Hans",
            "CN HK MO TW",
        ),
        _f("india", N_("reverse mentoring partnership"), N_("young mentor"), N_("leader mentee"), "hi", "IN"),
        _f(
            "southeast-asia",
            N_("two-way learning partnership"),
            N_("learning partner"),
            N_("leadership partner"),
            "en",
            "SG MY ID TH VN PH BN KH LA MM TL",
        ),
        _f("brazil", N_("insight circle"), N_("insight lead"), N_("circle member"), "pt-BR", "BR"),
        _f(
            "latin-america",
            N_("generational exchange"),
            N_("exchange guide"),
            N_("exchange partner"),
            "es",
            "MX AR CL CO PE VE EC BO PY UY CR PA GT HN SV NI DO CU PR",
        ),
        _f("dach", N_("specialist consultation"), N_("specialist"), N_("consulting executive"), "de", "DE AT CH LI"),
        _f("france", N_("reciprocal mentoring"), N_("reciprocal mentor"), N_("mentored leader"), "fr", "FR MC LU BE"),
        _f("uk-ireland", N_("reverse mentoring"), N_("reverse mentor"), N_("senior mentee"), "en", "GB IE IM JE GG"),
        _f("north-america", N_("reverse mentorship"), N_("mentor"), N_("executive mentee"), "en", "US CA"),
        _f("gulf", N_("strategic advisory panel"), N_("advisor"), N_("panel chair"), "ar", "AE SA QA KW BH OM"),
        _f("nordics", N_("two-way mentoring"), N_("mentor"), N_("mentoring leader"), "en", "SE NO DK FI IS"),
    )
}
_BY_COUNTRY = {country: framing for framing in FRAMINGS.values() for country in framing.countries}


def region_of(country: str | None) -> Framing:
    """The framing region a country belongs to (the default wording for the rest of the world)."""
    return _BY_COUNTRY.get((country or "").upper(), DEFAULT)


def framing_for(country: str | None, overrides: dict | None = None) -> Framing:
    """The programme's wording for a country: its override of the country or region, else the region's."""
    base = region_of(country)
    overrides = overrides or {}
    override = overrides.get((country or "").upper()) or overrides.get(base.region)
    if not override:
        return base
    words = {field: override.get(field) or getattr(base, field) for field in FIELDS}
    written = frozenset(field for field in FIELDS if override.get(field))
    return Framing(base.region, **words, local=base.local, countries=base.countries, written=written)


def override_keys() -> tuple[str, ...]:
    """What a programme's framing may be keyed by: a framing region, or a country code."""
    return (*FRAMINGS, DEFAULT.region)
