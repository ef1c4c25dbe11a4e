"""Webhook endpoints end to end: what each delivery stores and enqueues, and what each bad one does not."""

from __future__ import annotations

import base64
import io
import json
import time
from urllib.parse import urlencode

import pytest
from rq import SimpleWorker

from plugin.db import db
from plugin.emulators.bamboohr import BambooHREmulator
from plugin.emulators.state import WallClock
from plugin.emulators.workday import WorkdayEmulator
from plugin.jobs.queue import all_queues, get_queue
from plugin.models import Employee, SyncRequest, WebhookDelivery, WebhookEndpoint
from plugin.services import webhooks
from plugin.services.secrets import reencrypt_all
from plugin.services.sync import sync_connection
from plugin.vault import Vault, generate_key
from plugin.webhooks.signature import bamboohr_signature
from tests.factories import make_bamboohr_connection, make_workday_connection, make_workforce
from tests.webhook_support import clear_inboxes, drain_inbox


@pytest.fixture
def queues(settings):
    """The test's queues, emptied before and after."""
    for q in all_queues(settings):
        q.empty()
    clear_inboxes(settings)
    yield get_queue(settings, "high")
    for q in all_queues(settings):
        q.empty()


@pytest.fixture
def bamboo():
    emu = BambooHREmulator(make_workforce(60)).start()
    yield emu
    emu.stop()


@pytest.fixture
def hooked(make_org, vault, bamboo):
    """A synced BambooHR connection whose webhook Flipside registered through the API."""
    tenant = make_org()
    conn = make_bamboohr_connection(tenant, vault, bamboo)
    sync_connection(tenant, vault, db.engine, conn.id)
    endpoint = webhooks.register_bamboohr(
        tenant, vault, db.engine, conn.id, f"https://flipside.example/webhooks/bamboohr/{conn.id}"
    )
    tenant.session.commit()
    return tenant, conn, endpoint


def jobs(queue):
    """The queued jobs; a coalesced webhook sync shows the employee ids its request collected."""
    out = []
    for job in queue.jobs:
        if job.func_name == "plugin.jobs.sync.sync_requested":
            request = db.session.get(
                SyncRequest, job.kwargs["request_id"], populate_existing=True, execution_options={"all_tenants": True}
            )  # the test reads any tenant
            out.append(
                (job.func_name, (job.kwargs["organisation_id"], job.kwargs["connection_id"], request.source_ids))
            )
        else:
            out.append((job.func_name, job.args))
    return out


def post(client, conn, body, headers, drain=True):
    """Deliver, then let the drain the endpoint queued store what it handed to the inbox."""
    answer = client.post(f"/webhooks/bamboohr/{conn.id}", data=body, headers=headers)
    if drain:
        drain_inbox(get_queue(client.application.config["FLIPSIDE"], "high"))
    return answer


def work(queue):
    SimpleWorker([queue], connection=queue.connection).work(burst=True)


def test_a_signed_event_is_recorded_enqueued_and_arrives(client, hooked, bamboo, queues):
    tenant, conn, endpoint = hooked
    bamboo.update("7", job_title="Chief Listener")
    body, headers = bamboo.webhook_delivery(endpoint.remote_id, "7", changed_fields=("jobTitle",))
    answer = post(client, conn, body, headers)
    assert answer.status_code == 202 and answer.json["accepted"] == 1
    assert [(d.event, d.source_id) for d in tenant.all(WebhookDelivery)] == [("updated", "7")]
    assert jobs(queues) == [("plugin.jobs.sync.sync_requested", (tenant.organisation_id, conn.id, ["7"]))]
    report_calls = len(bamboo.requests)
    work(queues)
    tenant.session.expire_all()
    stored = tenant.session.scalar(tenant.select(Employee, Employee.source_id == "7"))
    assert stored.job_title == "Chief Listener"
    assert [r.body for r in bamboo.requests[report_calls:] if r.path.endswith("/reports/custom")] != []
    assert b'"employeeIds": [7]' in bamboo.requests[-1].body


