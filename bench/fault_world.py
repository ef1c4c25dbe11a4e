"""The vendor side of the fault suite: a BambooHR emulator that misbehaves on purpose, and its ground truth.

The emulated company always knows the truth (every employee, every field); what its bulk reads *send*
can be spoilt for a slice of records (an impossible hire date, department and job title left out) or can
leave a slice out altogether (a broken report that hides people who still work there), through the
emulator's own `serve_raw` and `lose`.
A slow vendor is emulated by a small delay per row served, so a worker can be killed mid full sync.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from plugin.domain.employee import EmployeeRecord
from plugin.emulators.bamboohr import DROPPED, BambooHREmulator

from .fault_checks import Person

BAD_DATE = "2026-02-30"  # parses as a date shape, is no date: the connector must reject the record
MISSING = ("department", "jobTitle")  # left out of the rows of the `missing` slice
COMPARED = (
    "first_name",
    "last_name",
    "work_email",
    "job_title",
    "department",
    "division",
    "location",
    "hire_date",
    "manager_source_id",
)


class FaultyBambooHR(BambooHREmulator):
    """BambooHR whose bulk reads spoil or leave out slices (the emulator's own quirks), slowed per row."""

    def __init__(self, workforce: Iterable[EmployeeRecord], **kwargs):
        super().__init__(workforce, **kwargs)
        self.row_delay = 0.0
        self.rows_served = 0

    def vendor_row(self, source_id: str) -> dict[str, str]:
        """The row as BambooHR holds it, after the per-row delay of a slow vendor."""
        if self.row_delay:
            time.sleep(self.row_delay)
        self.rows_served += 1
        return super().vendor_row(source_id)

    def spoil(self, bad_dates: Iterable[str], missing: Iterable[str]) -> None:
        """Bulk reads send an impossible hire date for one slice, no department and job title for another."""
        for source_id in bad_dates:
            self.serve_raw(source_id, hireDate=BAD_DATE)
        for source_id in missing:
            self.serve_raw(source_id, **dict.fromkeys(MISSING, DROPPED))

    def hide(self, source_ids: Iterable[str]) -> None:
        """Leave these employees out of bulk reads (no change is recorded: they did not leave)."""
        self.lose(source_ids)

    def heal(self) -> None:
        """The vendor fixes its data: every row is sent whole again, nobody is left out."""
        self.quirks.clear()
        self.lost.clear()

    def truth(self) -> dict[str, Person]:
        """Every employee the company has (those left out of reads too), with the values it really holds."""
        return {i: person_of(r) for i, r in list(self.roster.records.items())}


def person_of(record: EmployeeRecord) -> Person:
    """An EmployeeRecord as the checker compares it."""
    return Person(active=record.active, values={k: _plain(getattr(record, k)) for k in COMPARED})


def stored_person(row) -> Person:
    """An Employee row as the checker compares it."""
    return Person(active=bool(row.active and not row.deleted), values={k: _plain(getattr(row, k)) for k in COMPARED})


def _plain(value):
    return None if value == "" else value
