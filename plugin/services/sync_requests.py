"""Webhook-driven syncs, coalesced: one open request per connection collects the employees webhooks name
until its sync starts, so a burst of deliveries costs one named-employee sync, not one per employee.

The open request is created with its job (in the outbox, same transaction); later deliveries only add
ids to it. The job claims the request under the connection's sync lock (`started`), so a delivery that
arrives after that opens the next request and its own job; nothing named is ever left without a sync.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.dialects import postgresql, sqlite

from ..errors import NotFound
from ..models import Connection, SyncRequest, utcnow
from . import outbox
from .tenant import Tenant

JOB = "plugin.jobs.sync:sync_requested"
OPEN = "open"


def request_employees(tenant: Tenant, connection_id: int, source_ids: Iterable[str]) -> SyncRequest:
    """Add `source_ids` to the connection's open request, opening it (and queueing its job) if none is."""
    tenant.get(Connection, connection_id)  # NotFound for another organisation's connection
    wanted = {str(i) for i in source_ids}
    for _ in range(3):  # the open request may start between our insert and our read: then open the next
        opened = _open(tenant, connection_id)
        request = tenant.session.scalar(
            tenant.select(SyncRequest, SyncRequest.connection_id == connection_id, SyncRequest.state == OPEN)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        if request is not None:
            break
    else:
        raise NotFound(f"could not open a sync request for connection {connection_id}")
    request.source_ids = sorted(set(request.source_ids) | wanted)
    if opened:
        outbox.later(
            tenant.session,
            JOB,
            key=f"sync-request-{request.id}",
            queue="high",
            organisation_id=tenant.organisation_id,
            connection_id=connection_id,
            request_id=request.id,
        )
    tenant.session.flush()
    return request


def _open(tenant: Tenant, connection_id: int) -> bool:
    """Insert an open request unless one exists; whether this call opened it."""
    insert = postgresql.insert if tenant.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = insert(SyncRequest).values(
        organisation_id=tenant.organisation_id,
        connection_id=connection_id,
        state=OPEN,
        source_ids=[],
        created_at=utcnow(),
    )
    stmt = stmt.on_conflict_do_nothing(index_elements=["connection_id"], index_where=text("state = 'open'"))
    return tenant.session.scalar(stmt.returning(SyncRequest.id)) is not None


def claim(tenant: Tenant, request_id: int) -> list[str] | None:
    """Start the request (its ids stop growing) and return its ids; None if it was already done.

    Called under the connection's sync lock; a retry of the same job claims the same ids again.
    """
    request = tenant.session.scalar(
        tenant.select(SyncRequest, SyncRequest.id == request_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if request is None or request.state == "done":
        return None
    if request.state == OPEN:
        request.state, request.started_at = "started", utcnow()
    ids = list(request.source_ids)
    tenant.session.commit()
    return ids


def finish(tenant: Tenant, request_id: int) -> None:
    """Mark the request done once its sync has run."""
    request = tenant.session.scalar(tenant.select(SyncRequest, SyncRequest.id == request_id))
    if request is not None:
        request.state = "done"
        tenant.session.commit()
