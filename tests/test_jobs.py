"""Jobs: real worker processes on embedded and server Redis; retries only for retriable errors."""

from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from rq import SimpleWorker
from rq.job import JobStatus
from rq.registry import FailedJobRegistry, ScheduledJobRegistry

from plugin.cli import main
from plugin.config import from_environment
from plugin.demo.workforce import load_synthetic_workforce
from plugin.jobs.connection import redis_connection
from plugin.jobs.queue import enqueue, failed_jobs, get_queue
from plugin.jobs.runner import run_burst
from plugin.models import Employee
from tests import job_functions
from tests.conftest import need, redis_server_url


@pytest.fixture(autouse=True)
def _app_context(app):
    """Jobs run in-process below find the test app's context, as they would the worker's own."""
    return app


def _work_in_process(settings):
    queue = get_queue(settings)
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    return queue


def _real_worker_finishes_a_job(settings, tenant):
    job = enqueue(settings, load_synthetic_workforce, tenant.organisation_id, 60, 3, job_id="wf-test")
    assert run_burst(settings, timeout=120) == 0
    job.refresh()
    assert job.get_status() == JobStatus.FINISHED, job.latest_result()
    assert job.return_value()["inserted"] == 60
    tenant.session.expire_all()
    assert tenant.count(Employee) == 60


def test_real_worker_process_on_embedded_redis(settings, make_org):
    embedded = from_environment(
        database_url=settings.database_url,
        instance_path=settings.instance_path,
        queue_prefix=settings.queue_prefix + "e",
        redis_url="",
    )
    _real_worker_finishes_a_job(embedded, make_org())


def test_real_worker_process_on_redis_server(settings, make_org):
    url = redis_server_url()
    if url is None:
        need("no Redis server reachable (set REDIS_URL or start one on 127.0.0.1:6379)")
    server = from_environment(
        database_url=settings.database_url,
        instance_path=settings.instance_path,
        queue_prefix=settings.queue_prefix + "s",
        redis_url=url,
    )
    _real_worker_finishes_a_job(server, make_org())


def test_deterministic_job_id_does_not_enqueue_twice(settings):
    first = enqueue(settings, job_functions.refused, job_id="sync-42")
    second = enqueue(settings, job_functions.refused, job_id="sync-42")
    assert first.id == second.id
    assert get_queue(settings).count == 1
    get_queue(settings).empty()


def test_retriable_error_is_scheduled_no_sooner_than_retry_after(settings):
    job = enqueue(settings, job_functions.throttled, 120, retries=3)
    before = datetime.now(UTC)
    queue = _work_in_process(settings)
    job.refresh()
    assert job.get_status() == JobStatus.SCHEDULED
    assert job.retries_left == 2
    registry = ScheduledJobRegistry(queue=queue)
    when = registry.get_scheduled_time(job.id)
    assert (when - before).total_seconds() >= 119
    registry.remove(job)


@pytest.mark.parametrize(
    "fn, reason", [(job_functions.refused, "key lacks the employee scope"), (job_functions.crashes, "KeyError")]
)
def test_non_retriable_errors_fail_at_once_with_the_reason(settings, fn, reason):
    job = enqueue(settings, fn, retries=5)
    queue = _work_in_process(settings)
    job.refresh()
    assert job.get_status() == JobStatus.FAILED
    assert job.id in FailedJobRegistry(queue=queue).get_job_ids()
    listed = [f for f in failed_jobs(settings) if f.id == job.id]
    assert listed and reason in listed[0].reason


def test_jobs_failed_command_lists_the_reason(settings):
    job = enqueue(settings, job_functions.refused, retries=0)
    _work_in_process(settings)
    env = {
        "DATABASE_URL": settings.database_url,
        "FLIPSIDE_INSTANCE_PATH": settings.instance_path,
        "FLIPSIDE_QUEUE_PREFIX": settings.queue_prefix,
        "REDIS_URL": settings.redis_url,
    }
    result = CliRunner().invoke(main, ["jobs", "failed"], env=env, terminal_width=300)
    assert result.exit_code == 0, result.output
    assert job.id in result.output and "employee scope" in result.output


def test_jobs_run_inside_an_app_context(settings):
    job = enqueue(settings, job_functions.in_app_context)
    _work_in_process(settings)
    job.refresh()
    assert job.return_value() == settings.queue_prefix


def test_unknown_queue_name_is_a_clear_error(settings):
    env = {"DATABASE_URL": settings.database_url, "FLIPSIDE_INSTANCE_PATH": settings.instance_path}
    result = CliRunner().invoke(main, ["worker", "--burst", "nosuch"], env=env)
    assert result.exit_code == 1 and "Unknown queue" in result.output


def test_redis_connection_is_shared_per_process(settings):
    assert redis_connection(settings).ping()


@pytest.mark.parametrize(
    "redis_url, smtp_url",
    [
        ("redis://127.0.0.1:6379/3", ""),
        ("redis://127.0.0.1:6379/3", "smtp://127.0.0.1:2525"),
        ("", "smtp://127.0.0.1:2525"),
        ("", ""),
    ],
)
def test_a_child_worker_sees_the_redis_and_smtp_servers_of_its_parent(settings, monkeypatch, redis_url, smtp_url):
    import dataclasses

    from plugin.jobs.runner import worker_environment

    monkeypatch.setenv("REDIS_URL", "redis://elsewhere.invalid:6379/0")  # the parent's environment, overridden
    env = worker_environment(dataclasses.replace(settings, redis_url=redis_url, smtp_url=smtp_url))
    assert env.get("REDIS_URL") == (redis_url or None)
    assert env.get("FLIPSIDE_SMTP_URL") == (smtp_url or None) or not smtp_url
