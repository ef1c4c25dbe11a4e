"""The normalised employee every connector yields and every capability reads."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from enum import StrEnum


class EmploymentStatus(StrEnum):
    ACTIVE = "active"
    PENDING = "pending"
    ON_LEAVE = "on_leave"
    TERMINATED = "terminated"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class EmployeeRecord:
    """One employee as Flipside understands them, whatever system they came from."""

    source_system: str
    source_id: str
    first_name: str = ""
    last_name: str = ""
    preferred_name: str | None = None
    display_name: str | None = None
    employee_number: str | None = None
    work_email: str | None = None
    job_title: str | None = None
    job_level: int | None = None
    department: str | None = None
    division: str | None = None
    function: str | None = None
    location: str | None = None
    country: str | None = None
    region: str | None = None
    timezone: str | None = None
    manager_source_id: str | None = None
    is_manager: bool = False
    employment_status: EmploymentStatus = EmploymentStatus.ACTIVE
    employment_status_raw: str | None = None
    employment_type: str | None = None
    hire_date: date | None = None
    start_date: date | None = None
    termination_date: date | None = None
    birth_year: int | None = None
    preferred_language: str | None = None
    languages: tuple[str, ...] = ()
    expertise: tuple[str, ...] = ()
    learning_goals: tuple[str, ...] = ()
    custom_fields: dict[str, str] = field(default_factory=dict)
    source_modified_at: datetime | None = None
    deleted: bool = False
    # fields the vendor did not send for this record (omitted or restricted): stored values stay
    unsent: frozenset[str] = frozenset()

    @property
    def name(self) -> str:
        """The name to show: display, else preferred + last, else first + last."""
        if self.display_name:
            return self.display_name
        return f"{self.preferred_name or self.first_name} {self.last_name}".strip()

    @property
    def active(self) -> bool:
        return not self.deleted and self.employment_status != _TERMINATED

    def content_hash(self) -> str:
        """A stable digest of the record's content, to skip rewriting unchanged employees."""
        # field values in declaration order (no deep copy as asdict makes: this runs once per record per sync)
        values = [getattr(self, name) for name in _HASHED]
        text = _ENCODER.encode(values)
        return hashlib.sha256(text.encode()).hexdigest()


# one encoder for every hash (json.dumps with options builds a new one per call, a third of the hash's cost)
_ENCODER = json.JSONEncoder(sort_keys=True, default=str, separators=(",", ":"))
_TERMINATED = EmploymentStatus.TERMINATED.value  # a plain str: an enum member read through its class is slow
_HASHED = tuple(f.name for f in fields(EmployeeRecord) if f.name not in ("source_modified_at", "unsent"))
