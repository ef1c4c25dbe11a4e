"""Per-connection field mapping: which vendor field feeds which EmployeeRecord field, and how to read it.

A connector module declares its vendor's defaults (`DEFAULT_FIELDS`); a connection overrides any
target with another vendor field (standard or custom) or switches it off with None. The mapping
converts one raw vendor record into an EmployeeRecord, normalising the vendors' quirks on the way:
`""` and `"0000-00-00"` dates are null, `"true"`/`"false"`/`"1"`/`"0"` are booleans, multi-valued
fields may be lists of `{"Descriptor": ...}` objects or comma-separated text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from plugin.domain.employee import EmployeeRecord, EmploymentStatus
from plugin.errors import BadRecord

NULL_DATES = frozenset({"", "0000-00-00", "0000-00-00 00:00:00"})
TRUE = frozenset({"true", "1", "yes", "y", "t", "active"})
FALSE = frozenset({"false", "0", "no", "n", "f", "inactive"})
_DIGITS = re.compile(r"\d+")
_SPLIT = re.compile(r"\s*[,;|]\s*")


def _scalar(value):
    """A vendor value as one plain value: `{"value": x}` / `{"Descriptor": x}` objects unwrap."""
    if isinstance(value, dict):
        for key in ("value", "Descriptor", "descriptor", "id", "ID"):
            if key in value:
                return value[key]
        return next(iter(value.values()), None) if len(value) == 1 else None
    if isinstance(value, list):
        return _scalar(value[0]) if value else None
    return value


def to_text(value, target: str = "") -> str | None:
    """Plain text, stripped; empty becomes None."""
    if type(value) is str:  # the common case, kept fast: 100k records x 20 fields
        return value.strip() or None
    value = _scalar(value)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def to_email(value, target: str = "") -> str | None:
    """A work email, lower-cased."""
    text = value.strip() if type(value) is str else to_text(value)
    return text.lower() if text else None


def to_date(value, target: str = "") -> date | None:
    """An ISO date; `""`/`"0000-00-00"` are null (BambooHR); `2020-01-15-08:00` keeps its date part."""
    value = _scalar(value)
    if value is None or value in NULL_DATES:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError as err:
        raise BadRecord(f"unparseable {target or 'date'} {value!r}") from err


def to_datetime(value, target: str = "") -> datetime | None:
    """An ISO 8601 instant (offsets with or without a colon, or Z), as aware UTC; naive means UTC."""
    value = _scalar(value)
    if value is None or value in NULL_DATES:
        return None
    try:
        moment = datetime.fromisoformat(str(value).strip())
    except ValueError as err:
        raise BadRecord(f"unparseable {target or 'timestamp'} {value!r}") from err
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def to_int(value, target: str = "") -> int | None:
    """The first number in the value (`"L5"`, `"5 - Senior"` -> 5); no number -> None."""
    value = _scalar(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    match = _DIGITS.search(str(value)) if value is not None else None
    return int(match.group()) if match else None


def to_bool(value, target: str = "") -> bool | None:
    """A boolean from real booleans or the strings vendors send instead."""
    value = _scalar(value)
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    return True if text in TRUE else False if text in FALSE else None


def to_year(value, target: str = "") -> int | None:
    """A birth year from a date (`0000-00-00` and empty are None) or a plain year."""
    number = to_int(value, target)
    return number if number is not None and 1900 <= number <= 2100 else None


def to_list(value, target: str = "") -> tuple[str, ...]:
    """A tuple of strings from a list (of strings or objects) or comma/semicolon separated text."""
    if value is None:
        return ()
    items = value if isinstance(value, list) else _SPLIT.split(str(value))
    out = (to_text(item) for item in items)
    return tuple(item for item in out if item)


CONVERTERS: dict[str, Callable] = {
    "source_id": to_text,
    "employee_number": to_text,
    "first_name": to_text,
    "last_name": to_text,
    "preferred_name": to_text,
    "display_name": to_text,
    "work_email": to_email,
    "job_title": to_text,
    "job_level": to_int,
    "department": to_text,
    "division": to_text,
    "function": to_text,
    "location": to_text,
    "country": to_text,
    "region": to_text,
    "timezone": to_text,
    "manager_source_id": to_text,
    "is_manager": to_bool,
    "employment_status_raw": to_text,
    "employment_type": to_text,
    "hire_date": to_date,
    "start_date": to_date,
    "termination_date": to_date,
    "birth_year": to_year,
    "preferred_language": to_text,
    "languages": to_list,
    "expertise": to_list,
    "learning_goals": to_list,
    "source_modified_at": to_datetime,
    "active": to_bool,  # not a record field: the vendor's active/inactive flag, used for the status
}
TARGETS = frozenset(CONVERTERS)


@dataclass(frozen=True)
class FieldMapping:
    """Target field -> vendor field for one connection, plus custom fields kept as text."""

    fields: Mapping[str, str]
    custom: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        defaults: Mapping[str, str | None],
        overrides: Mapping[str, str | None] | None = None,
        custom: Mapping[str, str] | None = None,
    ) -> FieldMapping:
        """Defaults with a connection's overrides on top; an override of None switches a target off."""
        merged = {**defaults, **(overrides or {})}
        unknown = set(merged) - TARGETS
        if unknown:
            raise ValueError(f"unknown mapping targets: {sorted(unknown)}")
        return cls({t: v for t, v in merged.items() if v}, dict(custom or {}))

    def vendor_fields(self) -> list[str]:
        """Every vendor field this mapping reads, in a stable order, without duplicates."""
        return list(dict.fromkeys([*self.fields.values(), *self.custom.values()]))

    def compile(self, source_system: str, *, today: date | None = None) -> Callable[[Mapping], EmployeeRecord]:
        """A fast function from one raw vendor record to an EmployeeRecord (raises BadRecord).

        A vendor field absent from the raw record is not sent (the record's `unsent` names its target,
        so the stored value stays); one present but null or empty is a blank. A connector whose vendor
        omits empty values (Workday) fills a readable column's absences with null before this.
        """
        steps = [(target, vendor, CONVERTERS[target]) for target, vendor in self.fields.items()]
        custom = list(self.custom.items())
        status_inputs = frozenset(STATUS_INPUTS) & frozenset(self.fields)
        today = today or date.today()

        def convert(raw: Mapping) -> EmployeeRecord:
            values, unsent = {}, set()
            for target, vendor, conv in steps:
                value = raw.get(vendor, _ABSENT)
                if value is _ABSENT:
                    unsent.add(target)
                elif value is not None and value != "":
                    values[target] = conv(value, target)
            if not values.get("source_id"):
                raise BadRecord("record has no employee id")
            if custom:
                if not any(v in raw for _k, v in custom):
                    unsent.add("custom_fields")
                else:
                    values["custom_fields"] = {k: t for k, v in custom if (t := to_text(raw.get(v)))}
            if unsent:
                if status_inputs and status_inputs <= unsent:
                    unsent.add("employment_status")  # nothing the status is read from was sent
                unsent.discard("active")
                values["unsent"] = frozenset(unsent)
            return _record(source_system, values, today)

        return convert


