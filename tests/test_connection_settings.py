"""Vendor settings are checked when a connection is saved, and services read them typed."""

from __future__ import annotations

import pytest

from plugin.errors import ValidationError
from plugin.models import AuditEvent, Connection
from plugin.services import connection_settings, connections


@pytest.mark.parametrize(
    "vendor, values, field",
    [
        ("bamboohr", {}, "company"),
        ("bamboohr", {"company": "acme", "page_size": "lots"}, "page_size"),
        ("bamboohr", {"company": "acme/../evil"}, "company"),
        ("bamboohr", {"company": "acme", "bulk": "everything"}, "bulk"),
        ("bamboohr", {"company": "acme", "retry": {"attempts": 6}}, "retry"),
        ("bamboohr", {"company": "acme", "timeout": [5]}, "timeout"),
        ("bamboohr", {"company": "acme", "comapny": "typo"}, "comapny"),
        ("workday", {"host": "wd2.workday.com"}, "tenant"),
        ("workday", {"host": "wd2.workday.com", "tenant": "acme", "report": "no-owner"}, "report"),
        ("moodle", {"base_url": "not a url"}, "base_url"),
        ("moodle", {"base_url": "https://moodle.example.test", "rate_limit_per_s": -1}, "rate_limit_per_s"),
        ("canvas", {"base_url": "https://canvas.example.test", "http_attempts": 20}, "http_attempts"),
        ("canvas", {"base_url": "https://canvas.example.test", "max_pause": "soon"}, "max_pause"),
    ],
)
def test_a_bad_setting_is_refused_at_save_time_naming_the_field(make_org, vault, session, vendor, values, field):
    tenant = make_org()
    with pytest.raises(ValidationError) as refused:
        connections.create_connection(tenant, vault, vendor, settings=values, credentials={"token": "t"})
    assert field in refused.value.errors
    session.flush()
    assert tenant.count(Connection) == 0 and tenant.count(AuditEvent) == 0  # nothing stored


def test_services_read_typed_settings_with_the_documented_defaults(make_org, vault):
    tenant = make_org()
    conn = connections.create_connection(
        tenant,
        vault,
        "bamboohr",
        settings={"company": "acme", "fields": {"department": "division"}, "timeout": [2, 30]},
        credentials={"api_key": "k"},
    )
    typed = connection_settings.hris(conn)
    assert (typed.company, typed.host, typed.bulk, typed.page_size) == ("acme", "current", "custom_report", 1000)
    assert typed.fields == {"department": "division"} and typed.timeout == (2.0, 30.0)
    canvas = connections.create_connection(
        tenant,
        vault,
        "canvas",
        settings={"base_url": "https://canvas.example.test", "low_water": 100},
        credentials={"client_id": "c"},
    )
    lms = connection_settings.lms(canvas)
    assert (lms.account_id, lms.rate_burst, lms.pacing) == ("self", 5, {"low_water": 100.0})


def test_an_edit_is_checked_as_a_whole_and_a_bad_one_changes_nothing(make_org, vault):
    tenant = make_org()
    conn = connections.create_connection(
        tenant, vault, "moodle", settings={"base_url": "https://moodle.example.test"}, credentials={"token": "t"}
    )
    connection_settings.edit(conn, role_ids={"student": 5})
    assert connection_settings.lms(conn).role_ids == {"student": 5}
    with pytest.raises(ValidationError):
        connection_settings.edit(conn, role_ids={"student": "five"})
    assert conn.settings == {"base_url": "https://moodle.example.test", "role_ids": {"student": 5}}
