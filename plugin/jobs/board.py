"""One organisation's background jobs: queued, running and failed (with the reason), and retrying a failure.

Queues are shared by every organisation of an install; every job carries the organisation it works for in
its metadata (jobs.queue.enqueue puts it there), and that is what decides whose it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from redis.exceptions import RedisError
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.registry import FailedJobRegistry, StartedJobRegistry

from ..config import Settings
from ..errors import FlipsideError, NotFound
from ..services.tenant import Tenant
from .queue import ORGANISATION, all_queues, still_failed


@dataclass(frozen=True)
class JobRow:
    """A job as the jobs page shows it."""

    id: str
    function: str
    state: str  # queued | running | failed
    enqueued_at: datetime | None
    ended_at: datetime | None
    reason: str


def belongs_to(tenant: Tenant, job: Job) -> bool:
    """Whether the job's metadata names this organisation (a job without it is nobody's to see)."""
    return job.meta.get(ORGANISATION) == tenant.organisation_id


def organisation_jobs(tenant: Tenant, settings: Settings) -> list[JobRow]:
    """Queued, running and failed jobs of this organisation, failures first."""
    rows = []
    for queue in all_queues(settings):
        rows.extend(_row(job, "failed") for job in still_failed(queue) if belongs_to(tenant, job))
        groups = (("running", StartedJobRegistry(queue=queue).get_job_ids()), ("queued", queue.get_job_ids()))
        for state, ids in groups:
            for job in Job.fetch_many(ids, connection=queue.connection):
                if job is not None and belongs_to(tenant, job):
                    rows.append(_row(job, state))
    order = {"failed": 0, "running": 1, "queued": 2}
    return sorted(rows, key=lambda r: (order[r.state], str(r.enqueued_at or "")))


def failed_count(tenant: Tenant, settings: Settings) -> int:
    """How many of this organisation's jobs have failed and not run again since."""
    return sum(1 for queue in all_queues(settings) for job in still_failed(queue) if belongs_to(tenant, job))


def failed_count_if_reachable(tenant: Tenant, settings: Settings) -> int | None:
    """`failed_count`, or None while Redis is away (a page that shows it still opens; the jobs page says more)."""
    try:
        return failed_count(tenant, settings)
    except RedisError:
        return None


def _row(job: Job, state: str) -> JobRow:
    reason = ""
    if state == "failed":
        reason = failure_reason((getattr(job.latest_result(), "exc_string", None) or "").strip())
    return JobRow(
        id=job.id,
        function=job.func_name.rsplit(".", 1)[-1],
        state=state,
        enqueued_at=job.enqueued_at,
        ended_at=job.ended_at,
        reason=reason,
    )


UNEXPECTED = "An unexpected problem stopped this job. Retry it; if it fails again, tell your Flipside administrator."


def failure_reason(traceback_text: str) -> str:
    """What HR reads about a failed job: our error's title and message, never Python's own error text."""
    last = traceback_text.splitlines()[-1] if traceback_text else ""
    name, _, message = last.partition(": ")
    error = _error_classes().get(name)
    if error is None:
        return UNEXPECTED
    return f"{error.title}: {message}" if message else f"{error.title}. {error.advice}"


def _error_classes() -> dict[str, type[FlipsideError]]:
    """Every class of the error tree by its dotted name (as a traceback's last line names it)."""
    found, todo = {}, [FlipsideError]
    while todo:
        cls = todo.pop()
        found[f"{cls.__module__}.{cls.__qualname__}"] = cls
        todo.extend(cls.__subclasses__())
    return found


def retry(tenant: Tenant, settings: Settings, job_id: str) -> None:
    """Put one of this organisation's failed jobs back on its queue."""
    for queue in all_queues(settings):
        registry = FailedJobRegistry(queue=queue)
        if job_id not in registry.get_job_ids():
            continue
        try:
            job = Job.fetch(job_id, connection=queue.connection)
        except NoSuchJobError:
            break
        if belongs_to(tenant, job):
            registry.requeue(job_id)
            return
    raise NotFound("No failed job with this id in this organisation")
