"""Retriable by cause: database and Redis blips, deadlocks, serialization failures and lock timeouts are
retried with backoff, and a sync run that ends any way but success is closed with its cause."""

from __future__ import annotations

import sqlite3
import threading

import psycopg.errors
import pytest
import redis
from rq import SimpleWorker
from rq.job import JobStatus
from rq.registry import FailedJobRegistry, ScheduledJobRegistry
from sqlalchemy import exc as sa_exc

from plugin.db import db
from plugin.emulators.bamboohr import BambooHREmulator
from plugin.jobs.queue import all_queues, get_queue
from plugin.jobs.sync import enqueue_sync
from plugin.models import Connection, SyncRun
from plugin.services import roster
from tests.factories import make_bamboohr_connection, make_workforce


@pytest.fixture
def queue(settings):
    for q in all_queues(settings):
        q.empty()
    yield get_queue(settings)
    for q in all_queues(settings):
        q.empty()
        for job_id in ScheduledJobRegistry(queue=q).get_job_ids():
            ScheduledJobRegistry(queue=q).remove(job_id)


@pytest.fixture
def bamboo():
    emu = BambooHREmulator(make_workforce(30)).start()
    yield emu
    emu.stop()


def _db_error(orig: Exception, **kw) -> sa_exc.DBAPIError:
    return sa_exc.OperationalError("INSERT INTO employee ...", {}, orig, **kw)


BLIPS = {
    "deadlock": lambda: _db_error(psycopg.errors.DeadlockDetected("deadlock detected")),
    "serialization_failure": lambda: _db_error(psycopg.errors.SerializationFailure("could not serialize access")),
    "lock_timeout": lambda: _db_error(psycopg.errors.LockNotAvailable("canceling statement due to lock timeout")),
    "database_unavailable": lambda: _db_error(
        psycopg.OperationalError("server closed the connection unexpectedly"), connection_invalidated=True
    ),
    "database_locked": lambda: _db_error(sqlite3.OperationalError("database is locked")),
    "redis_unavailable": lambda: redis.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused."),
}


def _fail_first_store(monkeypatch, error: Exception) -> None:
    real, calls = roster.upsert_employees, []

    def once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise error
        return real(*args, **kwargs)

    monkeypatch.setattr(roster, "upsert_employees", once)


def _work(queue) -> None:
    SimpleWorker([queue], connection=queue.connection).work(burst=True)


def _latest_run(tenant, conn) -> SyncRun:
    tenant.session.expire_all()
    return tenant.session.scalars(
        tenant.select(SyncRun, SyncRun.connection_id == conn.id).order_by(SyncRun.id.desc())
    ).first()


@pytest.mark.parametrize("cause", sorted(BLIPS))
def test_a_blip_mid_sync_is_retried_with_backoff_and_the_run_is_closed_with_its_cause(
    app, settings, make_org, vault, bamboo, queue, monkeypatch, cause
):
    tenant = make_org()
    conn = make_bamboohr_connection(tenant, vault, bamboo)
    tenant.session.commit()
    _fail_first_store(monkeypatch, BLIPS[cause]())
    job = enqueue_sync(settings, tenant.organisation_id, conn.id, full=True)
    _work(queue)

    job.refresh()
    assert job.get_status() == JobStatus.SCHEDULED and job.retries_left == 4
    assert job.id not in FailedJobRegistry(queue=queue).get_job_ids()
    # full jitter over the first window (5 s * 2), never at once: RQ schedules in whole seconds
    wait = (ScheduledJobRegistry(queue=queue).get_scheduled_time(job.id) - job.enqueued_at).total_seconds()
    assert 0 < wait <= 11
    run = _latest_run(tenant, conn)
    assert run.status == "failed" and cause in run.error and run.finished_at is not None
    assert "INSERT" not in run.error  # the statement and its parameters (personal data) are not kept
    stored = tenant.get(Connection, conn.id)
    assert stored.status == "connected" and stored.status_detail.startswith("sync will retry")

    ScheduledJobRegistry(queue=queue).remove(job)
    queue.enqueue_job(job)  # the retry falls due
    _work(queue)
    assert job.get_status(refresh=True) == JobStatus.FINISHED
    run = _latest_run(tenant, conn)
    assert (run.status, run.inserted) == ("ok", 30)
    assert tenant.get(Connection, conn.id).status == "connected"


