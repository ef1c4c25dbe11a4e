"""The webhook inbox's failure modes: Redis refusing a delivery, and a drain that dies mid-batch."""

from __future__ import annotations

import json
import socket
import time

import pytest
import redis
from rq import SimpleWorker
from rq.registry import ScheduledJobRegistry

from plugin.db import db
from plugin.emulators.bamboohr import BambooHREmulator
from plugin.jobs import inbox as drain_jobs
from plugin.jobs.connection import redis_connection
from plugin.jobs.queue import all_queues, get_queue
from plugin.models import Employee, SyncRequest, WebhookDelivery
from plugin.services import webhooks
from plugin.services.sync import sync_connection
from plugin.webhooks import views
from plugin.webhooks.signature import bamboohr_signature
from tests.factories import make_bamboohr_connection, make_workforce
from tests.webhook_support import DRAIN, clear_inboxes, drain_inbox


def _empty(settings) -> None:
    for q in all_queues(settings):
        q.empty()
        scheduled = ScheduledJobRegistry(queue=q)
        for job_id in scheduled.get_job_ids():
            scheduled.remove(job_id, delete_job=True)
    clear_inboxes(settings)


@pytest.fixture
def queues(settings):
    _empty(settings)
    yield get_queue(settings, "high")
    _empty(settings)


@pytest.fixture
def bamboo():
    emu = BambooHREmulator(make_workforce(30)).start()
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
    return tenant, conn, bamboo.webhooks[endpoint.remote_id]["privateKey"]


def _signed(key: str, source_id: str, title: str) -> tuple[bytes, dict]:
    body = json.dumps(
        {
            "employees": [
                {
                    "id": source_id,
                    "action": "Updated",
                    "timestamp": "2026-12-01T10:00:00Z",
                    "changedFields": ["Job Title"],
                    "fields": {"Job Title": title},
                }
            ]
        }
    ).encode()
    stamp = str(int(time.time()))
    return body, {
        "Content-Type": "application/json",
        "X-BambooHR-Timestamp": stamp,
        "X-BambooHR-Signature": bamboohr_signature(body, stamp, key),
    }


def _inbox(settings, conn) -> webhooks.Inbox:
    return webhooks.Inbox(redis_connection(settings), settings.queue_prefix, conn.id)


def _dead_redis() -> redis.Redis:
    with socket.socket() as s:  # a port nothing listens on: connection refused
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return redis.Redis(port=port, socket_connect_timeout=0.5)


def test_a_delivery_redis_refuses_gets_a_503_stores_nothing_and_its_retry_is_kept_once(
    client, hooked, queues, settings, monkeypatch
):
    tenant, conn, key = hooked
    body, headers = _signed(key, "7", "Chief Listener")
    url = f"/webhooks/bamboohr/{conn.id}"
    client.application.extensions["flipside.webhooks.redis"] = _dead_redis()
    refused = client.post(url, data=body, headers=headers)
    assert refused.status_code == 503 and refused.json["error"]["code"] == "queue_unavailable"
    assert _inbox(settings, conn).waiting() == 0 and queues.jobs == [] and tenant.count(WebhookDelivery) == 0

    del client.application.extensions["flipside.webhooks.redis"]  # Redis is back; BambooHR retries
    retried = client.post(url, data=body, headers=headers)
    assert retried.status_code == 202 and retried.json["accepted"] == 1
    drain_inbox(queues)
    assert [(d.source_id, d.event) for d in tenant.all(WebhookDelivery)] == [("7", "updated")]
    (request,) = tenant.all(SyncRequest)
    assert request.source_ids == ["7"] and [j.func_name for j in queues.jobs] == ["plugin.jobs.sync.sync_requested"]


