"""Real geography: every ISO 3166 country's region and time zones (CLDR via Babel, tzdata), and an office's zone."""

from __future__ import annotations

from functools import cache
from importlib import resources

from babel.core import get_global
from babel.dates import get_timezone_location

from .subdivisions import SUBDIVISION_ZONES
from .subdivisions import plain as _plain

APAC = "APAC"
EUROPE = "EMEA-Europe"
MIDDLE_EAST = "Middle East"
AFRICA = "EMEA-Africa"
AMERICAS = "Americas"
REGIONS = (APAC, EUROPE, MIDDLE_EAST, AFRICA, AMERICAS)

# The UN M49 groups (CLDR territory containment) folded into the five regions HR plans in; Western Asia
# and Iran form the Middle East, Cyprus and Russia count with Europe, Antarctica with the Asia-Pacific.
_MEMBERS = {
    AMERICAS: "AG AI AR AW BB BL BM BO BQ BR BS BV BZ CA CL CO CR CU CW DM DO EC FK GD GF GL GP GS GT GY HN HT "
    "JM KN KY LC MF MQ MS MX NI PA PE PM PR PY SR SV SX TC TT US UY VC VE VG VI",
    EUROPE: "AD AL AT AX BA BE BG BY CH CY CZ DE DK EE ES FI FO FR GB GG GI GR HR HU IE IM IS IT JE LI LT LU "
    "LV MC MD ME MK MT NL NO PL PT RO RS RU SE SI SJ SK SM UA VA",
    MIDDLE_EAST: "AE AM AZ BH GE IL IQ IR JO KW LB OM PS QA SA SY TR YE",
    AFRICA: "AO BF BI BJ BW CD CF CG CI CM CV DJ DZ EG EH ER ET GA GH GM GN GQ GW IO KE KM LR LS LY MA MG ML "
    "MR MU MW MZ NA NE NG RE RW SC SD SH SL SN SO SS ST SZ TD TF TG TN TZ UG YT ZA ZM ZW",
    APAC: "AF AQ AS AU BD BN BT CC CK CN CX FJ FM GU HK HM ID IN JP KG KH KI KP KR KZ LA LK MH MM MN MO MP "
    "MV MY NC NF NP NR NU NZ PF PG PH PK PN PW SB SG TH TJ TK TL TM TO TV TW UM UZ VN VU WF WS",
}
REGION_OF = {code: region for region, codes in _MEMBERS.items() for code in codes.split()}
# Uninhabited islands that CLDR and tzdata give no zone: the zone their visiting stations keep.
_UNINHABITED = {"BV": ("Etc/UTC",), "HM": ("Indian/Kerguelen",)}


@cache
def country_codes() -> tuple[str, ...]:
    """Every ISO 3166-1 alpha-2 code, as the tz database lists them."""
    text = resources.files("tzdata").joinpath("zoneinfo", "iso3166.tab").read_text(encoding="utf-8")
    return tuple(line.split("\t")[0] for line in text.splitlines() if line and not line.startswith("#"))


def region_of(code: str | None) -> str | None:
    """The region of an ISO country code (None for an unknown or missing code)."""
    return REGION_OF.get((code or "").upper())


def zones_of(code: str | None) -> tuple[str, ...]:
    """The country's time zones, CLDR's list (Babel), most populous first."""
    code = (code or "").upper()
    return tuple(get_global("territory_zones").get(code, ())) or _UNINHABITED.get(code, ())


def timezone_of(code: str | None, location: str | None = None) -> str | None:
    """The employee's zone: the country's only zone, else the one the HRIS office or location names.

    A country with several zones and a location that names none of them gives None: guessing the first
    zone would put every US employee in New York.
    """
    zones = zones_of(code)
    if len(zones) <= 1:
        return zones[0] if zones else None
    return _zone_named(code.upper(), zones, location or "")


def _zone_named(code: str, zones: tuple[str, ...], location: str) -> str | None:
    words = [_plain(part) for part in location.replace("/", ",").replace("-", ",").split(",")]
    words = [word for word in words if word]
    cities = {_plain(get_timezone_location(zone, "en", return_city=True)): zone for zone in zones}
    cities.update({_plain(zone.rsplit("/", 1)[-1].replace("_", " ")): zone for zone in zones})
    states = SUBDIVISION_ZONES.get(code, {})
    for word in words:
        if word in cities:
            return cities[word]
    for word in reversed(words):  # "Austin, TX": the state comes last
        if word in states:
            return states[word]
    return None
