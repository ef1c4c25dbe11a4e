"""The webhook drain: deliveries the request path handed to Redis become delivery rows and coalesced syncs.

The request path only verifies, deduplicates and appends to the connection's stream (one Redis round trip,
`services.webhooks.Inbox.hand_off`); whoever sets the connection's drain flag queues `drain`. The job clears
the flag before its first read (so deliveries after that queue the next drain), then claims batches through
the stream's consumer group, stores each batch in one transaction (delivery rows, the open sync request
and its job in the outbox) and acknowledges it only after the commit. A drain killed mid-batch leaves its
entries pending: the next drain claims them once idle for `CLAIM_IDLE_MS`, and the rows' unique key drops
whatever the dead one had already committed, so every delivery is stored and synced once.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from flask import current_app
from rq import get_current_job

from ..config import Settings
from ..db import db
from ..models import utcnow
from ..services import webhooks
from ..services.tenant import Tenant
from .connection import redis_connection
from .queue import enqueue
from .task import task

JOB = "plugin.jobs.inbox.drain"
BATCH = 500
CLAIM_IDLE_MS = 30_000  # longer than any batch's commit: entries idle that long belong to a dead drain


@task
def drain(organisation_id: int, connection_id: int, claim_idle_ms: int = CLAIM_IDLE_MS) -> dict:
    """Store every delivery waiting in the connection's inbox, a batch per transaction."""
    settings = current_app.config["FLIPSIDE"]
    inbox = webhooks.Inbox(redis_connection(settings), settings.queue_prefix, connection_id)
    inbox.forget_drain()
    job = get_current_job()
    consumer = job.id if job is not None else f"drain-{uuid.uuid4().hex[:12]}"
    tenant = Tenant(db.session, organisation_id)
    read = stored = 0
    requests: set[int] = set()
    while batch := inbox.claim(consumer, BATCH, claim_idle_ms):
        fresh, request_id = webhooks.store(tenant, connection_id, [d for _, d in batch])
        db.session.commit()
        inbox.acknowledge(entry_id for entry_id, _ in batch)  # only now: a kill before this re-reads the batch
        read, stored = read + len(batch), stored + len(fresh)
        requests.update({request_id} - {None})
    if inbox.pending():  # another drain holds entries; if it died, a later drain must claim them
        request_drain(settings, organisation_id, connection_id, after_s=claim_idle_ms / 1000 + 1)
    return {"connection_id": connection_id, "read": read, "stored": stored, "sync_requests": sorted(requests)}


def request_drain(settings: Settings, organisation_id: int, connection_id: int, *, after_s: float = 0) -> None:
    """Queue a drain of the connection's inbox, each under its own id (concurrent drains claim disjoint
    entries); raises redis.RedisError when Redis refuses."""
    at = utcnow() + timedelta(seconds=after_s) if after_s else None
    enqueue(
        settings,
        JOB,
        job_id=f"webhook-drain-{connection_id}-{uuid.uuid4().hex[:12]}",
        queue="high",
        kwargs={"organisation_id": organisation_id, "connection_id": connection_id},
        timeout=600,
        at=at,
        organisation_id=organisation_id,
    )
