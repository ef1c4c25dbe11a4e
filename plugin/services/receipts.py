"""Receipts for LMS writes: a write happens once per key, even across retries, reruns and crashes.

`once()` commits a "pending" receipt before the vendor call and marks it "done" with the vendor's
reference after it. A later run skips done keys; for a pending key (the process died mid-call) it first
asks `reconcile()` whether the write landed, and only writes again if it did not.
"""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.exc import IntegrityError

from ..errors import RetriableError
from ..models import LmsReceipt, utcnow
from .tenant import Tenant


class Receipts:
    """The receipts of one connection, written on behalf of one pair."""

    def __init__(self, tenant: Tenant, connection_id: int, pair_id: int | None = None):
        self.tenant, self.connection_id, self.pair_id = tenant, connection_id, pair_id

    def get(self, key: str) -> LmsReceipt | None:
        return self.tenant.session.scalars(self.tenant.select(
            LmsReceipt, LmsReceipt.connection_id == self.connection_id, LmsReceipt.key == key)).first()

    def done(self, key: str) -> str | None:
        """The vendor reference of a completed write, or None."""
        row = self.get(key)
        return row.vendor_ref if row is not None and row.state == "done" else None

    def once(self, action: str, key: str, write: Callable[[], str],
             reconcile: Callable[[], str | None] | None = None) -> str:
        """Run `write` unless a receipt says it already happened; returns the vendor reference."""
        row = self.get(key)
        if row is not None and row.state == "done":
            return row.vendor_ref
        if row is not None and reconcile is not None:
            found = reconcile()
            if found is not None:
                return self.finish(row, found)
        row = row or self.begin(action, key)
        return self.finish(row, write())

    def forget(self, key: str) -> None:
        """Drop a receipt so the write can happen again (a suspended enrolment re-activated later)."""
        row = self.get(key)
        if row is not None:
            self.tenant.session.delete(row)
            self.tenant.session.commit()

    def begin(self, action: str, key: str) -> LmsReceipt:
        """Commit a pending receipt just before the vendor call."""
        row = self.tenant.add(LmsReceipt(connection_id=self.connection_id, pair_id=self.pair_id,
                                         action=action, key=key, state="pending", vendor_ref=""))
        try:
            self.tenant.session.commit()
        except IntegrityError as err:  # another worker is writing the same thing right now
            self.tenant.session.rollback()
            raise RetriableError(f"another job is writing {key}; trying again shortly", retry_after=2) from err
        return row

    def finish(self, row: LmsReceipt, ref: str) -> str:
        """Mark the write done with the vendor's reference."""
        row.vendor_ref, row.state, row.done_at = str(ref), "done", utcnow()
        self.tenant.session.commit()
        return row.vendor_ref
