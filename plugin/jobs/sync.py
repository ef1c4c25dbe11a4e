"""HRIS sync jobs: full, incremental, and the employees a webhook named. Each takes ids only."""

from __future__ import annotations

import hashlib

from flask import current_app
from rq.job import Job

from ..config import Settings
from ..db import db
from ..services import sync, sync_lock, sync_requests
from ..services.tenant import Tenant
from .queue import enqueue
from .task import task


def _run(organisation_id: int, connection_id: int, **options) -> dict:
    tenant = Tenant(db.session, organisation_id)
    run = sync.sync_connection(tenant, current_app.extensions["flipside.vault"], db.engine, connection_id, **options)
    return {
        "sync_run_id": run.id,
        "kind": run.kind,
        "status": run.status,
        "inserted": run.inserted,
        "updated": run.updated,
        "unchanged": run.unchanged,
        "deactivated": run.deactivated,
        "rejected": run.rejected,
        "unreadable_fields": list(run.unreadable_fields),
    }


@task
def full_sync(organisation_id: int, connection_id: int) -> dict:
    """Read every employee of the connection and store the differences."""
    return _run(organisation_id, connection_id, full=True)


@task
def incremental_sync(organisation_id: int, connection_id: int) -> dict:
    """Read the employees changed since the connection's cursor (a full sync when it has none)."""
    return _run(organisation_id, connection_id)


@task
def sync_employees(organisation_id: int, connection_id: int, source_ids: list[str]) -> dict:
    """Read only the named employees; vendors that cannot, run an incremental sync. Webhooks go through
    `sync_requested` (coalesced); this runs named-employee syncs queued by other callers."""
    return _run(organisation_id, connection_id, source_ids=list(source_ids))


@task
def sync_requested(organisation_id: int, connection_id: int, request_id: int) -> dict:
    """Sync the employees webhooks collected in one request: claimed under the connection's lock, so ids
    keep joining the request while another sync of the connection runs."""
    tenant = Tenant(db.session, organisation_id)
    with sync_lock.holding(db.engine, connection_id):
        source_ids = sync_requests.claim(tenant, request_id)
        if source_ids is None:
            return {"request_id": request_id, "skipped": "already done"}
        result = _run(organisation_id, connection_id, source_ids=source_ids)
        sync_requests.finish(tenant, request_id)
    return result | {"request_id": request_id, "source_ids": len(source_ids)}


def enqueue_sync(
    settings: Settings,
    organisation_id: int,
    connection_id: int,
    *,
    full: bool = False,
    source_ids: list[str] | None = None,
) -> Job:
    """Enqueue a sync with a deterministic id: the same request while one waits is not queued twice."""
    if source_ids is not None:
        digest = hashlib.sha256(",".join(sorted(source_ids)).encode()).hexdigest()[:16]
        return enqueue(
            settings,
            sync_employees,
            organisation_id,
            connection_id,
            sorted(source_ids),
            job_id=f"sync-{connection_id}-employees-{digest}",
            queue="high",
            organisation_id=organisation_id,
        )
    fn, kind = (full_sync, "full") if full else (incremental_sync, "incremental")
    return enqueue(
        settings,
        fn,
        organisation_id,
        connection_id,
        job_id=f"sync-{connection_id}-{kind}",
        organisation_id=organisation_id,
    )
