"""One sync at a time per connection, and webhook deliveries coalesced into one pending named-employee sync."""

from __future__ import annotations

import threading

import pytest
from rq import SimpleWorker
from rq.job import JobStatus
from rq.registry import ScheduledJobRegistry

from plugin.db import db
from plugin.emulators.bamboohr import BambooHREmulator
from plugin.errors import LockTimeout
from plugin.jobs.queue import all_queues, get_queue
from plugin.models import Connection, Employee, SyncRequest, SyncRun
from plugin.services import sync_lock, webhooks
from plugin.services.sync import sync_connection
from plugin.services.tenant import Tenant
from tests.factories import make_bamboohr_connection, make_workforce
from tests.webhook_support import clear_inboxes, drain_inbox, drained_request_id


@pytest.fixture
def queues(settings):
    for q in all_queues(settings):
        q.empty()
    clear_inboxes(settings)
    yield get_queue(settings, "high")
    for q in all_queues(settings):
        q.empty()


@pytest.fixture
def bamboo():
    emu = BambooHREmulator(make_workforce(40)).start()
    yield emu
    emu.stop()


@pytest.fixture
def hooked(make_org, vault, bamboo):
    tenant = make_org()
    conn = make_bamboohr_connection(tenant, vault, bamboo)
    sync_connection(tenant, vault, db.engine, conn.id)
    endpoint = webhooks.register_bamboohr(
        tenant, vault, db.engine, conn.id, f"https://flipside.example/webhooks/bamboohr/{conn.id}"
    )
    tenant.session.commit()
    return tenant, conn, endpoint


@pytest.fixture
def short_wait(monkeypatch):
    monkeypatch.setattr(sync_lock, "WAIT_S", 0.3)


def _deliver(client, bamboo, conn, endpoint, source_id: str, title: str):
    bamboo.update(source_id, job_title=title)
    body, headers = bamboo.webhook_delivery(endpoint.remote_id, source_id, changed_fields=("jobTitle",))
    answer = client.post(f"/webhooks/bamboohr/{conn.id}", data=body, headers=headers)
    assert answer.status_code == 202, answer.json
    queue = get_queue(client.application.config["FLIPSIDE"], "high")
    return answer.json | {"sync_request_id": drained_request_id(drain_inbox(queue))}


def _work(queue):
    SimpleWorker([queue], connection=queue.connection).work(burst=True)


def _titles(tenant, ids):
    tenant.session.expire_all()
    return {e.source_id: e.job_title for e in tenant.all(Employee, Employee.source_id.in_(ids))}


class _Holder:
    """Another worker's run of the connection: holds its sync lock until released."""

    def __init__(self, app, connection_id: int):
        self.taken, self.release = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._hold, args=(app, connection_id), daemon=True)

    def _hold(self, app, connection_id):
        with app.app_context(), sync_lock.holding(db.engine, connection_id):
            self.taken.set()
            self.release.wait(30)

    def __enter__(self):
        self.thread.start()
        assert self.taken.wait(10)
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.thread.join(10)


def test_deliveries_for_one_connection_coalesce_into_one_sync(client, hooked, bamboo, queues):
    tenant, conn, endpoint = hooked
    runs_before = {r.id for r in tenant.all(SyncRun)}
    answers = [_deliver(client, bamboo, conn, endpoint, str(n), f"Title {n}") for n in range(3, 8)]
    (request,) = tenant.all(SyncRequest)
    assert {a["sync_request_id"] for a in answers} == {request.id}
    assert request.state == "open" and request.source_ids == ["3", "4", "5", "6", "7"]
    assert [(j.func_name, j.kwargs["request_id"]) for j in queues.jobs] == [
        ("plugin.jobs.sync.sync_requested", request.id)
    ]

    _work(queues)
    assert _titles(tenant, [str(n) for n in range(3, 8)]) == {str(n): f"Title {n}" for n in range(3, 8)}
    tenant.session.expire_all()
    (run,) = [r for r in tenant.all(SyncRun) if r.id not in runs_before]  # PostgreSQL returns rows unordered
    assert (run.kind, run.status, run.updated) == ("employees", "ok", 5)
    assert tenant.get(SyncRequest, request.id).state == "done"

    later = _deliver(client, bamboo, conn, endpoint, "9", "After the sync")  # the next request, its own job
    assert later["sync_request_id"] != request.id and len(queues.jobs) == 1


def test_deliveries_while_another_run_holds_the_connection_join_the_waiting_request(
    app, client, hooked, bamboo, queues, short_wait
):
    tenant, conn, endpoint = hooked
    first = _deliver(client, bamboo, conn, endpoint, "3", "Early")
    (job,) = queues.jobs
    with _Holder(app, conn.id):
        _work(queues)  # the job finds the connection busy: it waits for a retry, spending none
        job.refresh()
        assert job.get_status() == JobStatus.SCHEDULED and job.retries_left == 5
        second = _deliver(client, bamboo, conn, endpoint, "4", "Late")
        assert second["sync_request_id"] == first["sync_request_id"] and queues.jobs == []
    registry = ScheduledJobRegistry(queue=queues)
    registry.remove(job)
    queues.enqueue_job(job)  # the retry falls due
    _work(queues)
    assert _titles(tenant, ["3", "4"]) == {"3": "Early", "4": "Late"}
    tenant.session.expire_all()
    assert tenant.get(SyncRequest, first["sync_request_id"]).state == "done"


def test_a_second_sync_of_a_connection_waits_for_the_first_instead_of_overlapping(app, hooked, vault):
    tenant, conn, _endpoint = hooked
    middle, results = threading.Event(), {}

    def first_run():
        with app.app_context():
            mine = Tenant(db.session, tenant.organisation_id)
            slow = lambda _n: (middle.set(), threading.Event().wait(0.8))  # noqa: E731 - batch committed, run going
            results["first"] = sync_connection(mine, vault, db.engine, conn.id, full=True, progress=slow).id

    thread = threading.Thread(target=first_run)
    thread.start()
    assert middle.wait(20)
    second = sync_connection(tenant, vault, db.engine, conn.id, full=True)
    thread.join(20)
    tenant.session.expire_all()
    one, two = tenant.get(SyncRun, results["first"]), tenant.get(SyncRun, second.id)
    assert (one.status, two.status) == ("ok", "ok")
    assert two.started_at >= one.finished_at  # the second began only once the first had ended
    assert tenant.get(Connection, conn.id).status == "connected"


def test_a_sync_that_cannot_get_the_lock_stores_nothing_and_says_why(app, hooked, vault, short_wait):
    tenant, conn, _endpoint = hooked
    runs = tenant.count(SyncRun)
    with _Holder(app, conn.id), pytest.raises(LockTimeout, match="another sync"):
        sync_connection(tenant, vault, db.engine, conn.id, full=True)
    assert tenant.count(SyncRun) == runs
    assert tenant.count(SyncRun, SyncRun.status == "interrupted") == 0
