"""Real geography: every ISO 3166 country has a region and a zone; an employee's zone comes from their office."""

from __future__ import annotations

import zoneinfo

import pytest

from plugin.domain.geography import REGIONS, country_codes, region_of, timezone_of, zones_of


def test_every_iso_3166_country_has_a_region_and_a_real_zone():
    codes = country_codes()
    assert len(codes) >= 249 and {"JP", "KR", "IN", "BR", "DE", "AE", "SE", "NG", "FJ"} <= set(codes)
    for code in codes:
        assert region_of(code) in REGIONS, code
        assert zones_of(code), code
        for zone in zones_of(code):
            zoneinfo.ZoneInfo(zone)  # a real tzdata zone, or this raises


def test_regions_are_the_ones_people_expect():
    assert region_of("KR") == region_of("JP") == "APAC"
    assert region_of("IT") == "EMEA-Europe" != region_of("KR")
    assert region_of("ae") == "Middle East"
    assert region_of("NG") == "EMEA-Africa"
    assert region_of("MX") == region_of("CA") == "Americas"
    assert region_of("XX") is None and region_of(None) is None


@pytest.mark.parametrize(
    ("country", "location", "zone"),
    [
        ("JP", None, "Asia/Tokyo"),
        ("US", "Austin, TX", "America/Chicago"),
        ("US", "San Francisco", "America/Los_Angeles"),
        ("US", "Denver", "America/Denver"),
        ("US", "Portland, ME", "America/New_York"),
        ("BR", "Recife", "America/Recife"),
        ("BR", "São Paulo", "America/Sao_Paulo"),
        ("BR", "sao paulo", "America/Sao_Paulo"),
        ("CA", "Vancouver", "America/Vancouver"),
        ("CA", "Montréal", "America/Toronto"),
        ("AU", "Perth", "Australia/Perth"),
        ("IN", "Bengaluru", "Asia/Kolkata"),
    ],
)
def test_the_employees_own_zone_comes_from_the_office(country, location, zone):
    assert timezone_of(country, location) == zone


def test_a_country_with_several_zones_and_no_office_gets_no_invented_zone():
    assert timezone_of("US", None) is None
    assert timezone_of("US", "Remote") is None
    assert timezone_of("XX", "Paris") is None


def test_sync_fills_a_real_employees_region_and_zone_from_their_office_never_from_demo_data():
    from plugin.domain.employee import EmployeeRecord
    from plugin.services.roster import row_values

    austin = row_values(EmployeeRecord("bamboohr", "1", country="US", location="Austin, TX"), 1, None)
    assert (austin["region"], austin["timezone"]) == ("Americas", "America/Chicago")
    remote = row_values(EmployeeRecord("bamboohr", "2", country="US", location="Remote"), 1, None)
    assert (remote["region"], remote["timezone"]) == ("Americas", None)  # not New York for everyone
    seoul = row_values(EmployeeRecord("workday", "3", country="KR"), 1, None)
    assert (seoul["region"], seoul["timezone"]) == ("APAC", "Asia/Seoul")
    record = EmployeeRecord("workday", "4", country="US", region="NA-West", timezone="America/Denver")
    sent = row_values(record, 1, None)
    assert (sent["region"], sent["timezone"]) == ("NA-West", "America/Denver")  # what the vendor sent wins


def test_no_production_module_imports_the_demo_tables():
    import pathlib

    root = pathlib.Path(__file__).parent.parent / "plugin"
    for path in root.rglob("*.py"):
        relative = path.relative_to(root).as_posix()
        if relative.startswith("demo/"):
            continue  # the demo, its synthetic workforce generator and that generator's job
        assert "demo.countries" not in path.read_text(encoding="utf-8"), relative
