"""Field-level presence: per field, how many records of a run the vendor did not send it for, or sent empty.

A value not sent (omitted, dropped or restricted) keeps what is stored; a value sent empty clears it.
The two are counted apart so an admin (and `flipside bench faults`) can tell a permission gap from
real blanks.
"""

from __future__ import annotations

from collections import Counter

from .employee import EmployeeRecord

EMPTY = (None, "", (), {})
UNCOUNTED = frozenset({"source_id", "active", "source_modified_at"})  # identity, inputs and bookkeeping


class FieldTally:
    """Counts, per mapped field, records that did not send it and records that sent it empty."""

    def __init__(self, targets):
        self.targets = tuple(t for t in targets if t not in UNCOUNTED)
        self.not_sent: Counter[str] = Counter()
        self.sent_empty: Counter[str] = Counter()

    def add(self, record: EmployeeRecord) -> None:
        """Count one record (deleted records carry no fields and are not counted)."""
        if record.deleted:
            return
        unsent = record.unsent
        for target in self.targets:
            if target in unsent:
                self.not_sent[target] += 1
            elif getattr(record, target, None) in EMPTY:
                self.sent_empty[target] += 1

    def as_json(self) -> dict[str, dict[str, int]]:
        """{field: {"not_sent": n, "sent_empty": m}} for every field with a count."""
        names = sorted(set(self.not_sent) | set(self.sent_empty))
        return {n: {"not_sent": self.not_sent[n], "sent_empty": self.sent_empty[n]} for n in names}
