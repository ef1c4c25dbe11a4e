"""The job decorator: an app context for every job, retries only for retriable causes, with backoff."""

from __future__ import annotations

import functools
import importlib
import logging
import pkgutil
from collections.abc import Callable

from flask import Flask, current_app, has_app_context
from rq import get_current_job
from sqlalchemy.orm import configure_mappers

from ..domain.backoff import full_jitter
from ..errors import ConfigError, retriable_cause
from ..services import receipts

log = logging.getLogger(__name__)

BASE_DELAY_S = 5.0
MAX_DELAY_S = 600.0
_APP = None


def backoff_seconds(attempt: int, retry_after: float | None = None) -> int:
    """Whole seconds (RQ schedules in seconds) before job retry `attempt`: the one backoff rule, job-sized."""
    return max(1, round(full_jitter(attempt, base=BASE_DELAY_S, cap=MAX_DELAY_S, retry_after=retry_after)))


def _app() -> Flask:
    """The Flask app for jobs: the current one if inside a context, else the one the worker preloaded."""
    if has_app_context():
        return current_app._get_current_object()
    if _APP is None:
        raise ConfigError("A job ran outside a Flipside worker: start workers with `flipside worker`")
    return _APP


def preload_app(app_factory: Callable[[], Flask]) -> None:
    """Build the jobs' app, import every job and connector module and configure the ORM mappers now, in
    the worker before it forks: each job's work horse inherits them instead of paying for them again
    (one unthrottled worker enrolled 1.18x the pairs per second with this; docs/benchmarks.md).

    The worker's entry point passes the app factory (plugin.cli passes create_app): jobs sit below the
    app and never import it."""
    global _APP
    if _APP is None:
        _APP = app_factory()

    from .. import connectors, jobs

    for package in (jobs, connectors):
        for module in pkgutil.iter_modules(package.__path__):
            importlib.import_module(f"{package.__name__}.{module.name}")
    configure_mappers()


def task(fn):
    """Mark an importable function of ids as a job: app context, and retry classification."""

    @functools.wraps(fn)
    def run(*args, **kwargs):
        app = _app()
        job = get_current_job()
        writer = receipts.WRITER.set(job.id if job is not None else None)  # a rerun resumes its own claims
        with app.app_context():
            try:
                return fn(*args, **kwargs)
            except BaseException as exc:
                cause = retriable_cause(exc)
                if cause is None:
                    _forbid_retry()
                else:
                    _schedule_retry(exc, cause)
                raise
            finally:
                receipts.WRITER.reset(writer)

    return run


def _schedule_retry(exc: BaseException, cause: str) -> None:
    """Retry with the one backoff; waiting for a lock a sibling holds spends no retry."""
    job = get_current_job()
    if job is None or job.retries_left is None:
        return
    if not getattr(exc, "counts_as_attempt", True):
        job.retries_left += 1  # RQ takes one off as it schedules the retry
    if not job.retries_left:
        return
    attempt = int(job.meta.get("attempt", 0)) + 1
    job.meta["attempt"] = attempt
    job.save_meta()
    job.retry_intervals = [backoff_seconds(attempt, getattr(exc, "retry_after", None))]
    log.warning("job will retry", extra={"job_id": job.id, "attempt": attempt, "reason": cause})


def _forbid_retry() -> None:
    """Only retriable errors are retried: anything else goes straight to the failed registry."""
    job = get_current_job()
    if job is not None:
        job.retries_left = 0
