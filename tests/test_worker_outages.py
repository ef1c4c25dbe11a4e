"""Real `flipside worker` processes outlive Redis outages and put orphaned jobs back within the grace
period plus one sweep interval, whether idle or busy."""

from __future__ import annotations

import dataclasses
import signal
import subprocess
import time
import uuid

import pytest
from rq import Queue
from rq.job import Job, JobStatus
from sqlalchemy.engine import make_url

from plugin.demo.workforce import load_synthetic_workforce
from plugin.jobs.queue import all_queues, enqueue, get_queue
from plugin.jobs.runner import spawn_worker
from plugin.models import Employee
from tests import job_functions
from tests.tcp_proxy import CuttableProxy


@pytest.fixture
def settings(settings):
    """Queues of this test alone, and a fast sweep (30 s and 60 s in production)."""
    return dataclasses.replace(
        settings,
        queue_prefix=f"{settings.queue_prefix}w{uuid.uuid4().hex[:6]}",
        sweep_interval_s=0.5,
        orphan_grace_s=1.5,
    )


@pytest.fixture
def workers(app, settings):
    started: list[subprocess.Popen] = []

    def start(**env) -> subprocess.Popen:
        child = spawn_worker(settings, env_overrides={"FLIPSIDE_LOG_LEVEL": "WARNING", **env})
        started.append(child)
        return child

    yield start
    for child in started:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
    for q in all_queues(settings):
        q.empty()


