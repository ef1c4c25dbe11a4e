"""Sync runs whose worker died: closed as `interrupted` as soon as their connection's lock is free.

A run holds its connection's sync lock from start to end, and the lock dies with its process, so a row
still `running` while nobody holds the lock belongs to a run that cannot finish. Workers' maintenance
calls `close_abandoned` every sweep, so such a run (and its connection's `syncing`) is not left waiting
for the next sync of that connection to notice.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ..errors import LockTimeout
from ..models import Connection, SyncRun, utcnow
from . import connections, sync_lock
from .tenant import Tenant

CUT_OFF = "cut off before it finished (its worker stopped or lost the database)"


def close_abandoned(session: Session, engine: Engine) -> list[int]:
    """Close every `running` run whose connection's lock is free; returns their ids."""
    # every organisation's runs: the sweep finds the tenant of each abandoned run (the named escape hatch)
    live = session.execute(
        select(SyncRun.organisation_id, SyncRun.connection_id)
        .where(SyncRun.status == "running")
        .distinct()
        .execution_options(all_tenants=True)
    ).all()
    session.rollback()
    closed: list[int] = []
    for organisation_id, connection_id in live:
        try:
            with sync_lock.holding(engine, connection_id, wait_s=0):
                closed += _close(Tenant(session, organisation_id), connection_id)
        except LockTimeout:
            continue  # a live run holds it
    return closed


def _close(tenant: Tenant, connection_id: int) -> list[int]:
    runs = tenant.all(SyncRun, SyncRun.connection_id == connection_id, SyncRun.status == "running")
    for run in runs:
        run.status, run.finished_at, run.error = "interrupted", utcnow(), CUT_OFF
    conn = tenant.get(Connection, connection_id)
    if runs and conn.status == "syncing":
        connections.set_status(conn, "warning", f"the last sync was {CUT_OFF}; the next one picks up from there")
    tenant.session.commit()
    return [run.id for run in runs]