_ABSENT = object()
STATUS_INPUTS = ("employment_status_raw", "active", "termination_date")


def _record(source_system: str, values: dict, today: date) -> EmployeeRecord:
    active = values.pop("active", None)
    if None in values.values():
        values = {k: v for k, v in values.items() if v is not None}
    values["employment_status"] = employment_status(
        values.get("employment_status_raw"), active, values.get("termination_date"), values.get("hire_date"), today
    )
    return EmployeeRecord(source_system=source_system, **values)


def employment_status(
    raw: str | None, active: bool | None, terminated_on: date | None, hired_on: date | None, today: date
) -> EmploymentStatus:
    """Our status from the vendor's raw status text, active flag, and termination and hire dates."""
    text = (raw or "").lower()
    if "terminat" in text or (terminated_on is not None and terminated_on <= today):
        return EmploymentStatus.TERMINATED
    if active is False:
        return EmploymentStatus.TERMINATED if terminated_on else EmploymentStatus.OTHER
    if "leave" in text:
        return EmploymentStatus.ON_LEAVE
    if hired_on is not None and hired_on > today:
        return EmploymentStatus.PENDING
    return EmploymentStatus.ACTIVE


@dataclass(frozen=True)
class PreviewRow:
    """One raw vendor record shown through the mapping: target -> (vendor field, raw value, our value)."""

    source_id: str | None
    values: dict[str, tuple[str, object, object]]
    error: str | None = None


def preview_mapping(connector, n: int = 5) -> list[PreviewRow]:
    """Dry run: read `n` real records through `connector` and show what the mapping makes of each field."""
    mapping: FieldMapping = connector.mapping
    return [_preview_row(mapping, raw) for raw in connector.sample_raw(n)]


def _preview_row(mapping: FieldMapping, raw: Mapping) -> PreviewRow:
    values, error = {}, None
    for target, vendor in mapping.fields.items():
        try:
            values[target] = (vendor, raw.get(vendor), CONVERTERS[target](raw.get(vendor), target))
        except BadRecord as err:
            values[target], error = (vendor, raw.get(vendor), None), str(err)
    source_id = values.get("source_id", (None, None, None))[2]
    return PreviewRow(source_id=source_id, values=values, error=error or (None if source_id else "no id"))


def missing_fields(requested: Iterable[str], present: Iterable[str]) -> frozenset[str]:
    """Vendor fields asked for but not delivered (dropped, omitted or restricted)."""
    return frozenset(requested) - frozenset(present)
