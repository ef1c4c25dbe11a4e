"""Receipts: a vendor write happens once per key, even across retries, reruns, crashes and racing workers.

The one rule, for every vendor write (LMS enrolment, gradebook scores, HRIS training records):
- a writer claims the key by inserting a "pending" receipt under the table's unique key and committing,
  before it calls the vendor; it marks the receipt "done" with the vendor's reference after the call;
- a done receipt is never written again;
- a pending receipt belongs to the writer that claimed it. Another writer does not reuse it while that
  claim is live (`LEASE`): it is refused with `LockTimeout` and retried later, spending no retry. The
  writer itself (the same job rerun after a crash: a job's id is its writer) or anyone once the lease is
  over takes it over with a compare-and-set on `attempts`, and first asks the vendor (`reconcile`)
  whether the interrupted write landed.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from ..errors import LockTimeout
from ..models import Receipt, utcnow
from .tenant import Tenant

LEASE = timedelta(minutes=15)  # far beyond one vendor call with its in-request retries
WRITER: ContextVar[str | None] = ContextVar("receipt_writer", default=None)  # set by plugin.jobs.task


def writer() -> str:
    """Who is writing: the running job's id (its rerun is the same writer), else this process and thread."""
    return WRITER.get() or f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite hands back naive UTC


class Receipts:
    """The receipts of one scope: an LMS connection (`for_connection`) or a write-back target."""

    def __init__(self, tenant: Tenant, scope: str, *, connection_id: int | None = None, pair_id: int | None = None):
        self.tenant, self.scope, self.connection_id, self.pair_id = tenant, scope, connection_id, pair_id

    @classmethod
    def for_connection(cls, tenant: Tenant, connection_id: int, pair_id: int | None = None) -> Receipts:
        return cls(tenant, f"connection:{connection_id}", connection_id=connection_id, pair_id=pair_id)

    def get(self, key: str) -> Receipt | None:
        return self.tenant.session.scalars(
            self.tenant.select(Receipt, Receipt.scope == self.scope, Receipt.key == key)
        ).first()

    def done(self, key: str) -> str | None:
        """The vendor reference of a completed write, or None."""
        row = self.get(key)
        return row.vendor_ref if row is not None and row.state == "done" else None

    def claim(self, action: str, key: str) -> Receipt:
        """The key's done receipt, or a pending one this writer now holds (committed); LockTimeout while
        another live writer holds it. `attempts > 1` on a held receipt: an earlier claim was interrupted."""
        row = self.get(key)
        if row is None:
            row, fresh = self._insert(action, key)
            if fresh:
                return row
        if row.state == "done":
            return row
        me, now = writer(), utcnow()
        if row.owner != me and now - _aware(row.claimed_at) < LEASE:
            raise LockTimeout(f"another job is writing {key}; trying again shortly", retry_after=2)
        taken = self.tenant.session.execute(
            update(Receipt)
            .where(Receipt.id == row.id, Receipt.state == "pending", Receipt.attempts == row.attempts)
            .values(owner=me, claimed_at=now, attempts=Receipt.attempts + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
        self.tenant.session.commit()
        if taken != 1:  # another writer took it over (or finished it) in between
            raise LockTimeout(f"another job is writing {key}; trying again shortly", retry_after=2)
        self.tenant.session.refresh(row)
        return row

    def _insert(self, action: str, key: str) -> tuple[Receipt, bool]:
        """A new pending receipt held by this writer (True), or the one another writer inserted first."""
        row = self.tenant.add(
            Receipt(
                scope=self.scope,
                key=key,
                connection_id=self.connection_id,
                pair_id=self.pair_id,
                action=action,
                state="pending",
                vendor_ref="",
                owner=writer(),
                claimed_at=utcnow(),
                attempts=1,
            )
        )
        try:
            self.tenant.session.commit()
        except IntegrityError:
            self.tenant.session.rollback()
            found = self.get(key)
            if found is None:
                raise
            return found, False
        return row, True

    def once(
        self, action: str, key: str, write: Callable[[], str], reconcile: Callable[[], str | None] | None = None
    ) -> str:
        """Run `write` unless a receipt says it already happened; returns the vendor reference."""
        row = self.claim(action, key)
        if row.state == "done":
            return row.vendor_ref
        if row.attempts > 1 and reconcile is not None:  # an interrupted claim: did its write land?
            found = reconcile()
            if found is not None:
                return self.finish(row, found)
        return self.finish(row, write())

    def forget(self, key: str) -> None:
        """Drop a receipt so the write can happen again (a suspended enrolment re-activated later)."""
        row = self.get(key)
        if row is not None:
            self.tenant.session.delete(row)
            self.tenant.session.commit()

    def finish(self, row: Receipt, ref: str) -> str:
        """Mark the write done with the vendor's reference."""
        row.vendor_ref, row.state, row.done_at = str(ref), "done", utcnow()
        self.tenant.session.commit()
        return row.vendor_ref
