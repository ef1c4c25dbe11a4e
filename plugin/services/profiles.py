"""Participant profiles: seeded from HRIS fields, imported from CSV (bad rows reported by line), or self-edited."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..domain.personality import validate_answers
from ..errors import RowError, ValidationError
from ..models import Employee, Profile
from .tenant import Tenant

STYLES = {
    "sync_style": ("synchronous", "asynchronous", "either"),
    "formality": ("formal", "informal", "either"),
    "medium": ("video", "chat", "either"),
}
CSV_COLUMNS = (
    "email",
    "languages",
    "sync_style",
    "formality",
    "medium",
    "expertise",
    "learning_goals",
    "aspirations",
    "timezone",
    "work_start_hour",
    "work_end_hour",
)


def profile_for(tenant: Tenant, employee: Employee) -> Profile:
    """The employee's profile, created from HRIS fields the first time it is needed."""
    rows = tenant.all(Profile, Profile.employee_id == employee.id)
    if rows:
        return rows[0]
    languages = {code: 5 if code == employee.preferred_language else 3 for code in (employee.languages or [])}
    if employee.preferred_language and employee.preferred_language not in languages:
        languages[employee.preferred_language] = 5
    return tenant.add(
        Profile(
            employee_id=employee.id,
            languages=languages,
            expertise=list(employee.expertise or []),
            learning_goals=list(employee.learning_goals or []),
            aspirations=[],
            timezone=employee.timezone,
            work_start_hour=9,
            work_end_hour=17,
            source="hris",
        )
    )


@dataclass
class ImportReport:
    """What a CSV import kept and what it rejected, by line number."""

    imported: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)


def import_csv(tenant: Tenant, text: str) -> ImportReport:
    """Apply a profile CSV: every good row is kept, every bad row is reported with its line and reason."""
    if "\x00" in text:
        raise ValidationError("The CSV contains NUL characters, which cannot be stored; nothing was imported")
    try:
        return _import(tenant, csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    except csv.Error as exc:  # the file itself is unreadable: nothing of it is kept (the caller rolls back)
        raise ValidationError(f"The CSV cannot be read ({exc}); nothing was imported") from exc


def _import(tenant: Tenant, reader: csv.DictReader) -> ImportReport:
    report = ImportReport()
    if "email" not in (reader.fieldnames or []):
        raise ValidationError(
            f"The CSV's header row must include an email column (columns: {', '.join(CSV_COLUMNS)}); "
            "nothing was imported"
        )
    unknown = set(reader.fieldnames or []) - set(CSV_COLUMNS)
    if unknown:
        report.rejected.append((1, f"unknown columns ignored: {', '.join(sorted(unknown))}"))
    for row in reader:
        try:
            _apply_row(tenant, row)
            report.imported += 1
        except RowError as exc:
            report.rejected.append((reader.line_num, str(exc)))
    tenant.session.flush()
    return report


def _apply_row(tenant: Tenant, row: dict) -> None:
    email = (row.get("email") or "").strip().lower()
    if not email:
        raise RowError("email is empty")
    found = tenant.all(Employee, Employee.work_email == email, Employee.active.is_(True))
    if len(found) != 1:
        raise RowError(f"no active employee has the email {email}" if not found else f"{email} is ambiguous")
    values = parse_row(row)
    profile = profile_for(tenant, found[0])
    for key, value in values.items():
        setattr(profile, key, value)
    profile.source = "csv"


def parse_row(row: dict) -> dict:
    """Validate one CSV row's profile fields; only the columns present and non-empty are returned. A refusal
    names its field and kind in `errors` (the profile page words it in the reader's language)."""
    out: dict = {}
    if row.get("languages"):
        out["languages"] = _languages(row["languages"])
    for key, allowed in STYLES.items():
        if row.get(key):
            value = row[key].strip().lower()
            if value not in allowed:
                raise RowError(f"{key} must be one of {', '.join(allowed)}, not {value!r}", errors={key: "choice"})
            out[key] = value
    for key in ("expertise", "learning_goals", "aspirations"):
        if row.get(key):
            out[key] = sorted({t.strip().lower() for t in row[key].split(";") if t.strip()})
    if row.get("timezone"):
        out["timezone"] = _timezone(row["timezone"].strip())
    for key in ("work_start_hour", "work_end_hour"):
        if row.get(key):
            out[key] = _hour(key, row[key])
    if out.get("work_start_hour", 0) >= out.get("work_end_hour", 24):
        raise RowError("work_start_hour must be before work_end_hour", errors={"work_end_hour": "order"})
    return out


def _languages(text: str) -> dict[str, int]:
    languages = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        code, _, level = part.partition(":")
        if not level.strip().isdigit() or not 1 <= int(level) <= 5:
            raise RowError(f"language {part!r} needs a fluency from 1 to 5, like en:5", errors={"languages": "fluency"})
        languages[code.strip()] = int(level)
    return languages


def _timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise RowError(f"unknown time zone {name!r}", errors={"timezone": "unknown"}) from exc
    return name


def _hour(key: str, text: str) -> int:
    if not text.strip().isdigit() or not 0 <= int(text) <= 24:
        raise RowError(f"{key} must be a whole hour from 0 to 24", errors={key: "hour"})
    return int(text)


def save_personality(tenant: Tenant, employee: Employee, answers: list) -> Profile:
    """Keep a person's own Mini-IPIP answers (all 20, 1 to 5); they are used only for matching."""
    profile = profile_for(tenant, employee)
    profile.personality = list(validate_answers(answers))
    tenant.session.flush()
    return profile


def forget_personality(tenant: Tenant, employee: Employee) -> Profile:
    """Delete a person's Mini-IPIP answers; matching treats them as not answered from then on."""
    profile = profile_for(tenant, employee)
    profile.personality = None
    tenant.session.flush()
    return profile