def test_a_repeated_delivery_is_dropped(client, hooked, bamboo, queues):
    tenant, conn, endpoint = hooked
    body, headers = bamboo.webhook_delivery(endpoint.remote_id, "7")
    assert post(client, conn, body, headers).json["accepted"] == 1
    queues.empty()
    again = post(client, conn, body, headers)
    assert again.status_code == 202 and again.json == {"accepted": 0, "duplicates": 1}
    assert tenant.count(WebhookDelivery) == 1 and jobs(queues) == []


def test_legacy_form_encoded_payload_is_accepted(client, hooked, queues):
    tenant, conn, endpoint = hooked
    key = webhooks.receiver(tenant.session, client.application.extensions["flipside.vault"], "bamboohr", conn.id).secret
    body = urlencode(
        {
            "employees[0][id]": "12",
            "employees[0][action]": "Updated",
            "employees[0][timestamp]": "2026-01-31T18:42:00+0000",
            "employees[0][changedFields][0]": "First Name",
        }
    ).encode()
    stamp = str(int(time.time()))
    answer = post(
        client,
        conn,
        body,
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-BambooHR-Timestamp": stamp,
            "X-BambooHR-Signature": bamboohr_signature(body, stamp, key),
        },
    )
    assert answer.status_code == 202
    assert jobs(queues) == [("plugin.jobs.sync.sync_requested", (tenant.organisation_id, conn.id, ["12"]))]


def test_a_deleted_employee_is_marked_deleted(client, hooked, bamboo, queues):
    tenant, conn, endpoint = hooked
    bamboo.delete("9")
    body, headers = bamboo.webhook_delivery(endpoint.remote_id, "9", event="deleted", changed_fields=())
    assert post(client, conn, body, headers).status_code == 202
    work(queues)
    tenant.session.expire_all()
    gone = tenant.session.scalar(tenant.select(Employee, Employee.source_id == "9"))
    assert gone.deleted and not gone.active


def _tampered(bamboo, endpoint):
    body, headers = bamboo.webhook_delivery(endpoint.remote_id, "7")
    return body.replace(b'"7"', b'"8"'), headers


def _stale(bamboo, endpoint):
    return bamboo.webhook_delivery(endpoint.remote_id, "7", at=time.time() - 3600)


def _unsigned(bamboo, endpoint):
    body, headers = bamboo.webhook_delivery(endpoint.remote_id, "7")
    return body, {"Content-Type": "application/json"}


@pytest.mark.parametrize("make_bad", [_tampered, _stale, _unsigned])
def test_bad_signatures_are_refused_and_nothing_is_kept(client, hooked, bamboo, queues, make_bad):
    tenant, conn, endpoint = hooked
    body, headers = make_bad(bamboo, endpoint)
    answer = post(client, conn, body, headers)
    assert answer.status_code == 401 and answer.json["error"]["code"] == "bad_signature"
    assert tenant.count(WebhookDelivery) == 0 and jobs(queues) == []


def test_a_signed_but_malformed_body_is_a_400(client, hooked, queues):
    tenant, conn, _ = hooked
    key = webhooks.receiver(tenant.session, client.application.extensions["flipside.vault"], "bamboohr", conn.id).secret
    body, stamp = b'{"type": "employee.updated", "data": {"changedFields": []}}', str(int(time.time()))
    answer = post(
        client,
        conn,
        body,
        {
            "Content-Type": "application/json",
            "X-BambooHR-Timestamp": stamp,
            "X-BambooHR-Signature": bamboohr_signature(body, stamp, key),
        },
    )
    assert answer.status_code == 400
    assert tenant.count(WebhookDelivery) == 0 and jobs(queues) == []


