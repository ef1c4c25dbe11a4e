"""Our EmployeeRecord in BambooHR's shape: string ids, string booleans, `0000-00-00` dates, custom fields."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from xml.sax.saxutils import escape, quoteattr

from plugin.domain.employee import EmployeeRecord, EmploymentStatus
from plugin.emulators.server import json_array_chunks

FIELD_TYPES = {
    "id": "int",
    "employeeNumber": "text",
    "firstName": "text",
    "lastName": "text",
    "preferredName": "text",
    "displayName": "text",
    "workEmail": "email",
    "jobTitle": "list",
    "department": "list",
    "division": "list",
    "location": "list",
    "country": "country",
    "supervisorEId": "int",
    "employmentHistoryStatus": "list",
    "status": "status",
    "hireDate": "date",
    "originalHireDate": "date",
    "terminationDate": "date",
    "lastChanged": "timestamp",
    "customJobLevel": "text",
    "customFunction": "list",
    "customLanguages": "text",
    "customExpertise": "text",
    "customPreferredLanguage": "text",
    "customIsManager": "bool",
    "customLearningGoals": "text",
    "dateOfBirth": "date",
}
DIRECTORY_FIELDS = (
    "displayName",
    "firstName",
    "lastName",
    "preferredName",
    "jobTitle",
    "workEmail",
    "department",
    "location",
    "division",
    "supervisorEId",
)
# which EmployeeRecord fields survive a trip through this emulator and the default mapping
# (is_manager travels in customIsManager, which the default mapping does not read)
CARRIED = (
    "source_id",
    "employee_number",
    "first_name",
    "last_name",
    "preferred_name",
    "display_name",
    "work_email",
    "job_title",
    "department",
    "division",
    "location",
    "country",
    "manager_source_id",
    "employment_status",
    "hire_date",
    "termination_date",
    "job_level",
    "function",
    "languages",
    "expertise",
    "preferred_language",
    "deleted",
    "learning_goals",
    "birth_year",
)
HISTORY_STATUS = {
    EmploymentStatus.ACTIVE: "Full-Time",
    EmploymentStatus.PENDING: "Full-Time",
    EmploymentStatus.ON_LEAVE: "Leave of Absence",
    EmploymentStatus.TERMINATED: "Terminated",
    EmploymentStatus.OTHER: "Contractor",
}


def _date(value: date | None, null: str = "") -> str:
    return value.isoformat() if value else null


def stamp(moment: datetime) -> str:
    """BambooHR's timestamp form: seconds, `+00:00` offset."""
    return moment.isoformat(timespec="seconds")


def vendor_record(r: EmployeeRecord, changed: datetime) -> dict[str, str]:
    """Every field this emulated company has, as BambooHR returns them (all strings)."""
    inactive = r.employment_status in (EmploymentStatus.TERMINATED, EmploymentStatus.OTHER)
    return {
        "id": r.source_id,
        "employeeNumber": r.employee_number or "",
        "firstName": r.first_name,
        "lastName": r.last_name,
        "preferredName": r.preferred_name or "",
        "displayName": r.display_name or "",
        "workEmail": r.work_email or "",
        "jobTitle": r.job_title or "",
        "department": r.department or "",
        "division": r.division or "",
        "location": r.location or "",
        "country": r.country or "",
        "supervisorEId": r.manager_source_id or "",
        "employmentHistoryStatus": r.employment_status_raw or HISTORY_STATUS[r.employment_status],
        "status": "Inactive" if inactive else "Active",
        "hireDate": _date(r.hire_date, "0000-00-00"),
        "originalHireDate": _date(r.start_date),
        "terminationDate": _date(r.termination_date, "0000-00-00"),
        "lastChanged": stamp(changed),
        "customJobLevel": str(r.job_level) if r.job_level is not None else "",
        "customFunction": r.function or "",
        "customLanguages": ", ".join(r.languages),
        "customExpertise": ", ".join(r.expertise),
        "customPreferredLanguage": r.preferred_language or "",
        "customIsManager": "true" if r.is_manager else "false",
        "customLearningGoals": ", ".join(r.learning_goals),
        "dateOfBirth": f"{r.birth_year}-01-01" if r.birth_year else "0000-00-00",
    }


def job_row(row_id: int, r: EmployeeRecord, effective: date | None, manager_name: str) -> dict[str, str]:
    """One jobInfo table row."""
    return {
        "id": str(row_id),
        "employeeId": r.source_id,
        "date": _date(effective, "0000-00-00"),
        "location": r.location or "",
        "department": r.department or "",
        "division": r.division or "",
        "jobTitle": r.job_title or "",
        "reportsTo": manager_name,
    }


def field_meta(fields: Iterable[str]) -> list[dict[str, str]]:
    """The `fields` list of a custom report or directory."""
    return [{"id": f, "type": FIELD_TYPES.get(f, "text"), "name": f} for f in fields]


def report_chunks(title: str, fields: list[str], rows: Iterator[dict], chunk: int = 500) -> Iterator[bytes]:
    """A custom report as a streamed JSON document, a few hundred employees per chunk."""
    head = {"title": title, "fields": field_meta(fields)}
    yield json.dumps(head)[:-1].encode() + b', "employees": ['
    yield from json_array_chunks(rows, chunk)
    yield b"]}"


def directory_xml(fields: list[str], rows: Iterable[dict]) -> Iterator[str]:
    """The employee directory as BambooHR's XML (the default when JSON is not asked for)."""
    yield "<?xml version='1.0'?>\n<directory><fieldset>"
    yield "".join(f"<field id={quoteattr(f)}>{escape(f)}</field>" for f in fields)
    yield "</fieldset><employees>"
    for row in rows:
        cells = "".join(f"<field id={quoteattr(f)}>{escape(row.get(f, ''))}</field>" for f in fields)
        yield f"<employee id={quoteattr(row['id'])}>{cells}</employee>"
    yield "</employees></directory>"
