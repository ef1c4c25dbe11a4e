"""What every HRIS connector yields besides EmployeeRecord, and the interface the sync service relies on."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from plugin.domain.employee import EmployeeRecord
from plugin.errors import BadRecord


@dataclass(frozen=True, slots=True)
class Rejection:
    """One vendor record that could not be read, and why; the rest of the sync goes on."""

    source_id: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class JobChange:
    """One effective-dated row of an employee's job history (title, department, manager...)."""

    source_id: str
    effective_date: date | None
    job_title: str | None = None
    department: str | None = None
    division: str | None = None
    location: str | None = None
    manager: str | None = None  # as the vendor names the manager (BambooHR's jobInfo gives a display name)


Item = EmployeeRecord | Rejection


class HrisConnector(Protocol):
    """The surface the sync service uses; BambooHRConnector and WorkdayConnector both provide it."""

    source_system: str
    unreadable_fields: frozenset[str]
    next_since: datetime | None

    def iter_employees(self) -> Iterator[Item]:
        """Every employee (active and terminated), as records or rejections."""

    def iter_changes(self, since: datetime) -> Iterator[Item]:
        """Employees changed after `since`; afterwards `next_since` is the cursor for the next call."""

    def sample_raw(self, n: int = 5) -> list[dict]:
        """The first `n` vendor records as read, for the mapping preview."""


def records_from(
    raws: Iterable[Mapping], convert: Callable[[Mapping], EmployeeRecord], id_field: str = "id"
) -> Iterator[Item]:
    """Convert raw vendor records one by one; a bad one becomes a Rejection and the rest go on.

    Rejected: no id, unparseable dates, and a work email already used by an earlier record of the same
    read (the second holder is rejected, naming the first, so people are never merged by email).
    """
    seen_emails: dict[str, str] = {}
    for raw in raws:
        try:
            record = convert(raw)
        except BadRecord as err:
            yield Rejection(_text_id(raw.get(id_field)), str(err))
            continue
        email = record.work_email
        if email:
            holder = seen_emails.setdefault(email, record.source_id)
            if holder != record.source_id:
                yield Rejection(record.source_id, f"work email {email} is also used by employee {holder}")
                continue
        yield record


def _text_id(value) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None