def _until(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    pytest.fail(f"{what} did not happen within {timeout} s")


def _status(job: Job) -> JobStatus | None:
    return job.get_status(refresh=True)


def _orphan(settings) -> Job:
    """A job a worker took from its queue (a plain LPOP) and died with before starting it."""
    job = enqueue(settings, job_functions.in_app_context, job_id=f"orphan-{uuid.uuid4().hex[:6]}")
    queues = all_queues(settings)
    taken, _ = Queue.dequeue_any(queues, timeout=None, connection=queues[0].connection)
    assert taken.id == job.id and _status(job) == JobStatus.QUEUED
    return job


def test_a_worker_waits_out_a_ten_second_redis_outage_and_goes_on_working(app, settings, workers):
    pool = get_queue(settings).connection.connection_pool.connection_kwargs
    proxy = CuttableProxy(pool.get("path") or (pool["host"], pool["port"]), pool.get("db", 0))
    try:
        worker = workers(REDIS_URL=proxy.url)
        before = enqueue(settings, job_functions.in_app_context, job_id="before-the-outage")
        _until(lambda: _status(before) == JobStatus.FINISHED, 60, "the first job")
        proxy.cut()
        time.sleep(10)
        assert worker.poll() is None, "the worker exited during the outage"
        proxy.restore()
        after = enqueue(settings, job_functions.in_app_context, job_id="after-the-outage")
        _until(lambda: _status(after) == JobStatus.FINISHED, 90, "the job queued after the outage")
        assert after.return_value() == settings.queue_prefix and worker.poll() is None
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0  # and a stop request still stops it
    finally:
        proxy.close()


def test_a_worker_started_while_redis_is_unreachable_waits_for_it_then_works(app, settings, workers):
    pool = get_queue(settings).connection.connection_pool.connection_kwargs
    proxy = CuttableProxy(pool.get("path") or (pool["host"], pool["port"]), pool.get("db", 0))
    try:
        proxy.cut()
        worker = workers(REDIS_URL=proxy.url)  # e.g. restarted by its supervisor during the outage
        time.sleep(8)
        assert worker.poll() is None, "the worker exited because Redis was away when it started"
        proxy.restore()
        job = enqueue(settings, job_functions.in_app_context, job_id="after-a-start-in-the-dark")
        _until(lambda: _status(job) == JobStatus.FINISHED, 90, "the job queued once Redis was back")
        assert worker.poll() is None
    finally:
        proxy.close()


def _database_proxy(settings) -> tuple[CuttableProxy, str]:
    url = make_url(settings.resolved_database_url)
    if url.get_backend_name() != "postgresql":
        pytest.skip("runs in the PostgreSQL pass: a SQLite file has no server to cut the worker off from")
    proxy = CuttableProxy((url.host or "127.0.0.1", url.port or 5432))
    return proxy, url.set(host="127.0.0.1", port=proxy.port).render_as_string(False)


def test_a_worker_waits_out_a_five_second_postgresql_outage_and_its_job_is_retried(app, settings, workers, make_org):
    proxy, through_proxy = _database_proxy(settings)
    try:
        tenant = make_org()
        worker = workers(DATABASE_URL=through_proxy)
        ready = enqueue(settings, job_functions.in_app_context, job_id="before-the-database-outage")
        _until(lambda: _status(ready) == JobStatus.FINISHED, 60, "the worker's first job")
        proxy.cut()
        job = enqueue(settings, load_synthetic_workforce, tenant.organisation_id, 40, 3, job_id="during-the-outage")
        _until(lambda: _status(job) == JobStatus.SCHEDULED, 30, "the job's retry after the database refused it")
        time.sleep(4)  # about five seconds without the database in all
        assert worker.poll() is None, "the worker exited during the outage"
        proxy.restore()
        _until(lambda: _status(job) == JobStatus.FINISHED, 90, "the retried job")
        tenant.session.expire_all()
        assert tenant.count(Employee) == 40 and worker.poll() is None
    finally:
        proxy.close()


def test_a_worker_started_while_postgresql_is_unreachable_waits_for_it_then_works(app, settings, workers, make_org):
    proxy, through_proxy = _database_proxy(settings)
    try:
        tenant = make_org()
        proxy.cut()
        worker = workers(DATABASE_URL=through_proxy)  # e.g. restarted by its supervisor during the outage
        job = enqueue(settings, load_synthetic_workforce, tenant.organisation_id, 12, 3, job_id="queued-in-the-dark")
        time.sleep(6)
        assert worker.poll() is None, "the worker exited because the database was away when it started"
        assert _status(job) == JobStatus.QUEUED  # not taken (and failed) by a worker that cannot reach it
        proxy.restore()
        _until(lambda: _status(job) == JobStatus.FINISHED, 90, "the job queued before the database was back")
        tenant.session.expire_all()
        assert tenant.count(Employee) == 12 and worker.poll() is None
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0
    finally:
        proxy.close()


def test_a_worker_stopped_while_waiting_for_the_database_stops_at_once(app, settings, workers):
    proxy, through_proxy = _database_proxy(settings)
    try:
        proxy.cut()
        worker = spawn_worker(
            settings,
            env_overrides={"FLIPSIDE_LOG_LEVEL": "WARNING", "DATABASE_URL": through_proxy},
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            lines = iter(worker.stderr.readline, "")  # blocks until the worker says it waits for the database
            assert any("cannot reach the database yet" in line for line in lines) and worker.poll() is None
            worker.send_signal(signal.SIGTERM)
            assert worker.wait(timeout=5) == 0
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
    finally:
        proxy.close()


def test_an_idle_worker_puts_an_orphan_back_within_grace_plus_one_interval(app, settings, workers):
    job = _orphan(settings)
    workers()  # idle: RQ's own maintenance would wait for the end of a 405 s dequeue
    _until(lambda: _status(job) == JobStatus.FINISHED, 20, "the orphan's run")
    assert job.return_value() == settings.queue_prefix


def test_a_busy_worker_still_puts_an_orphan_back_meanwhile(app, settings, workers):
    job = _orphan(settings)
    busy = enqueue(settings, job_functions.sleeps, 12, job_id="keeps-the-worker-busy")
    workers()
    _until(lambda: _status(busy) == JobStatus.STARTED, 30, "the long job's start")
    _until(lambda: job.id in get_queue(settings).get_job_ids(), 8, "the orphan's return to its queue")
    assert _status(busy) == JobStatus.STARTED  # put back while the only worker was busy
    _until(lambda: _status(job) == JobStatus.FINISHED, 40, "the orphan's run")
