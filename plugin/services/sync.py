"""HRIS sync: full, incremental and named-employee runs that store records, cursors and a run summary.

Guarantees:
- records are written in batches (bulk upserts that skip unchanged rows by hash), each batch committed
  on its own, so a crash loses at most the batch in flight and a rerun repeats nothing harmful;
- the cursor moves only in the transaction that commits the last data it covers;
- one bad record is rejected with a reason (also an email a stored employee already has) and the rest go on;
- terminations deactivate employees and publish `employee.terminated` after their batch commits;
- an employee is deactivated by absence only when a complete read (no record of unknown id rejected)
  did not return them and they were not rejected; past the deletion safeguard's threshold those
  departures wait for HR (see safeguard.py);
- a field the vendor did not send keeps its stored value (roster.keep_unsent); the run counts, per
  field, records that did not send it and records that sent it empty (`field_counts`);
- fields the connection cannot read make the run "partial" and the connection status "warning";
- a refused refresh token marks the connection needs_reconnect and tells the admin (status + audit).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from itertools import islice
from typing import NamedTuple

from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError

from ..connectors.base import HrisConnector, Item, Rejection
from ..domain.employee import EmployeeRecord
from ..domain.hierarchy import validate_tree
from ..domain.presence import FieldTally
from ..errors import FatalError, FlipsideError, NeedsReconnect, retriable_cause
from ..models import Connection, SyncCursor, SyncRun, utcnow
from ..vault import Vault
from . import abandoned_runs, audit, connection_settings, connections, events, hris, roster, safeguard, sync_lock
from .tenant import Tenant

log = logging.getLogger(__name__)

BATCH = 5000
MAX_STORED_REJECTIONS = 500
Progress = Callable[[int], None]


class _Line(NamedTuple):
    source_id: str
    manager_source_id: str | None


def sync_connection(
    tenant: Tenant,
    vault: Vault,
    engine,
    connection_id: int,
    *,
    full: bool = False,
    source_ids: Iterable[str] | None = None,
    progress: Progress | None = None,
) -> SyncRun:
    """Sync one HRIS connection now (full, incremental from its cursor, or only `source_ids`), holding the
    connection's sync lock for the whole run (LockTimeout, retriable, while another run holds it)."""
    with sync_lock.holding(engine, connection_id):
        return _sync(tenant, vault, engine, connection_id, full=full, source_ids=source_ids, progress=progress)


def _sync(
    tenant: Tenant,
    vault: Vault,
    engine,
    connection_id: int,
    *,
    full: bool,
    source_ids: Iterable[str] | None,
    progress: Progress | None,
) -> SyncRun:
    conn = tenant.get(Connection, connection_id)
    cursor = tenant.session.get(SyncCursor, connection_id)
    run = _start(tenant, conn, "full" if full or cursor is None else "incremental")
    started = time.perf_counter()
    try:
        connector = hris.connector_for(conn, vault, engine)
        if source_ids is not None and cursor is not None and hasattr(connector, "iter_employees_by_id"):
            run.kind = "employees"  # vendors that cannot read named employees run an incremental sync
        _Runner(tenant, conn, run, connector, progress).go(run.kind, cursor, source_ids)
    except NeedsReconnect as err:
        _failed(tenant, conn, run, err, "needs_reconnect", started)
        audit.record(tenant, "sync", "connection.needs_reconnect", "connection", conn.id, reason=err.message)
        events.publish(tenant, events.CONNECTION_NEEDS_RECONNECT, connection_id=conn.id)
        tenant.session.commit()
        return run
    except FatalError as err:
        _failed(tenant, conn, run, err, "error", started)
        tenant.session.commit()
        return run
    except BaseException as err:  # noqa: BLE001 - any other end is recorded with its cause, then re-raised
        _close(tenant, conn, run, err, started)
        raise
    _finish(tenant, conn, run, started)
    return run


def _start(tenant: Tenant, conn: Connection, kind: str) -> SyncRun:
    # under the connection's lock, a run still "running" was cut off (its worker died): say so; its
    # committed batches stay
    tenant.session.execute(
        update(SyncRun)
        .where(SyncRun.connection_id == conn.id, SyncRun.status == "running")
        .values(status="interrupted", finished_at=utcnow(), error=abandoned_runs.CUT_OFF)
    )
    run = tenant.add(
        SyncRun(
            connection_id=conn.id, kind=kind, status="running", rejections=[], unreadable_fields=[], tree_problems=[]
        )
    )
    connections.set_status(conn, "syncing", f"{kind} sync running")
    tenant.session.commit()
    return run


def _failed(tenant: Tenant, conn: Connection, run: SyncRun, err, status: str, started: float, detail: str = "") -> None:
    tenant.session.rollback()
    run.status, run.error = "failed", err.message
    run.finished_at, run.duration_s = utcnow(), round(time.perf_counter() - started, 3)
    connections.set_status(conn, status, f"{detail}{err.message}")


