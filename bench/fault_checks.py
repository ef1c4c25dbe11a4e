"""What the fault suite counts, from stored state against the emulator's ground truth (pure functions).

Every figure of the `RESULT` line of `flipside bench faults` is computed here from two pictures of the
workforce (what the vendor holds, what Flipside stored) and from what the jobs left behind; nothing in
this module knows how the pictures were taken, so the tests can plant a fault and see it counted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

KEYS = ("lost", "duplicated", "false_deactivations", "nulled_values", "stuck_runs", "failed_jobs", "converged")


@dataclass(frozen=True)
class Person:
    """One employee as one side sees them: employed or not, and the compared field values."""

    active: bool
    values: Mapping[str, object] = field(default_factory=dict)


Workforce = Mapping[str, Person]  # source id -> Person


def false_deactivations(truth: Workforce, stored: Workforce, departed: Iterable[str] = ()) -> set[str]:
    """Employees the vendor still employs whom Flipside stored as gone, or sent through a departure."""
    departed = set(departed)
    return {
        i for i, person in truth.items() if person.active and ((i in stored and not stored[i].active) or i in departed)
    }


def nulled_values(truth: Workforce, stored: Workforce) -> set[tuple[str, str]]:
    """(employee, field) pairs the vendor holds a value for and Flipside stored as empty (current staff).

    Leavers are left out: erasing a leaver's details after the retention period is the product's rule.
    """
    return {
        (i, name)
        for i, person in truth.items()
        if person.active and i in stored
        for name, value in person.values.items()
        if not _empty(value) and _empty(stored[i].values.get(name))
    }


def lost_changes(expected: Mapping[str, Mapping[str, object]], stored: Workforce) -> set[str]:
    """Employees whose announced change (a webhook's) is not what Flipside stored."""
    return {
        i
        for i, values in expected.items()
        if i not in stored or any(stored[i].values.get(k) != v for k, v in values.items())
    }


def differences(truth: Workforce, stored: Workforce) -> set[str]:
    """Employees on whom the two sides disagree: missing, extra and active, status, or a current one's values."""
    out = {
        i
        for i, person in truth.items()
        if i not in stored or stored[i].active != person.active or (person.active and stored[i] != person)
    }
    return out | {i for i, person in stored.items() if i not in truth and person.active}


def _empty(value) -> bool:
    return value is None or value == "" or value == () or value == []


@dataclass
class Tally:
    """What the phases observed; `result()` turns it into the RESULT figures."""

    false_deactivated: set[str] = field(default_factory=set)
    nulled: set[tuple[str, str]] = field(default_factory=set)
    lost_webhook_changes: set[str] = field(default_factory=set)
    pairs_requested: int = 0
    pairs_enrolled: int = 0
    duplicate_vendor_writes: int = 0
    duplicate_kinds: dict[str, int] = field(default_factory=dict)  # LMS writes repeated, by kind (user, group...)
    duplicate_enrolments: int = 0
    duplicate_deliveries: int = 0
    stuck_runs: int = 0
    failed_jobs: int = 0
    final_differences: set[str] = field(default_factory=set)
    left_in_queues: int = 0
    workers_died: int = 0  # exited without being killed: the system did not get back to normal by itself
    notes: list[str] = field(default_factory=list)

    def result(self) -> dict[str, int]:
        """The RESULT figures (see `passed`)."""
        lost = len(self.lost_webhook_changes) + max(self.pairs_requested - self.pairs_enrolled, 0)
        converged = not (
            self.final_differences
            or self.left_in_queues
            or self.stuck_runs
            or self.workers_died
            or self.pairs_enrolled < self.pairs_requested
        )
        return {
            "lost": lost,
            "duplicated": self.duplicate_vendor_writes + self.duplicate_enrolments + self.duplicate_deliveries,
            "false_deactivations": len(self.false_deactivated),
            "nulled_values": len(self.nulled),
            "stuck_runs": self.stuck_runs,
            "failed_jobs": self.failed_jobs,
            "converged": int(converged),
        }


def passed(figures: Mapping[str, int]) -> bool:
    """All counts zero and converged."""
    return figures["converged"] == 1 and all(figures[k] == 0 for k in KEYS if k != "converged")


def result_line(figures: Mapping[str, int]) -> str:
    """`RESULT lost=... converged=...` in the product map's key order."""
    return "RESULT " + " ".join(f"{k}={figures[k]}" for k in KEYS)