def test_connection_ids_cannot_be_enumerated_before_authentication(client, hooked, bamboo, queues):
    """Unsigned probes of a connection that has a webhook, one that has none and one that does not exist get
    the same answer, byte for byte; an unknown vendor is a plain 404 (vendors are no secret)."""
    tenant, conn, endpoint = hooked
    body, headers = bamboo.webhook_delivery(endpoint.remote_id, "7")
    probe = {"Content-Type": "application/json"}
    answers = [
        client.post(url, data=body, headers=probe)
        for url in (
            f"/webhooks/bamboohr/{conn.id}",
            f"/webhooks/bamboohr/{conn.id + 1000}",
            f"/webhooks/workday/{conn.id}",
        )
    ]
    assert {(a.status_code, a.data) for a in answers} == {(answers[0].status_code, answers[0].data)}
    assert answers[0].status_code == 401
    signed_elsewhere = client.post(f"/webhooks/bamboohr/{conn.id + 1000}", data=body, headers=headers)
    assert (signed_elsewhere.status_code, signed_elsewhere.data) == (401, answers[0].data)
    assert client.post(f"/webhooks/sap/{conn.id}", data=body, headers=headers).status_code == 404
    assert tenant.count(WebhookDelivery) == 0 and jobs(queues) == []


def test_a_body_past_the_cap_is_refused_while_streaming(client, hooked, bamboo, queues):
    """A chunked body (no Content-Length) past 256 KB is stopped as it streams in, signature unchecked."""
    tenant, conn, endpoint = hooked
    streamed = io.BytesIO(b'{"employees": [' + b" " * (300 * 1024) + b"]}")
    answer = client.post(
        f"/webhooks/bamboohr/{conn.id}",
        input_stream=streamed,
        environ_overrides={"wsgi.input_terminated": True},
        headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
    )
    assert streamed.tell() <= 256 * 1024 + 1  # it stopped reading just past the cap, not at the end
    assert answer.status_code == 413
    declared = client.post(
        f"/webhooks/bamboohr/{conn.id}", data=b"x" * (300 * 1024), headers={"Content-Type": "application/json"}
    )
    assert declared.status_code == 413
    assert tenant.count(WebhookDelivery) == 0 and jobs(queues) == []


def test_the_private_key_is_stored_encrypted_and_rotates(hooked, bamboo, session, vault, settings):
    tenant, conn, endpoint = hooked
    key = bamboo.webhooks[endpoint.remote_id]["privateKey"]
    assert key.encode() not in endpoint.secret_ciphertext and vault.decrypt(endpoint.secret_ciphertext) == key
    newest = generate_key()
    assert reencrypt_all(session, Vault((newest, *settings.encryption_keys))) >= 2
    rotated = session.get(WebhookEndpoint, endpoint.id)
    assert Vault((newest,)).decrypt(rotated.secret_ciphertext) == key
    assert bamboo.requests[-1].path.endswith("/webhooks")
    assert json.loads(bamboo.requests[-1].body)["url"].endswith(f"/webhooks/bamboohr/{conn.id}")


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_workday_notification_refreshes_the_named_worker(client, make_org, vault, queues):
    emu = WorkdayEmulator(make_workforce(30, "workday"), clock=WallClock()).start()
    try:
        tenant = make_org()
        conn = make_workday_connection(tenant, vault, emu)
        sync_connection(tenant, vault, db.engine, conn.id)
        webhooks.set_workday_credentials(tenant, vault, conn.id, "workday-isu", "n0tify")
        tenant.session.commit()
        emu.terminate("w4")
        url = f"/webhooks/workday/{conn.id}"
        body = emu.notification("w4", "Termination")
        assert (
            client.post(
                url, data=body, headers={"Authorization": basic("workday-isu", "wrong"), "Content-Type": "text/xml"}
            ).status_code
            == 401
        )
        assert jobs(queues) == []
        answer = client.post(
            url, data=body, headers={"Authorization": basic("workday-isu", "n0tify"), "Content-Type": "text/xml"}
        )
        assert answer.status_code == 202
        drain_inbox(queues)
        assert [(d.event, d.source_id) for d in tenant.all(WebhookDelivery)] == [("terminated", "w4")]
        work(queues)
    finally:
        emu.stop()
    tenant.session.expire_all()
    assert not tenant.session.scalar(tenant.select(Employee, Employee.source_id == "w4")).active


