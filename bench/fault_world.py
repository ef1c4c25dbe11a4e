"""The vendor side of the fault suite: a BambooHR emulator that misbehaves on purpose, and its ground truth.

The emulated company always knows the truth (every employee, every field); what it *sends* can be
spoiled for a slice of records (an impossible hire date, department and job title left out) or can
leave a slice out altogether (a permission or report change that hides people who still work there).
A slow vendor is emulated by a small delay per row served, so a worker can be killed mid full sync.
"""
from __future__ import annotations

import time
from collections.abc import Iterable

from plugin.domain.employee import EmployeeRecord
from plugin.emulators.bamboohr import BambooHREmulator

from .fault_checks import Person

BAD_DATE = "2026-02-30"  # parses as a date shape, is no date: the connector must reject the record
MISSING = ("department", "jobTitle")  # left out of the rows of the `missing` slice
COMPARED = ("first_name", "last_name", "work_email", "job_title", "department", "division", "location",
            "hire_date", "manager_source_id")


class FaultyBambooHR(BambooHREmulator):
    """BambooHR with spoilt rows, hidden people and a per-row delay; `truth()` is what it really holds."""

    def __init__(self, workforce: Iterable[EmployeeRecord], **kwargs):
        super().__init__(workforce, **kwargs)
        self.bad_dates: set[str] = set()
        self.missing: set[str] = set()
        self.row_delay = 0.0
        self.rows_served = 0
        self._hidden: dict[str, tuple] = {}

    def vendor_row(self, source_id: str) -> dict[str, str]:
        """The row as sent: spoilt for the bad-date and missing-field slices."""
        if self.row_delay:
            time.sleep(self.row_delay)
        self.rows_served += 1
        row = super().vendor_row(source_id)
        if source_id in self.bad_dates:
            row["hireDate"] = BAD_DATE
        if source_id in self.missing:
            for name in MISSING:
                row.pop(name, None)
        return row

    def hide(self, source_ids: Iterable[str]) -> None:
        """Leave these employees out of every answer (no change is recorded: they did not leave)."""
        roster = self.roster
        for i in source_ids:
            self._hidden[i] = (roster.records.pop(i), roster.changes[i], roster.jobs.pop(i, None))

    def reveal(self) -> None:
        """Send the hidden employees again, unchanged."""
        roster = self.roster
        for i, (record, change, jobs) in self._hidden.items():
            roster.records[i], roster.changes[i] = record, change
            if jobs is not None:
                roster.jobs[i] = jobs
        self._hidden.clear()

    def heal(self) -> None:
        """The vendor fixes its data: every row is sent whole again."""
        self.bad_dates.clear()
        self.missing.clear()
        self.reveal()

    def truth(self) -> dict[str, Person]:
        """Every employee the company has (hidden ones too), with the values it really holds."""
        records = dict(self.roster.records)
        records.update({i: hidden[0] for i, hidden in self._hidden.items()})
        return {i: person_of(r) for i, r in records.items()}


def person_of(record: EmployeeRecord) -> Person:
    """An EmployeeRecord as the checker compares it."""
    return Person(active=record.active, values={k: _plain(getattr(record, k)) for k in COMPARED})


def stored_person(row) -> Person:
    """An Employee row as the checker compares it."""
    return Person(active=bool(row.active and not row.deleted), values={k: _plain(getattr(row, k)) for k in COMPARED})


def _plain(value):
    return None if value == "" else value