@pytest.mark.parametrize(
    "error",
    [
        sa_exc.IntegrityError("INSERT ...", {}, psycopg.errors.UniqueViolation("duplicate key")),
        sa_exc.OperationalError("SELECT ...", {}, sqlite3.OperationalError("no such table: employee")),
        KeyError("jobTitle"),
    ],
    ids=["integrity", "sqlite_schema", "bug"],
)
def test_an_error_retrying_cannot_fix_fails_at_once_and_still_closes_the_run(
    app, settings, make_org, vault, bamboo, queue, monkeypatch, error
):
    tenant = make_org()
    conn = make_bamboohr_connection(tenant, vault, bamboo)
    tenant.session.commit()
    _fail_first_store(monkeypatch, error)
    job = enqueue_sync(settings, tenant.organisation_id, conn.id, full=True)
    _work(queue)
    assert job.get_status(refresh=True) == JobStatus.FAILED
    run = _latest_run(tenant, conn)
    assert run.status == "failed" and type(error).__name__ in run.error and run.finished_at is not None
    stored = tenant.get(Connection, conn.id)
    assert stored.status == "error" and stored.status != "syncing"


def test_a_run_cut_off_without_a_word_is_marked_interrupted_by_the_next(app, make_org, vault, bamboo):
    from plugin.services.sync import sync_connection

    tenant = make_org()
    conn = make_bamboohr_connection(tenant, vault, bamboo)
    ghost = tenant.add(
        SyncRun(
            connection_id=conn.id, kind="full", status="running", rejections=[], unreadable_fields=[], tree_problems=[]
        )
    )  # its worker died with the database
    tenant.session.commit()
    assert sync_connection(tenant, vault, db.engine, conn.id).status == "ok"
    tenant.session.expire_all()
    ghost = tenant.get(SyncRun, ghost.id)
    assert ghost.status == "interrupted" and ghost.finished_at is not None and "cut off" in ghost.error


def test_a_run_whose_worker_died_is_closed_by_the_next_sweep_not_left_running(app, settings, make_org, vault, bamboo):
    from plugin.jobs.maintenance import Maintenance
    from plugin.services import connections, sync_lock

    tenant = make_org()
    conn = make_bamboohr_connection(tenant, vault, bamboo)
    dead = tenant.add(
        SyncRun(
            connection_id=conn.id, kind="full", status="running", rejections=[], unreadable_fields=[], tree_problems=[]
        )
    )
    connections.set_status(conn, "syncing", "full sync running")
    live_conn = make_bamboohr_connection(tenant, vault, bamboo)
    live = tenant.add(
        SyncRun(
            connection_id=live_conn.id,
            kind="full",
            status="running",
            rejections=[],
            unreadable_fields=[],
            tree_problems=[],
        )
    )
    tenant.session.commit()
    maintenance = Maintenance(settings)
    get_queue(settings).connection.delete(f"flipside:{settings.queue_prefix}:orphans-lock")
    with sync_lock.holding(db.engine, live_conn.id):  # this one's worker is alive and holds its lock
        sweeping = threading.Thread(target=maintenance.sweep)  # on its own thread, as in a worker
        sweeping.start()
        sweeping.join(30)
    maintenance.engine.dispose()
    tenant.session.expire_all()
    dead, live = tenant.get(SyncRun, dead.id), tenant.get(SyncRun, live.id)
    assert dead.status == "interrupted" and dead.finished_at is not None and "cut off" in dead.error
    assert tenant.get(Connection, conn.id).status == "warning"
    assert live.status == "running"
