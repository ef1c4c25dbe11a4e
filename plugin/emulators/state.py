"""What both emulators share: a logical clock, the emulated workforce with change stamps, and faults."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

from plugin.domain.employee import EmployeeRecord, EmploymentStatus

JOB_FIELDS = ("job_title", "department", "division", "location", "manager_source_id")


class Clock:
    """A logical UTC clock that moves one second per change, so change feeds are exact and repeatable."""

    def __init__(self, start: datetime | None = None):
        self._now = start or datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """The current emulated instant."""
        return self._now

    def tick(self) -> datetime:
        """Advance one second and return the new instant."""
        with self._lock:
            self._now += timedelta(seconds=1)
            return self._now


@dataclass(frozen=True)
class Seen:
    """One API request an emulator received, for tests to check what a connector sent."""

    method: str
    path: str
    query: dict
    body: bytes
    content_type: str | None


def seen(request) -> Seen:
    """Record a Flask request."""
    return Seen(
        request.method, request.path, request.args.to_dict(), request.get_data(), request.headers.get("Content-Type")
    )


@dataclass
class Change:
    """The last change to one employee: when and how (Inserted, Updated, Deleted)."""

    at: datetime
    action: str


class Roster:
    """The emulated company's employees (our records; vendor shape is made on the way out)."""

    def __init__(self, workforce: Iterable[EmployeeRecord], clock: Clock):
        self.clock = clock
        start = clock.now()
        self.records: dict[str, EmployeeRecord] = {r.source_id: r for r in workforce}
        self.changes: dict[str, Change] = {i: Change(start, "Inserted") for i in self.records}
        self.jobs: dict[str, list[tuple[date | None, EmployeeRecord]]] = {
            i: [(r.hire_date, r)] for i, r in self.records.items()
        }

    def hire(self, record: EmployeeRecord) -> EmployeeRecord:
        """Add a new employee."""
        self.records[record.source_id] = record
        self.changes[record.source_id] = Change(self.clock.tick(), "Inserted")
        self.jobs[record.source_id] = [(record.hire_date, record)]
        return record

    def update(self, source_id: str, **changes) -> EmployeeRecord:
        """Change fields of an employee; job fields also add a job history row dated today."""
        before = self.records[source_id]
        after = replace(before, **changes)
        self.records[source_id] = after
        self.changes[source_id] = Change(self.clock.tick(), "Updated")
        if any(getattr(before, f) != getattr(after, f) for f in JOB_FIELDS):
            self.jobs[source_id].append((self.clock.now().date(), after))
        return after

    def terminate(self, source_id: str, on: date | None = None) -> EmployeeRecord:
        """End an employee's employment (the record stays, terminated)."""
        return self.update(
            source_id,
            employment_status=EmploymentStatus.TERMINATED,
            termination_date=on or self.clock.now().date(),
            employment_status_raw=None,
        )

    def delete(self, source_id: str) -> None:
        """Remove an employee entirely (BambooHR reports it as Deleted)."""
        del self.records[source_id]
        self.jobs.pop(source_id, None)
        self.changes[source_id] = Change(self.clock.tick(), "Deleted")

    def changed_since(self, since: datetime, until: datetime | None = None) -> list[tuple[str, Change]]:
        """Employees whose last change is after `since` (and at or before `until`)."""
        return [(i, c) for i, c in self.changes.items() if c.at > since and (until is None or c.at <= until)]


@dataclass
class Faults:
    """Switchable fault injection: a share of requests answer 429, 503 or hang past the client timeout.

    Deterministic for a given seed and request order. `hang` is how long a "timeout" stalls before
    answering 503; set the client's read timeout below it.
    """

    rate: float = 0.0
    kinds: tuple[str, ...] = ("429", "503", "timeout")
    seed: int = 0
    retry_after: int = 0
    hang: float = 1.0
    injected: dict[str, int] = field(default_factory=dict)

    def __post_init__(self):
        self._rng = random.Random(self.seed)
        self._lock = threading.Lock()

    def draw(self) -> str | None:
        """The fault for the next request, or None."""
        if self.rate <= 0:
            return None
        with self._lock:
            if self._rng.random() >= self.rate:
                return None
            kind = self._rng.choice(self.kinds)
            self.injected[kind] = self.injected.get(kind, 0) + 1
        if kind == "timeout":
            time.sleep(self.hang)
        return kind


class WallClock(Clock):
    """A clock that follows real time (each change still at least a microsecond after the last).

    For emulating a vendor whose change feed a connector queries up to its own `now` (Workday's
    incremental report), so that changes made after a read land after the connector's cursor.
    """

    def __init__(self):
        super().__init__(datetime.now(UTC))

    def now(self) -> datetime:
        """The later of real time and the last change."""
        return max(self._now, datetime.now(UTC))

    def tick(self) -> datetime:
        """Real time, or a microsecond after the last change if the clock has not moved on."""
        with self._lock:
            self._now = max(datetime.now(UTC), self._now + timedelta(microseconds=1))
            return self._now
