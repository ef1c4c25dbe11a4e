"""Recovery of jobs that a killed worker took with it.

A worker listening on several queues (ours listen on high, default and low) takes a job with a plain
LPOP: RQ keeps its reliable LMOVE-into-an-intermediate-list for single-queue workers. A worker killed
after that LPOP and before its work horse registers the job as started leaves the job "queued" in no
queue and no registry, and nothing in RQ will ever run it. RQ's own maintenance handles the other
half (a job registered as started whose worker stopped sending heartbeats).

`sweep()` finds such orphans of our queues and puts each back on its queue once it has seen it
orphaned for `grace` seconds, longer than a live worker needs between taking a job and registering it.
Every job is idempotent (LMS writes go through receipts, HRIS records are upserted), so the rare
second run that a misjudged orphan would cause writes nothing twice.
"""

from __future__ import annotations

import logging
import time

from redis import Redis
from rq import Queue
from rq.job import JobStatus

from ..config import Settings
from .queue import all_queues, orphaned

log = logging.getLogger(__name__)

ORPHAN_GRACE_S = 60.0
_JOB_KEY = "rq:job:"
_BATCH = 500


def sweep(settings: Settings, *, grace: float = ORPHAN_GRACE_S, now: float | None = None) -> list[str]:
    """Put back the orphaned jobs seen orphaned for `grace` seconds (0: at once); returns their ids."""
    queues = {q.name: q for q in all_queues(settings)}
    connection = next(iter(queues.values())).connection
    now = time.time() if now is None else now
    seen_key = f"flipside:{settings.queue_prefix}:orphans-seen"
    orphans = _orphans(connection, queues)
    seen = {k.decode(): float(v) for k, v in connection.hgetall(seen_key).items()}
    gone = [job_id for job_id in seen if job_id not in orphans]
    if gone:
        connection.hdel(seen_key, *gone)
    requeued = []
    for job_id, origin in orphans.items():
        first = seen.get(job_id)
        if grace > 0 and (first is None or now - first < grace):
            if first is None:
                connection.hset(seen_key, job_id, f"{now:.3f}")
            continue
        if _requeue(queues[origin], job_id):
            requeued.append(job_id)
        connection.hdel(seen_key, job_id)
    return requeued


def _orphans(connection: Redis, queues: dict[str, Queue]) -> dict[str, str]:
    """{job id: queue name} of every queued job of our queues that no queue or registry holds."""
    queued: dict[str, str] = {}
    keys = [k.decode() for k in connection.scan_iter(match=f"{_JOB_KEY}*", count=1000, _type="hash")]
    for start in range(0, len(keys), _BATCH):
        batch = [k for k in keys[start : start + _BATCH] if ":" not in k[len(_JOB_KEY) :]]
        pipe = connection.pipeline(transaction=False)
        for key in batch:
            pipe.hmget(key, "status", "origin")
        for key, (status, origin) in zip(batch, pipe.execute(), strict=True):
            origin = origin.decode() if origin else ""
            if status and status.decode() == JobStatus.QUEUED.value and origin in queues:
                queued[key[len(_JOB_KEY) :]] = origin
    if not queued:
        return {}
    held: set[str] = set()
    for name in set(queued.values()):
        queue = queues[name]
        held.update(j.decode() for j in connection.lrange(queue.key, 0, -1))
        held.update(queue.intermediate_queue.get_job_ids())
        held.update(queue.started_job_registry.get_job_ids(cleanup=False))
    return {job_id: origin for job_id, origin in queued.items() if job_id not in held}


def _requeue(queue: Queue, job_id: str) -> bool:
    """Push the job back unless it moved on meanwhile (a worker took it, or it was deleted)."""
    job = queue.fetch_job(job_id)
    if job is None or job.get_status(refresh=True) != JobStatus.QUEUED or not orphaned(queue, job_id):
        return False
    queue.enqueue_job(job)
    log.warning("requeued a job a stopped worker had taken", extra={"job_id": job_id, "function": job.func_name})
    return True