def test_a_drain_redis_refused_to_queue_is_asked_for_again_by_the_retry(client, hooked, queues, settings, monkeypatch):
    tenant, conn, key = hooked
    body, headers = _signed(key, "8", "Listener")
    real = views.request_drain
    calls = []

    def refused_once(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            raise redis.ConnectionError("Redis went away between the hand-off and the enqueue")
        return real(*args, **kwargs)

    monkeypatch.setattr(views, "request_drain", refused_once)
    url = f"/webhooks/bamboohr/{conn.id}"
    assert client.post(url, data=body, headers=headers).status_code == 503  # so BambooHR retries
    assert queues.jobs == [] and tenant.count(WebhookDelivery) == 0
    again = client.post(url, data=body, headers=headers)
    assert again.status_code == 202 and again.json == {"accepted": 0, "duplicates": 1}
    assert [j.func_name for j in queues.jobs] == [DRAIN]  # the retry asked for the drain the first could not
    drain_inbox(queues)
    assert [d.source_id for d in tenant.all(WebhookDelivery)] == ["8"]


def _fill(client, conn, key, n: int) -> list[str]:
    ids = [str(i) for i in range(1, n + 1)]
    for i in ids:
        body, headers = _signed(key, i, f"Title {i}")
        assert client.post(f"/webhooks/bamboohr/{conn.id}", data=body, headers=headers).status_code == 202
    return ids


class Killed(BaseException):
    """The worker dies here: nothing after this point of the drain runs (not an Exception: nothing catches it)."""


@pytest.mark.parametrize("dies_at", ["before_commit", "after_commit_before_ack"])
def test_a_drain_killed_mid_batch_leaves_every_delivery_to_the_next_drain_stored_and_synced_once(
    client, hooked, queues, settings, bamboo, monkeypatch, dies_at
):
    tenant, conn, key = hooked
    ids = _fill(client, conn, key, 12)
    monkeypatch.setattr(drain_jobs, "BATCH", 5)
    ((job),) = queues.jobs
    queues.remove(job)
    if dies_at == "before_commit":
        monkeypatch.setattr(webhooks, "store", _raise(Killed))
    else:
        monkeypatch.setattr(webhooks.Inbox, "acknowledge", _raise(Killed))
    with pytest.raises(Killed):
        job.perform()
    monkeypatch.undo()
    monkeypatch.setattr(drain_jobs, "BATCH", 5)
    tenant.session.expire_all()
    stored_by_dead = tenant.count(WebhookDelivery)
    assert stored_by_dead == (5 if dies_at == "after_commit_before_ack" else 0)
    assert _inbox(settings, conn).pending() == 5  # its claimed batch is still in the stream

    # a drain that starts at once leaves the dead one's entries alone (it may be alive) and comes back later
    early = drain_jobs.drain(tenant.organisation_id, conn.id)
    assert early["read"] == 7
    (later,) = ScheduledJobRegistry(queue=queues).get_job_ids()
    assert queues.fetch_job(later).func_name == DRAIN

    late = drain_jobs.drain(tenant.organisation_id, conn.id, claim_idle_ms=0)  # the entries have gone idle
    assert late["read"] == 5 and _inbox(settings, conn).waiting() == 0
    tenant.session.expire_all()
    rows = tenant.all(WebhookDelivery)
    assert sorted(d.source_id for d in rows) == sorted(ids) and len(rows) == 12
    for i in ids:
        bamboo.update(i, job_title=f"Title {i}")
    requests = tenant.all(SyncRequest)
    assert sorted(i for r in requests for i in r.source_ids) == sorted(ids)  # each named once, in one request
    assert [j.func_name for j in queues.jobs] == ["plugin.jobs.sync.sync_requested"] * len(requests)
    SimpleWorker([queues], connection=queues.connection).work(burst=True)
    tenant.session.expire_all()
    titles = {e.source_id: e.job_title for e in tenant.all(Employee, Employee.source_id.in_(ids))}
    assert titles == {i: f"Title {i}" for i in ids}
    assert {r.state for r in tenant.all(SyncRequest)} == {"done"}


def _raise(exc):
    def dies(*_args, **_kwargs):
        raise exc()

    return dies


def test_a_delivery_signed_with_a_replaced_secret_is_accepted_at_once(client, hooked, queues, vault, bamboo):
    """The receiver's secret is cached per process; a 401 is never retried, so a new key must work at once."""
    tenant, conn, key = hooked
    body, headers = _signed(key, "5", "Before")
    assert client.post(f"/webhooks/bamboohr/{conn.id}", data=body, headers=headers).status_code == 202
    webhooks.register_bamboohr(
        tenant, vault, db.engine, conn.id, f"https://flipside.example/webhooks/bamboohr/{conn.id}"
    )
    tenant.session.commit()
    new_key = webhooks.receiver(tenant.session, vault, "bamboohr", conn.id).secret
    assert new_key != key
    body, headers = _signed(new_key, "5", "After")
    assert client.post(f"/webhooks/bamboohr/{conn.id}", data=body, headers=headers).status_code == 202
    stale, stale_headers = _signed(key, "6", "Old key")
    refused = client.post(f"/webhooks/bamboohr/{conn.id}", data=stale, headers=stale_headers)
    assert refused.status_code == 401
    drain_inbox(queues)
    assert sorted(d.source_id for d in tenant.all(WebhookDelivery)) == ["5", "5"]