def _signed_post(client, conn, tenant, body: bytes, stamp: str, content_type="application/json"):
    key = webhooks.receiver(tenant.session, client.application.extensions["flipside.vault"], "bamboohr", conn.id).secret
    return post(
        client,
        conn,
        body,
        {
            "Content-Type": content_type,
            "X-BambooHR-Timestamp": stamp,
            "X-BambooHR-Signature": bamboohr_signature(body, stamp, key),
        },
    )


# BambooHR's documented field payload: no `action`, no timestamp of its own
DOCUMENTED = {
    "employees": [{"id": "7", "changedFields": ["Job Title"], "fields": {"Job Title": {"value": "Chief Listener"}}}]
}


@pytest.mark.parametrize("content_type", ["application/json", "application/x-www-form-urlencoded"])
def test_a_payload_without_action_is_accepted_and_enqueued(client, hooked, queues, content_type):
    tenant, conn, _ = hooked
    if content_type == "application/json":
        body = json.dumps(DOCUMENTED).encode()
    else:
        body = urlencode(
            {
                "employees[0][id]": "7",
                "employees[0][changedFields][0]": "Job Title",
                "employees[0][fields][Job Title][value]": "Chief Listener",
            }
        ).encode()
    answer = _signed_post(client, conn, tenant, body, str(int(time.time())), content_type)
    assert answer.status_code == 202 and answer.json["accepted"] == 1
    assert [(d.event, d.source_id) for d in tenant.all(WebhookDelivery)] == [("updated", "7")]
    assert jobs(queues) == [("plugin.jobs.sync.sync_requested", (tenant.organisation_id, conn.id, ["7"]))]


def test_a_later_identical_change_without_a_body_timestamp_is_not_dropped(client, hooked, queues):
    tenant, conn, _ = hooked
    body = json.dumps(DOCUMENTED).encode()
    now = int(time.time())
    assert _signed_post(client, conn, tenant, body, str(now - 120)).json["accepted"] == 1
    replay = _signed_post(client, conn, tenant, body, str(now - 120))  # the same signed request again
    assert replay.status_code == 202 and replay.json["duplicates"] == 1
    later = _signed_post(client, conn, tenant, body, str(now))  # HR changed the title again
    assert later.status_code == 202 and later.json["accepted"] == 1
    assert tenant.count(WebhookDelivery) == 2
    # the sync asked for first has not started: the later change joins it rather than queueing another
    assert jobs(queues) == [("plugin.jobs.sync.sync_requested", (tenant.organisation_id, conn.id, ["7"]))]


def test_different_content_under_one_body_timestamp_is_two_changes(client, hooked, queues):
    tenant, conn, _ = hooked
    stamp = str(int(time.time()))
    first = {
        "employees": [
            {
                "id": "7",
                "action": "Updated",
                "timestamp": "2026-01-31T18:42:00Z",
                "changedFields": ["Department"],
                "fields": {"Department": "Sales"},
            }
        ]
    }
    second = json.loads(json.dumps(first))
    second["employees"][0]["fields"]["Department"] = "Marketing"
    assert _signed_post(client, conn, tenant, json.dumps(first).encode(), stamp).json["accepted"] == 1
    assert _signed_post(client, conn, tenant, json.dumps(second).encode(), stamp).json["accepted"] == 1
    assert tenant.count(WebhookDelivery) == 2


@pytest.mark.parametrize("stamp", ["nan", "NaN", "inf", "-inf"])
def test_a_non_finite_signed_timestamp_is_refused(client, hooked, queues, stamp):
    tenant, conn, _ = hooked
    answer = _signed_post(client, conn, tenant, json.dumps(DOCUMENTED).encode(), stamp)
    assert answer.status_code == 401 and answer.json["error"]["code"] == "bad_signature"
    assert tenant.count(WebhookDelivery) == 0 and jobs(queues) == []
