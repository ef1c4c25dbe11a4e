"""The deletion safeguard: a sync that would lose too many people at once waits for HR's decision.

Modelled on Microsoft Entra provisioning's accidental-deletions prevention and Okta's import
safeguard: per connection, a threshold (default: more than 5% of the active employees or more than
250, whichever is smaller, in one run). A run whose departures *by absence* (people a complete read
no longer returned) pass it is held as `needs_approval` with the list of would-be leavers; nothing
downstream (departure jobs, unenrolment, erasure) happens until an HR admin approves, which applies
exactly those departures, or rejects, which applies none. Both decisions are audited.

Terminations and deletions the vendor states record by record (a terminated status, BambooHR's
`Deleted` action) are the vendor's word and are not held.

Connection setting: `deletion_safeguard: {"percent": 5, "count": 250}`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func, select, update

from ..errors import FatalError, ValidationError
from ..models import Connection, Employee, SyncRun, utcnow
from . import audit, connections, events, roster
from .tenant import Tenant

DEFAULT_PERCENT = 5.0
DEFAULT_COUNT = 250


@dataclass(frozen=True)
class Threshold:
    """How many departures by absence one run may apply without HR's approval."""

    percent: float = DEFAULT_PERCENT
    count: int = DEFAULT_COUNT

    @classmethod
    def of(cls, settings: Mapping | None) -> Threshold:
        """The connection's threshold; a malformed setting is a fatal error, never a silent default."""
        raw = (settings or {}).get("deletion_safeguard") or {}
        try:
            percent, count = float(raw.get("percent", DEFAULT_PERCENT)), int(raw.get("count", DEFAULT_COUNT))
        except (AttributeError, TypeError, ValueError) as err:
            raise FatalError(f"deletion_safeguard setting is malformed: {raw!r}") from err
        if not (math.isfinite(percent) and 0 <= percent <= 100) or count < 0:
            raise FatalError(f"deletion_safeguard needs 0 <= percent <= 100 and count >= 0, not {raw!r}")
        return cls(percent, count)

    def holds(self, leavers: int, active: int) -> bool:
        """Whether `leavers` departures out of `active` employees pass the threshold."""
        return leavers > min(active * self.percent / 100, self.count)


def depart(tenant: Tenant, source_system: str, connection_id: int, source_ids: list[str]) -> list[str]:
    """Mark employees gone; announce those that were active. Returns them (not committed)."""
    gone = roster.mark_deleted(tenant, source_system, source_ids)
    announce(tenant, source_system, connection_id, gone)
    return gone


def announce(tenant: Tenant, source_system: str, connection_id: int, source_ids: list[str]) -> None:
    """Publish `employee.terminated` for each (dispatched after the commit)."""
    ids = roster.employee_ids(tenant, source_system, source_ids) if source_ids else {}
    for source_id, employee_id in ids.items():
        events.publish(
            tenant,
            events.EMPLOYEE_TERMINATED,
            employee_id=employee_id,
            source_id=source_id,
            connection_id=connection_id,
        )


def check(tenant: Tenant, run: SyncRun, conn: Connection, source_system: str, source_ids: list[str]) -> bool:
    """Hold the run if these departures pass the threshold (stores the would-be leavers); True if held.

    Only people still active count: one already terminated who drops out of the vendor's read leaves
    nothing downstream to protect.
    """
    if not source_ids:
        return False
    scope = (Employee.source_system == source_system, Employee.active.is_(True))
    leavers = tenant.session.execute(
        select(Employee.id, Employee.source_id, Employee.display_name, Employee.first_name, Employee.last_name).where(
            *scope, Employee.source_id.in_(source_ids)
        )
    ).all()
    active = tenant.session.scalar(select(func.count()).select_from(Employee).where(*scope)) or 0
    if not Threshold.of(conn.settings).holds(len(leavers), active):
        return False
    run.held_leavers = [
        {
            "source_id": r.source_id,
            "employee_id": r.id,
            "name": r.display_name or f"{r.first_name} {r.last_name}".strip(),
        }
        for r in leavers
    ]
    run.safeguard = "held"
    return True


def held_runs(tenant: Tenant) -> list[SyncRun]:
    """Runs waiting for HR's decision, oldest first."""
    return list(tenant.session.scalars(tenant.select(SyncRun, SyncRun.safeguard == "held").order_by(SyncRun.id)))


def approve(tenant: Tenant, run_id: int, actor: str) -> SyncRun:
    """Apply exactly the held departures of the run (committed, then announced)."""
    run, conn = _claim(tenant, run_id, "approved", actor)
    gone = depart(tenant, conn.vendor, conn.id, [leaver["source_id"] for leaver in run.held_leavers])
    run.deactivated += len(gone)
    audit.record(tenant, actor, "sync.departures_approved", "sync_run", run.id, count=len(gone), source_ids=gone)
    _settle(tenant, run, conn, f"{len(gone)} departure(s) of sync run {run.id} approved by {actor}")
    return run


def reject(tenant: Tenant, run_id: int, actor: str) -> SyncRun:
    """Apply none of the held departures; the people stay as they were."""
    run, conn = _claim(tenant, run_id, "rejected", actor)
    audit.record(
        tenant,
        actor,
        "sync.departures_rejected",
        "sync_run",
        run.id,
        count=len(run.held_leavers),
        source_ids=[leaver["source_id"] for leaver in run.held_leavers],
    )
    _settle(tenant, run, conn, f"{len(run.held_leavers)} departure(s) of sync run {run.id} rejected by {actor}")
    return run


def _claim(tenant: Tenant, run_id: int, decision: str, actor: str) -> tuple[SyncRun, Connection]:
    run = tenant.get(SyncRun, run_id)
    # one conditional UPDATE: of two admins deciding at once, exactly one wins
    claimed = tenant.session.execute(
        update(SyncRun)
        .where(SyncRun.id == run.id, SyncRun.safeguard == "held")
        .values(safeguard=decision, decided_by=actor[:255], decided_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise ValidationError(f"Sync run {run_id} is not waiting for a decision")
    tenant.session.refresh(run)
    return run, tenant.get(Connection, run.connection_id)


def _settle(tenant: Tenant, run: SyncRun, conn: Connection, detail: str) -> None:
    run.status = "partial" if run.unreadable_fields or run.rejected else "ok"
    newest = tenant.session.scalar(select(func.max(SyncRun.id)).where(SyncRun.connection_id == conn.id))
    if newest == run.id and conn.status != "syncing":
        connections.set_status(conn, "warning" if run.status == "partial" else "connected", detail)
    tenant.session.commit()