def _close(tenant: Tenant, conn: Connection, run: SyncRun, err: BaseException, started: float) -> None:
    """Close a run that ended on anything but success or a vendor's refusal, with its cause.

    A retriable cause (vendor 5xx, database or Redis away, deadlock, lock timeout) leaves the connection
    `connected` ("will retry"); anything else marks it `error`. When the database itself is unreachable
    the close cannot be written: the next run of the connection marks this one interrupted.
    """
    cause = retriable_cause(err)
    # a database error's own text carries the statement and its parameters (names, emails): keep the
    # driver's first line only
    said = (str(getattr(err, "orig", None) or err).strip().splitlines() or [""])[0][:500]
    reason = (
        err
        if isinstance(err, FlipsideError)
        else FlipsideError(f"{cause + ': ' if cause else ''}{type(err).__name__}" + (f": {said}" if said else ""))
    )
    try:
        _failed(
            tenant,
            conn,
            run,
            reason,
            "connected" if cause else "error",
            started,
            detail="sync will retry: " if cause else "",
        )
        tenant.session.commit()
    except SQLAlchemyError:
        tenant.session.rollback()
        log.warning("could not record the end of a sync run", extra={"sync_run_id": run.id, "reason": cause})


def _finish(tenant: Tenant, conn: Connection, run: SyncRun, started: float) -> None:
    run.status = "partial" if run.unreadable_fields or run.rejected else "ok"
    if run.safeguard == "held":
        run.status = "needs_approval"
        audit.record(tenant, "sync", "sync.departures_held", "sync_run", run.id, count=len(run.held_leavers))
    run.finished_at, run.duration_s = utcnow(), round(time.perf_counter() - started, 3)
    connections.set_status(conn, "connected" if run.status == "ok" else "warning", describe(run))
    audit.record(tenant, "sync", "sync.finished", "sync_run", run.id, status=run.status, kind=run.kind)
    events.publish(tenant, events.SYNC_FINISHED, sync_run_id=run.id, connection_id=conn.id)
    tenant.session.commit()


def describe(run: SyncRun) -> str:
    """One line for admins: what the run did and, loudly, what it could not do."""
    text = (
        f"{run.kind} sync {run.status}: {run.inserted} new, {run.updated} updated, "
        f"{run.unchanged} unchanged, {run.deactivated} deactivated, {run.rejected} rejected"
    )
    if run.unreadable_fields:
        text += f"; COULD NOT READ {', '.join(run.unreadable_fields)}"
    if run.safeguard == "held":
        text += f"; {len(run.held_leavers)} DEPARTURE(S) HELD for HR's approval (flipside sync approve|reject {run.id})"
    if run.deactivation_note:
        text += f"; {run.deactivation_note}"
    if run.tree_problems:
        text += f"; reporting tree: {len(run.tree_problems)} problem(s)"
    if run.error:
        text += f"; {run.error}"
    return text


