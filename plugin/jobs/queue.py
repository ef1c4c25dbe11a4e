"""Queues and enqueueing with deterministic ids, so a duplicate request never runs a job twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rq import Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.registry import FailedJobRegistry

from ..config import Settings
from ..services.outbox import prefixed_job_id as prefixed_job_id  # one rule, shared with the outbox
from .connection import redis_connection

QUEUE_NAMES = ("high", "default", "low")
ORGANISATION = "organisation_id"  # the job metadata key naming the organisation a job works for
LIVE = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED}


def queue_name(settings: Settings, name: str) -> str:
    return f"{settings.queue_prefix}-{name}"


def get_queue(settings: Settings, name: str = "default") -> Queue:
    return Queue(queue_name(settings, name), connection=redis_connection(settings))


def all_queues(settings: Settings) -> list[Queue]:
    return [get_queue(settings, n) for n in QUEUE_NAMES]


def enqueue(
    settings: Settings,
    fn,
    *args,
    job_id: str | None = None,
    queue: str = "default",
    retries: int = 5,
    timeout: int = 3600,
    at: datetime | None = None,
    kwargs: dict | None = None,
    organisation_id: int | None = None,
) -> Job:
    """Enqueue fn(*args, **kwargs); with a job_id, a job already waiting or running under it is returned instead.

    `organisation_id` goes in the job's metadata: the jobs page shows a job to that organisation only.
    """
    q = get_queue(settings, queue)
    if job_id:
        job_id = prefixed_job_id(settings, job_id)
        existing = _live_job(q, job_id)
        if existing is not None:
            return existing
    options = dict(
        job_id=job_id,
        retry=Retry(max=retries) if retries else None,
        job_timeout=timeout,
        result_ttl=86400,
        failure_ttl=30 * 86400,
        meta={ORGANISATION: organisation_id} if organisation_id is not None else None,
    )
    if at is not None:
        return q.enqueue_at(at, fn, *args, **options, **(kwargs or {}))
    return q.enqueue_call(fn, args=args, kwargs=kwargs or {}, timeout=options.pop("job_timeout"), **options)


def _live_job(q: Queue, job_id: str) -> Job | None:
    try:
        job = Job.fetch(job_id, connection=q.connection)
    except NoSuchJobError:
        return None
    status = job.get_status(refresh=True)
    origin = q if job.origin == q.name else Queue(job.origin, connection=q.connection)
    if status == JobStatus.QUEUED and orphaned(origin, job_id):
        return None  # a killed worker took it and nothing will run it: enqueue it again
    return job if status in LIVE else None


def orphaned(queue: Queue, job_id: str) -> bool:
    """Whether a job that says it is queued sits in none of its queue's lists nor its started registry.

    That is a job a worker took and died with before running it (see jobs.recovery); for a few
    milliseconds it is also a job a live worker has just taken, and a second run of it is harmless.
    """
    connection = queue.connection
    return (
        connection.lpos(queue.key, job_id) is None
        and connection.lpos(queue.intermediate_queue_key, job_id) is None
        and job_id not in queue.started_job_registry
    )


@dataclass(frozen=True)
class FailedJob:
    id: str
    function: str
    queue: str
    ended_at: datetime | None
    reason: str


def still_failed(queue: Queue) -> list[Job]:
    """The jobs of `queue`'s failed registry that are failed now; the others leave the registry.

    RQ adds a job to the failed registry when it fails but never takes it out when a later run under
    the same (deterministic) id is queued again or succeeds, so the registry alone overstates failures.
    """
    registry = FailedJobRegistry(queue=queue)
    ids = registry.get_job_ids()
    failed = []
    for job_id, job in zip(ids, Job.fetch_many(ids, connection=queue.connection), strict=True):
        if job is not None and job.get_status(refresh=False) == JobStatus.FAILED:
            failed.append(job)
        else:
            registry.remove(job_id)
    return failed


def failed_jobs(settings: Settings) -> list[FailedJob]:
    """Every job that is failed now, with the last line of its error as the reason."""
    return [
        FailedJob(
            id=job.id,
            function=job.func_name,
            queue=q.name,
            ended_at=job.ended_at,
            reason=_last_line(job.latest_result()),
        )
        for q in all_queues(settings)
        for job in still_failed(q)
    ]


def _last_line(result) -> str:
    text = (getattr(result, "exc_string", None) or "").strip()
    return text.splitlines()[-1] if text else "unknown"
