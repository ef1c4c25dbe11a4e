"""Jobs a killed worker took with it are put back on their queue, and only those."""

import dataclasses
import time
import uuid

import pytest
from click.testing import CliRunner
from rq import Queue, SimpleWorker
from rq.job import JobStatus

from plugin.cli import main
from plugin.config import from_environment
from plugin.jobs import recovery
from plugin.jobs.maintenance import Maintenance
from plugin.jobs.queue import all_queues, enqueue, get_queue
from tests import job_functions


@pytest.fixture
def settings(settings):
    """Queues of this test alone: what other tests left in theirs must not be taken for an orphan."""
    return dataclasses.replace(settings, queue_prefix=f"{settings.queue_prefix}r{uuid.uuid4().hex[:6]}")


@pytest.fixture(autouse=True)
def _app_context(app):
    return app


def _taken_by_a_worker_that_dies(settings):
    """What a worker listening on all our queues does before it forks the job's work horse: LPOP the id.
    Killed right then, it leaves the job 'queued' in no queue and no registry."""
    queues = all_queues(settings)
    job, _queue = Queue.dequeue_any(queues, timeout=None, connection=queues[0].connection)
    return job


def _started_by_a_live_worker(queue, job) -> None:
    """What a live worker's work horse does first: register the execution and mark the job started."""
    queue.connection.zadd(queue.started_job_registry.key, {f"{job.id}:execution-1": time.time() + 600})
    job.set_status(JobStatus.STARTED)


def _waiting(settings, job_id: str) -> bool:
    return job_id in get_queue(settings).get_job_ids()


def test_an_orphan_goes_back_on_its_queue_after_the_grace_and_then_runs(settings):
    job = enqueue(settings, job_functions.in_app_context, job_id="orphan-1")
    assert _taken_by_a_worker_that_dies(settings).id == job.id
    assert job.get_status(refresh=True) == JobStatus.QUEUED and not _waiting(settings, job.id)

    assert recovery.sweep(settings, now=1000.0) == []  # first seen: a live worker may be about to start it
    assert recovery.sweep(settings, now=1000.0 + recovery.ORPHAN_GRACE_S - 1) == []
    assert not _waiting(settings, job.id)
    assert recovery.sweep(settings, now=1000.0 + recovery.ORPHAN_GRACE_S + 1) == [job.id]
    assert _waiting(settings, job.id)

    queue = get_queue(settings)
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    assert job.get_status(refresh=True) == JobStatus.FINISHED
    assert job.return_value() == settings.queue_prefix


def test_jobs_that_are_waiting_running_done_or_of_another_deployment_are_left_alone(settings):
    waiting = enqueue(settings, job_functions.in_app_context, job_id="still-waiting")
    running = enqueue(settings, job_functions.in_app_context, job_id="running")
    queue = get_queue(settings)
    queue.remove(running.id)
    _started_by_a_live_worker(queue, running)
    other = from_environment(
        database_url=settings.database_url,
        instance_path=settings.instance_path,
        queue_prefix=settings.queue_prefix + "x",
        redis_url=settings.redis_url,
    )
    theirs = enqueue(other, job_functions.in_app_context, job_id="theirs")
    assert _taken_by_a_worker_that_dies(other).id == theirs.id

    assert recovery.sweep(settings, grace=0) == []
    assert queue.get_job_ids().count(waiting.id) == 1  # not pushed a second time
    assert running.id not in queue.get_job_ids()
    assert theirs.id not in get_queue(other).get_job_ids()  # another deployment's workers own that one
    assert recovery.sweep(other, grace=0) == [theirs.id]


def test_an_orphan_a_worker_starts_meanwhile_is_forgotten_not_requeued(settings):
    job = enqueue(settings, job_functions.in_app_context, job_id="late-start")
    _taken_by_a_worker_that_dies(settings)
    assert recovery.sweep(settings, now=1000.0) == []
    _started_by_a_live_worker(get_queue(settings), job)  # its horse was only slow to start
    assert recovery.sweep(settings, now=1000.0 + 3600) == []
    assert not _waiting(settings, job.id)
    key = f"flipside:{settings.queue_prefix}:orphans-seen"
    assert get_queue(settings).connection.hlen(key) == 0


def test_enqueue_with_a_deterministic_id_replaces_an_orphan_but_not_a_waiting_job(settings):
    first = enqueue(settings, job_functions.in_app_context, job_id="enrol-pair-7")
    assert enqueue(settings, job_functions.in_app_context, job_id="enrol-pair-7").id == first.id
    assert get_queue(settings).get_job_ids().count(first.id) == 1
    _taken_by_a_worker_that_dies(settings)
    again = enqueue(settings, job_functions.in_app_context, job_id="enrol-pair-7")
    assert again.id == first.id and get_queue(settings).get_job_ids().count(first.id) == 1


def test_the_worker_maintenance_sweeps_once_per_interval_across_workers(settings):
    queues = all_queues(settings)
    first, second = Maintenance(settings), Maintenance(settings)
    early = enqueue(settings, job_functions.in_app_context, job_id="swept-by-first")
    _taken_by_a_worker_that_dies(settings)
    recovery.sweep(settings, now=1.0)  # an earlier sweep saw it orphaned long ago
    first.sweep()
    assert _waiting(settings, early.id)
    early.delete()

    late = enqueue(settings, job_functions.in_app_context, job_id="swept-by-second")
    _taken_by_a_worker_that_dies(settings)
    recovery.sweep(settings, now=1.0)
    second.sweep()  # within the first worker's interval: nobody sweeps again yet
    assert not _waiting(settings, late.id)
    queues[0].connection.delete(f"flipside:{settings.queue_prefix}:orphans-lock")  # the interval passed
    second.sweep()
    assert _waiting(settings, late.id)


def test_jobs_recover_command_puts_back_orphans_after_watching_them(settings, monkeypatch):
    for name, value in {
        "DATABASE_URL": settings.database_url,
        "FLIPSIDE_INSTANCE_PATH": settings.instance_path,
        "FLIPSIDE_QUEUE_PREFIX": settings.queue_prefix,
        "REDIS_URL": settings.redis_url,
    }.items():
        monkeypatch.setenv(name, value)
    job = enqueue(settings, job_functions.in_app_context, job_id="recover-cli")
    _taken_by_a_worker_that_dies(settings)
    result = CliRunner().invoke(main, ["jobs", "recover", "--watch", "0.2"])
    assert result.exit_code == 0, result.output
    assert "put back 1 job" in result.output and job.id in result.output
    assert _waiting(settings, job.id)

    result = CliRunner().invoke(main, ["jobs", "recover", "--watch", "-1"])
    assert result.exit_code == 2 and "--watch" in result.output