class _Runner:
    """One run's read-store loop over a connector's items."""

    def __init__(
        self, tenant: Tenant, conn: Connection, run: SyncRun, connector: HrisConnector, progress: Progress | None
    ):
        self.tenant, self.conn, self.run, self.connector = tenant, conn, run, connector
        self.progress = progress or (lambda _n: None)
        self.seen: set[str] = set()
        self.rejected_ids: set[str | None] = set()
        self.tally = FieldTally(hris.mapping_for(conn).fields)
        self.newest: datetime | None = None
        self.done = 0

    def go(self, kind: str, cursor: SyncCursor | None, source_ids: Iterable[str] | None) -> None:
        """Read, store batch by batch, then tidy the tree, the cursor and the summary (not committed)."""
        started_at = datetime.now(UTC)
        if kind == "employees":
            wanted = list(source_ids or ())
            self._store(self.connector.iter_employees_by_id(wanted))
            # the bulk read returns terminated employees too: one it no longer returns was deleted
            self._absent([i for i in wanted if i not in self.seen])
        elif kind == "incremental":
            self._store(self.connector.iter_changes(_aware(cursor.since)))
        else:
            self._store(self.connector.iter_employees())
            self._absent(roster.missing_from(self.tenant, self.connector.source_system, self.seen))
        self._unreadable()
        self.run.field_counts = self.tally.as_json()
        if self.run.inserted >= roster.RESTATE_AFTER:  # a first sync, an acquisition: plans need the new size
            roster.refresh_statistics(self.tenant)
        roster.relink_managers(self.tenant)
        lines = roster.reporting_lines(self.tenant, self.connector.source_system)
        self.run.tree_problems = validate_tree(_Line(*line) for line in lines)[:50]
        if kind == "full":
            self._move_cursor(self.newest or started_at)
        elif kind == "incremental":
            self._move_cursor(self.connector.next_since or _aware(cursor.since))

    def _store(self, items: Iterator[Item]) -> None:
        for chunk in read_ahead(items, connection_settings.hris(self.conn).batch_size or BATCH):
            records = self._accepted(chunk)
            live = [r for r in records if not r.deleted]
            summary = roster.upsert_employees(self.tenant, live, connection_id=self.conn.id)
            self.run.inserted += summary.inserted
            self.run.updated += summary.updated
            self.run.unchanged += summary.unchanged
            gone = roster.mark_deleted(
                self.tenant, self.connector.source_system, [r.source_id for r in records if r.deleted]
            )
            self._stated(summary.deactivated_ids + gone)
            self.tenant.session.commit()
            self.done += len(chunk)
            self.progress(self.done)

    def _accepted(self, chunk: list[Item]) -> list[EmployeeRecord]:
        records = [i for i in chunk if isinstance(i, EmployeeRecord)]
        for item in chunk:
            if isinstance(item, Rejection):
                self._reject(item.source_id, item.reason)
        taken = roster.taken_emails(self.tenant, [r for r in records if not r.deleted])
        for source_id, holder in taken.items():
            self._reject(source_id, f"work email is already used by stored employee {holder}")
        kept = [r for r in records if r.source_id not in taken]
        for record in kept:
            self.seen.add(record.source_id)
            self.tally.add(record)
            if record.source_modified_at and (self.newest is None or record.source_modified_at > self.newest):
                self.newest = record.source_modified_at
        return kept

    def _reject(self, source_id: str | None, reason: str) -> None:
        self.run.rejected += 1
        self.rejected_ids.add(source_id)
        if len(self.run.rejections) < MAX_STORED_REJECTIONS:
            self.run.rejections = [*self.run.rejections, {"source_id": source_id, "reason": reason}]

    def _absent(self, source_ids: list[str]) -> None:
        """Departures by absence: only from a complete read, never of a rejected id, within the safeguard."""
        if None in self.rejected_ids:
            unknown = sum(1 for r in self.run.rejections if r.get("source_id") is None)
            self.run.deactivation_note = (
                f"nobody deactivated: {unknown or 'some'} record(s) without an employee "
                "id were rejected, so the read was not complete"
            )
            return
        gone = [i for i in source_ids if i not in self.rejected_ids]
        system = self.connector.source_system
        if not safeguard.check(self.tenant, self.run, self.conn, system, gone):
            self.run.deactivated += len(safeguard.depart(self.tenant, system, self.conn.id, gone))

    def _stated(self, source_ids: list[str]) -> None:
        """Count the terminations and deletions the vendor stated (already stored) and announce them."""
        self.run.deactivated += len(source_ids)
        safeguard.announce(self.tenant, self.connector.source_system, self.conn.id, source_ids)

    def _unreadable(self) -> None:
        vendor_to_target = {v: t for t, v in hris.mapping_for(self.conn).fields.items()}
        self.run.unreadable_fields = sorted(
            f"{vendor_to_target.get(f, f)} ({f})" for f in self.connector.unreadable_fields
        )

    def _move_cursor(self, since: datetime) -> None:
        cursor = self.tenant.session.get(SyncCursor, self.conn.id)
        if cursor is None:
            self.tenant.add(SyncCursor(connection_id=self.conn.id, since=since))
        else:
            cursor.since = since


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def read_ahead(items: Iterable, size: int, depth: int = 1) -> Iterator[list]:
    """Chunks of `items` read by a background thread, so the vendor read overlaps the database writes."""
    handoff: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(message) -> bool:
        while not stop.is_set():
            try:
                handoff.put(message, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def pump() -> None:
        try:
            for chunk in _chunks(items, size):
                if not put(("chunk", chunk)):
                    return
            put(("end", None))
        except BaseException as err:  # noqa: BLE001 - the thread's boundary: handed to the consumer to raise
            put(("error", err))

    threading.Thread(target=pump, name="sync-read-ahead", daemon=True).start()
    try:
        while True:
            kind, value = handoff.get()
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes; every stored instant is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def latest_run(tenant: Tenant, connection_id: int) -> SyncRun | None:
    """The most recent run of a connection."""
    return tenant.session.scalars(
        tenant.select(SyncRun, SyncRun.connection_id == connection_id).order_by(SyncRun.id.desc()).limit(1)
    ).first()


def cursor_of(tenant: Tenant, connection_id: int) -> datetime | None:
    """Where the next incremental sync starts (None: the next sync is full)."""
    since = tenant.session.scalar(select(SyncCursor.since).where(SyncCursor.connection_id == connection_id))
    return _aware(since) if since else None
