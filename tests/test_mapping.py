"""Field mapping: vendor quirks read correctly, connections re-point fields, the dry run shows it all."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from plugin.connectors.bamboohr import DEFAULT_FIELDS as BAMBOO
from plugin.connectors.mapping import FieldMapping, employment_status, preview_mapping, to_datetime
from plugin.domain.employee import EmploymentStatus
from plugin.errors import BadRecord

TODAY = date(2026, 2, 1)


def convert(raw, **overrides):
    return FieldMapping.build(BAMBOO, overrides).compile("bamboohr", today=TODAY)(raw)


def test_null_dates_and_string_booleans_read_as_nothing_and_booleans():
    record = convert(
        {
            "id": "7",
            "firstName": "Kofi",
            "hireDate": "0000-00-00",
            "terminationDate": "",
            "customIsManager": "true",
            "status": "Active",
        },
        is_manager="customIsManager",
    )
    assert record.hire_date is None and record.termination_date is None
    assert record.is_manager is True
    assert record.employment_status == EmploymentStatus.ACTIVE


def test_an_unparseable_date_is_a_bad_record_naming_the_field():
    with pytest.raises(BadRecord, match="hire_date"):
        convert({"id": "7", "hireDate": "31/02/2020"})


def test_a_record_without_an_id_is_bad():
    with pytest.raises(BadRecord, match="no employee id"):
        convert({"id": "", "firstName": "Ghost"})


def test_a_connection_can_point_a_target_at_its_own_custom_field_or_switch_it_off():
    record = convert(
        {"id": "7", "4001": "L6 - Staff", "customJobLevel": "2", "department": "Eng"}, job_level="4001", department=None
    )
    assert record.job_level == 6
    assert record.department is None


def test_custom_fields_are_kept_as_text():
    mapping = FieldMapping.build(BAMBOO, custom={"mentoring_interest": "customMentoring"})
    record = mapping.compile("bamboohr")({"id": "1", "customMentoring": " yes "})
    assert record.custom_fields == {"mentoring_interest": "yes"}
    assert "customMentoring" in mapping.vendor_fields()


def test_unknown_targets_are_refused():
    with pytest.raises(ValueError, match="favourite_colour"):
        FieldMapping.build(BAMBOO, {"favourite_colour": "customColour"})


def test_multi_valued_fields_from_workday_objects_and_bamboohr_text():
    mapping = FieldMapping.build({"source_id": "id", "languages": "Languages", "expertise": "Skills"})
    languages = [{"Language": "English"}, {"Language": "Hindi"}]
    record = mapping.compile("workday")({"id": "w1", "Languages": languages, "Skills": "python; sql, ml"})
    assert record.languages == ("English", "Hindi")
    assert record.expertise == ("python", "sql", "ml")


def test_timestamps_with_colonless_offsets_and_z():
    assert to_datetime("2026-01-31T18:42:00+0000") == datetime(2026, 1, 31, 18, 42, tzinfo=UTC)
    assert to_datetime("2026-01-31T10:42:00-08:00") == datetime(2026, 1, 31, 18, 42, tzinfo=UTC)
    assert to_datetime("2026-01-31T18:42:00Z") == datetime(2026, 1, 31, 18, 42, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "active", "ended", "hired", "expected"),
    [
        ("Terminated", False, date(2025, 1, 1), None, EmploymentStatus.TERMINATED),
        ("Full-Time", True, date(2026, 1, 31), None, EmploymentStatus.TERMINATED),
        ("Full-Time", True, date(2026, 3, 1), None, EmploymentStatus.ACTIVE),  # leaving next month
        ("Contractor", False, None, None, EmploymentStatus.OTHER),
        ("Leave of Absence", True, None, None, EmploymentStatus.ON_LEAVE),
        ("Full-Time", True, None, date(2026, 6, 1), EmploymentStatus.PENDING),
    ],
)
def test_employment_status(raw, active, ended, hired, expected):
    assert employment_status(raw, active, ended, hired, TODAY) == expected


class FakeConnector:
    mapping = FieldMapping.build(BAMBOO)

    def sample_raw(self, n=5):
        rows = [{"id": str(i), "firstName": f"P{i}", "hireDate": "2020-01-0" + str(i)} for i in range(1, 7)]
        rows[1]["hireDate"] = "not a date"
        return rows[:n]


def test_preview_shows_five_records_field_by_field_with_errors_inline():
    rows = preview_mapping(FakeConnector(), n=5)
    assert [r.source_id for r in rows] == ["1", "2", "3", "4", "5"]
    assert rows[0].values["first_name"] == ("firstName", "P1", "P1")
    assert rows[0].values["hire_date"] == ("hireDate", "2020-01-01", date(2020, 1, 1))
    assert rows[0].values["job_level"] == ("customJobLevel", None, None)
    assert rows[1].error and "hire_date" in rows[1].error
