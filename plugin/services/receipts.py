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
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, delete, insert, select, update
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


@dataclass(frozen=True)
class Claim:
    """A batch claim read once: plain values, so a commit expiring the ORM rows costs no re-reads."""

    id: int
    state: str
    vendor_ref: str
    attempts: int


class BatchReceipts(Receipts):
    """The same rule for many keys at once: one read, one insert and one commit for a whole batch, so a
    batch of a thousand writes costs a few statements, not two thousand commits."""

    def rows(self, keys: list[str]) -> dict[str, Receipt]:
        """The receipts that exist for these keys."""
        out: dict[str, Receipt] = {}
        for chunk in _parts(keys):
            for row in self.tenant.session.scalars(
                self.tenant.select(Receipt, Receipt.scope == self.scope, Receipt.key.in_(chunk))
            ):
                out[row.key] = row
        return out

    def claim_many(self, action: str, items: dict[str, int | None]) -> dict[str, Claim]:
        """Claim every key of `items` (key -> its pair id) as `claim` does, committed once; LockTimeout when
        another live writer holds any of them (the batch is tried again shortly, spending no retry)."""
        found = self.rows(list(items))
        me, now = writer(), utcnow()
        held = [r for r in found.values() if r.state != "done" and r.owner != me and now - _aware(r.claimed_at) < LEASE]
        if held:
            raise LockTimeout(f"another job is writing {held[0].key}; trying again shortly", retry_after=2)
        for row in found.values():
            if row.state != "done":  # ours from an interrupted run, or an expired lease: take it over
                row.owner, row.claimed_at, row.attempts = me, now, row.attempts + 1
        new = [
            {
                "organisation_id": self.tenant.organisation_id,
                "scope": self.scope,
                "key": key,
                "connection_id": self.connection_id,
                "pair_id": items[key],
                "action": action,
                "state": "pending",
                "vendor_ref": "",
                "owner": me,
                "claimed_at": now,
                "attempts": 1,
            }
            for key in items.keys() - found.keys()
        ]
        try:
            if new:  # a Core insert: thousands of receipts without building ORM objects
                self.tenant.session.execute(insert(Receipt.__table__), new)
            self.tenant.session.flush()
            claims = {k: Claim(r.id, r.state, r.vendor_ref, r.attempts) for k, r in found.items()}
            table = Receipt.__table__
            for part in _parts([n["key"] for n in new]):
                for rid, key in self.tenant.session.execute(
                    select(table.c.id, table.c.key).where(
                        table.c.organisation_id == self.tenant.organisation_id,
                        table.c.scope == self.scope,
                        table.c.key.in_(part),
                    )
                ):
                    claims[key] = Claim(rid, "pending", "", 1)
            self.tenant.session.commit()
        except IntegrityError as err:  # a racing writer inserted one of the keys first
            self.tenant.session.rollback()
            raise LockTimeout(f"another job is writing {action} receipts; trying again shortly", retry_after=2) from err
        return claims

    def finish_many(self, refs: dict[int, str]) -> None:
        """Mark writes done (receipt id -> vendor reference), in one commit."""
        if refs:
            table, now = Receipt.__table__, utcnow()
            self.tenant.session.execute(
                update(table)
                .where(table.c.id == bindparam("rid"), table.c.organisation_id == self.tenant.organisation_id)
                .values(vendor_ref=bindparam("ref"), state="done", done_at=now),
                [{"rid": rid, "ref": str(ref)} for rid, ref in refs.items()],
            )
        self.tenant.session.commit()

    def release(self, ids: list[int]) -> None:
        """Drop pending claims whose write the vendor refused as a whole (nothing of it was stored), so a
        later attempt may write them."""
        if ids:
            self.tenant.session.execute(
                delete(Receipt).where(Receipt.id.in_(ids), Receipt.state == "pending", *self._mine())
            )
        self.tenant.session.commit()

    def _mine(self):
        return (Receipt.organisation_id == self.tenant.organisation_id, Receipt.scope == self.scope)


def _parts(keys: list) -> list[list]:
    return [keys[i : i + 500] for i in range(0, len(keys), 500)]  # under SQLite's bound-parameter limit
