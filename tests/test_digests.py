"""The weekly digest: per role (a coordinator sees only their programmes), once per ISO week, by email over
the loopback SMTP server and to Slack/Teams webhooks (payload shape, retries, refusals), bad URLs refused,
and the delivery-failures page's access control."""

from __future__ import annotations

import json
from datetime import date

import pytest
import responses

from plugin.db import db
from plugin.domain import chat
from plugin.emulators.chat import ChatEmulator
from plugin.errors import ValidationError
from plugin.jobs import notify
from plugin.models import AuditEvent, OutboundMessage
from plugin.services import access, admin_login, chat_channels, digests
from tests.admin_world import START, add_employee, add_pair, add_programme

MONDAY = date(2024, 12, 2)  # 2024-W49; the pairs started 2024-09-02 with no session: all at risk
SLACK_URL = "https://hooks.slack.com/services/T000/B000/SECRETxyz"
TEAMS_URL = "https://contoso.webhook.office.com/webhookb2/abc@def/IncomingWebhook/123/456"


@pytest.fixture
def world(make_org):
    """Two programmes: A with one pair at risk and one executive without a partner, B with two pairs at risk.
    hr@ is HR admin, coord@ coordinates A only."""
    tenant = make_org()
    hr = add_employee(tenant, 1, work_email="hr@example.test", display_name="Hana HR", preferred_language="en")
    coord = add_employee(tenant, 2, work_email="coord@example.test", display_name="Cora Coord", preferred_language="en")
    a = add_programme(tenant, "Programme Alpha")
    b = add_programme(tenant, "Programme Beta")
    add_pair(tenant, a, add_employee(tenant, 10, display_name="Secret Junior"), add_employee(tenant, 11, job_level=8))
    lone = add_employee(tenant, 12, job_level=8, display_name="Lonely Exec")
    from plugin.models import Participant

    tenant.add(Participant(programme_id=a.id, employee_id=lone.id, role="mentee"))
    for n in (20, 22):
        add_pair(tenant, b, add_employee(tenant, n), add_employee(tenant, n + 1, job_level=8))
    access.grant(tenant, "hr@example.test", "hr_admin", None, actor="test")
    access.grant(tenant, "coord@example.test", "coordinator", a.id, actor="test")
    db.session.commit()
    return tenant, hr, coord, a, b


def test_hr_sees_every_programme_and_a_coordinator_only_theirs_with_counts_not_names(world, smtp_server):
    tenant, hr, coord, a, b = world
    assert START < MONDAY
    digests.queue_week(tenant, MONDAY, "https://flipside.example", failed_jobs=3)
    db.session.commit()
    assert notify.deliver()["sent"] == 2
    [to_hr] = smtp_server.inbox.to("hr@example.test")
    [to_coord] = smtp_server.inbox.to("coord@example.test")
    hr_text = to_hr.get_body(("plain",)).get_content()
    coord_text = to_coord.get_body(("plain",)).get_content()
    assert to_hr["Subject"] == "Flipside weekly digest: week 2024-W49"
    assert "Pairs at risk: 3" in hr_text and "Failed jobs: 3" in hr_text
    assert "Programme Alpha: pairs at risk: 1" in hr_text and "Programme Beta: pairs at risk: 2" in hr_text
    assert "Executives without a partner: 1" in hr_text
    assert f"https://flipside.example/admin/programmes/{b.id}/health" in hr_text
    assert "Pairs at risk: 1" in coord_text and "Programme Beta" not in coord_text
    assert "Failed jobs" not in coord_text  # the jobs page is HR's
    for text in (hr_text, coord_text):
        assert "Secret Junior" not in text and "Lonely Exec" not in text
    assert to_hr["List-Unsubscribe"]  # a digest can be turned off like any non-transactional message


def test_a_digest_goes_once_per_recipient_per_iso_week(world, smtp_server):
    tenant, *_ = world
    # Monday, Wednesday and Sunday of 2024-W49, then Monday of 2024-W50
    for day in (MONDAY, date(2024, 12, 4), date(2024, 12, 8), date(2024, 12, 9)):
        digests.queue_week(tenant, day, "https://flipside.example", failed_jobs=0)
        db.session.commit()
    notify.deliver()
    subjects = sorted(m["Subject"] for m in smtp_server.inbox.to("hr@example.test"))
    assert subjects == ["Flipside weekly digest: week 2024-W49", "Flipside weekly digest: week 2024-W50"]
    assert digests.week_of(date(2027, 1, 1)) == "2026-W53"


def test_a_person_with_both_grants_gets_one_hr_digest(world, smtp_server):
    tenant, _hr, _coord, a, _b = world
    access.grant(tenant, "hr@example.test", "coordinator", a.id, actor="test")
    db.session.commit()
    digests.queue_week(tenant, MONDAY, "https://flipside.example", failed_jobs=0)
    db.session.commit()
    notify.deliver()
    [mail] = smtp_server.inbox.to("hr@example.test")
    assert "Programme Beta" in mail.get_body(("plain",)).get_content()


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.slack.com/services/T/B/X",  # not https
        "https://hooks.slack.com.evil.example/services/T/B/X",
        "https://evil.example/?u=hooks.slack.com/services/",
        "https://user:pw@hooks.slack.com/services/T/B/X",
        "https://hooks.slack.com:8443/services/T/B/X",
        "https://hooks.slack.com/api/chat.postMessage",
        "https://webhook.office.com/webhookb2/x",  # no tenant label
        "https://a..webhook.office.com/webhookb2/x",
        "https://127.0.0.1/services/x",
        "https://prod.logic.azure.com/admin/",
        "https://hooks.slack.com/services/T/B/X\nHost: evil",
        "javascript:alert(1)",
        "",
        "https://hooks.slack.com/services/" + "x" * 3000,
    ],
)
def test_bad_webhook_urls_are_refused(url):
    with pytest.raises(ValidationError):
        chat.vendor_of(url)


def test_vendor_urls_are_accepted_and_stored_encrypted(world, vault):
    tenant, _hr, _coord, a, _b = world
    assert chat.vendor_of(SLACK_URL) == "slack" and chat.vendor_of(TEAMS_URL) == "teams"
    assert chat.vendor_of("https://prod-12.westeurope.logic.azure.com/workflows/abc/triggers/manual") == "teams"
    hook = chat_channels.add(tenant, vault, a.id, SLACK_URL, "hr_admin:test")
    db.session.commit()
    assert b"SECRETxyz" not in hook.url_ciphertext and hook.host == "hooks.slack.com"
    assert chat_channels.url_of(vault, hook) == SLACK_URL
    assert "SECRET" not in json.dumps([e.detail for e in tenant.all(AuditEvent)])


@responses.activate
def test_chat_digests_are_posted_once_as_slack_blocks_and_teams_cards(world, vault, app):
    tenant, _hr, _coord, a, b = world
    chat_channels.add(tenant, vault, a.id, SLACK_URL, "test")
    chat_channels.add(tenant, vault, b.id, TEAMS_URL, "test")
    tenant.session.execute(
        OutboundMessage.__table__.delete().where(OutboundMessage.organisation_id == tenant.organisation_id)
    )
    access.revoke(tenant, "hr@example.test", "hr_admin", None, actor="test")
    access.revoke(tenant, "coord@example.test", "coordinator", a.id, actor="test")
    db.session.commit()
    responses.post(SLACK_URL, body="ok")
    responses.post(TEAMS_URL, body="1")
    for _ in range(2):
        digests.queue_week(tenant, MONDAY, "https://flipside.example", failed_jobs=0)
        db.session.commit()
        notify.deliver()
    assert len(responses.calls) == 2
    slack = json.loads(next(c for c in responses.calls if "slack" in c.request.url).request.body)
    teams = json.loads(next(c for c in responses.calls if "office" in c.request.url).request.body)
    assert slack["blocks"][0]["type"] == "header" and slack["text"] == "Flipside weekly digest: week 2024-W49"
    assert "*1* Programme Alpha: pairs at risk" in slack["blocks"][2]["text"]["text"]
    assert "Programme Beta" not in json.dumps(slack)
    assert teams["@type"] == "MessageCard" and teams["@context"] == "https://schema.org/extensions"
    facts = {f["name"]: f["value"] for f in teams["sections"][0]["facts"]}
    assert facts["Programme Beta: pairs at risk"] == "2" and len(teams["potentialAction"]) <= 4


@responses.activate
def test_a_throttled_post_waits_for_retry_after_and_a_refused_one_fails_with_its_reason(world, vault):
    tenant, _hr, _coord, a, b = world
    chat_channels.add(tenant, vault, a.id, SLACK_URL, "test")
    chat_channels.add(tenant, vault, b.id, TEAMS_URL, "test")
    db.session.commit()
    responses.post(SLACK_URL, status=429, headers={"Retry-After": "120"}, body="rate limited")
    responses.post(TEAMS_URL, status=404, body="no_service")
    digests.queue_week(tenant, MONDAY, "https://flipside.example", failed_jobs=0)
    db.session.commit()
    notify.deliver()
    rows = {r.channel: r for r in tenant.all(OutboundMessage, OutboundMessage.webhook_id.is_not(None))}
    assert rows["slack"].state == "queued" and "429" in rows["slack"].last_error
    wait = rows["slack"].next_attempt_at.replace(tzinfo=None) - rows["slack"].created_at.replace(tzinfo=None)
    assert wait.total_seconds() >= 115
    assert rows["teams"].state == "failed" and "404" in rows["teams"].last_error
    assert "no_service" in rows["teams"].last_error and "SECRET" not in rows["teams"].last_error


def _as(client, tenant, role, email=""):
    with client.session_transaction() as s:
        s["user"] = {**admin_login.session_user(tenant.organisation_id), "role": role, "lms_role": role, "email": email}
        s["csrf_token"] = "t"


def _fail_all(tenant):
    digests.queue_week(tenant, MONDAY, "https://flipside.example", failed_jobs=0)
    for row in tenant.all(OutboundMessage):
        row.state, row.last_error = "failed", "550 5.1.1 No such user"
    db.session.commit()


def test_the_failures_page_by_role_and_its_audited_retry(world, client, make_org):
    tenant, hr, coord, a, b = world
    participant = add_employee(tenant, 30)
    add_pair(tenant, b, participant, add_employee(tenant, 31, job_level=8))
    from plugin.services import messages

    messages.queue_email(tenant, "nudge-x", "nudge", participant, "s", "t", "<p>h</p>", "en")
    _fail_all(tenant)
    _as(client, tenant, "hr_admin")
    page = client.get("/admin/deliveries").get_data(as_text=True)
    assert "Hana HR" in page and "Cora Coord" in page and "Sam30 Example" in page and "550 5.1.1" in page
    _as(client, tenant, "coordinator", "coord@example.test")
    page = client.get("/admin/deliveries").get_data(as_text=True)
    assert "Sam30 Example" not in page  # a participant of programme Beta, not the coordinator's
    nudge = tenant.all(OutboundMessage, OutboundMessage.event_key == "nudge-x")[0]
    assert client.post(f"/admin/deliveries/{nudge.id}/retry", data={"csrf_token": "t"}).status_code == 404
    assert client.post(f"/admin/deliveries/{nudge.id}/retry").status_code in (400, 403)  # no CSRF token
    _as(client, tenant, "participant")
    assert client.get("/admin/deliveries").status_code == 403
    other = make_org()
    db.session.commit()
    _as(client, other, "hr_admin")
    assert "Sam30" not in client.get("/admin/deliveries").get_data(as_text=True)
    assert client.post(f"/admin/deliveries/{nudge.id}/retry", data={"csrf_token": "t"}).status_code == 404
    _as(client, tenant, "hr_admin")
    assert client.post(f"/admin/deliveries/{nudge.id}/retry", data={"csrf_token": "t"}).status_code == 303
    db.session.expire_all()
    assert tenant.get(OutboundMessage, nudge.id).state == "queued"
    assert [e.action for e in tenant.all(AuditEvent, AuditEvent.action == "message.retried")] == ["message.retried"]


@pytest.mark.parametrize(
    ("language", "subject"),
    [("ja", "Flipside 週次ダイジェスト: 2024-W49 週"), ("pt_BR", "Resumo semanal do Flipside: semana 2024-W49")],
)
def test_the_digest_is_in_the_readers_language(world, smtp_server, language, subject):
    tenant, hr, *_ = world
    hr.preferred_language = language
    db.session.commit()
    digests.queue_week(tenant, MONDAY, "https://flipside.example", failed_jobs=0)
    db.session.commit()
    notify.deliver()
    [mail] = smtp_server.inbox.to("hr@example.test")
    assert mail["Subject"] == subject and mail["Content-Language"].replace("-", "_") == language


@responses.activate
def test_a_post_a_killed_worker_was_handing_over_is_never_posted_twice(world, vault):
    tenant, _hr, _coord, a, _b = world
    chat_channels.add(tenant, vault, a.id, SLACK_URL, "test")
    access.revoke(tenant, "hr@example.test", "hr_admin", None, actor="test")
    access.revoke(tenant, "coord@example.test", "coordinator", a.id, actor="test")
    db.session.commit()
    [post] = digests.queue_week(tenant, MONDAY, "https://flipside.example", failed_jobs=0)
    post.state, post.vendor_ref, post.lease_until = "sending", "(in flight)", post.created_at  # the lease ran out
    db.session.commit()
    responses.post(SLACK_URL, body="ok")
    notify.deliver()
    assert len(responses.calls) == 0
    db.session.expire_all()
    assert tenant.get(OutboundMessage, post.id).state == "failed"


def test_hr_adds_and_removes_a_chat_channel_from_the_programme_page(world, client, make_org):
    from plugin.models import ChatWebhook

    tenant, hr, coord, a, b = world
    _as(client, tenant, "hr_admin")
    page = client.get(f"/admin/programmes/{a.id}/").get_data(as_text=True)
    assert "Chat channels" in page and "No chat channel yet." in page
    for hostile in (
        "http://hooks.slack.com/services/T/B/x",
        "https://hooks.slack.com.evil.test/services/x",
        "javascript:alert(1)",
    ):
        refused = client.post(f"/admin/programmes/{a.id}/chat", data={"csrf_token": "t", "url": hostile})
        assert refused.status_code == 303
    db.session.expire_all()
    assert tenant.all(ChatWebhook) == []
    assert "not an incoming-webhook address" in client.get(f"/admin/programmes/{a.id}/").get_data(as_text=True)
    assert client.post(f"/admin/programmes/{a.id}/chat", data={"url": SLACK_URL}).status_code in (400, 403)
    added = client.post(f"/admin/programmes/{a.id}/chat", data={"csrf_token": "t", "url": SLACK_URL})
    assert added.status_code == 303 and added.headers["Location"].endswith(f"/admin/programmes/{a.id}/#chat")
    db.session.expire_all()
    (row,) = tenant.all(ChatWebhook)
    page = client.get(f"/admin/programmes/{a.id}/").get_data(as_text=True)
    assert "Slack · hooks.slack.com" in page and "SECRETxyz" not in page  # the URL is never shown again
    _as(client, tenant, "coordinator", "coord@example.test")
    assert "Chat channels" not in client.get(f"/admin/programmes/{a.id}/").get_data(as_text=True)
    assert client.post(f"/admin/chat/{row.id}/remove", data={"csrf_token": "t"}).status_code == 403
    other = make_org()
    db.session.commit()
    _as(client, other, "hr_admin")
    assert client.post(f"/admin/chat/{row.id}/remove", data={"csrf_token": "t"}).status_code == 404
    assert client.post(f"/admin/programmes/{a.id}/chat", data={"csrf_token": "t", "url": TEAMS_URL}).status_code == 404
    _as(client, tenant, "hr_admin")
    assert client.post(f"/admin/chat/{row.id}/remove", data={"csrf_token": "t"}).status_code == 303
    db.session.expire_all()
    assert tenant.all(ChatWebhook) == []
    actions = [e.action for e in tenant.all(AuditEvent) if e.action.startswith("chat_webhook.")]
    assert actions == ["chat_webhook.added", "chat_webhook.removed"]


@pytest.mark.parametrize(
    ("language", "title", "label"),
    [
        ("ja", "Flipside 週次ダイジェスト: 2024-W49 週", "リスクのあるペア"),
        ("pt_BR", "Resumo semanal do Flipside: semana 2024-W49", "Pares em risco"),
    ],
)
def test_a_programme_channel_reads_in_its_coordinators_language(world, vault, smtp_server, language, title, label):
    tenant, _hr, coord, a, b = world
    coord.preferred_language = language
    with ChatEmulator() as emulator:
        alpha_url, beta_url = emulator.url("slack", "alpha"), emulator.url("teams", "beta")
        chat_channels.add(tenant, vault, a.id, alpha_url, "test", loopback=True)
        chat_channels.add(tenant, vault, b.id, beta_url, "test", loopback=True)
        db.session.commit()
        digests.queue_week(tenant, MONDAY, "https://flipside.example", failed_jobs=0)
        db.session.commit()
        notify.deliver()
        [alpha], [beta] = emulator.to(alpha_url), emulator.to(beta_url)
    assert alpha.vendor == "slack" and alpha.body["text"] == title  # programme A: its coordinator's language
    assert f"*1* {label}" in alpha.body["blocks"][2]["text"]["text"]
    assert beta.vendor == "teams" and beta.body["title"] == "Flipside weekly digest: week 2024-W49"  # B: HR's
    posts = {r.webhook_id: r for r in tenant.all(OutboundMessage, OutboundMessage.webhook_id.is_not(None))}
    assert sorted(r.locale.replace("-", "_") for r in posts.values()) == sorted([language, "en"])


def test_a_loopback_webhook_is_accepted_only_when_asked_for():
    with pytest.raises(ValidationError):
        chat.vendor_of("http://127.0.0.1:7320/services/T/B/x")
    assert chat.vendor_of("http://127.0.0.1:7320/services/T/B/x", loopback=True) == "slack"
    assert chat.vendor_of("http://127.0.0.1:7320/webhookb2/x/IncomingWebhook/a/b", loopback=True) == "teams"
    with pytest.raises(ValidationError):
        chat.vendor_of("http://10.0.0.1/services/T/B/x", loopback=True)


def test_the_daily_jobs_queue_the_digest_under_its_iso_week_so_it_goes_once_a_week(world, settings, smtp_server):
    from rq import SimpleWorker

    from plugin.jobs.daily import enqueue_daily
    from plugin.jobs.queue import get_queue

    tenant, *_ = world
    queue = get_queue(settings)
    queue.empty()

    def digest_jobs():
        return sorted(j.id for j in queue.jobs if j.func_name.endswith(".weekly_digest"))

    enqueue_daily(settings, tenant.organisation_id, MONDAY)
    enqueue_daily(settings, tenant.organisation_id, date(2024, 12, 4))  # Wednesday, same ISO week: no second job
    assert len(digest_jobs()) == 1 and digest_jobs()[0].endswith(f"digest-{tenant.organisation_id}-2024-W49")
    enqueue_daily(settings, tenant.organisation_id, date(2024, 12, 9))  # Monday of 2024-W50: the next one
    assert [j.rsplit("-", 2)[-2:] for j in digest_jobs()] == [["2024", "W49"], ["2024", "W50"]]
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    enqueue_daily(settings, tenant.organisation_id, date(2024, 12, 11))  # a later day of W50, after the run
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    notify.deliver()
    subjects = sorted(m["Subject"] for m in smtp_server.inbox.to("hr@example.test"))
    assert subjects == ["Flipside weekly digest: week 2024-W49", "Flipside weekly digest: week 2024-W50"]


def test_a_coordinators_own_channel_gets_only_their_programmes_in_their_language(world, vault, smtp_server):
    tenant, _hr, coord, a, b = world
    coord.preferred_language = "ja"
    other = add_employee(tenant, 3, work_email="beta.coord@example.test", preferred_language="pt_BR")
    access.grant(tenant, other.work_email, "coordinator", b.id, actor="test")
    with ChatEmulator() as emulator:
        mine, theirs, shared = emulator.url("slack", "cora"), emulator.url("teams", "bea"), emulator.url("slack", "a")
        chat_channels.set_for_coordinator(
            tenant, vault, "Coord@example.test", emulator.url("slack", "old"), "hr", loopback=True
        )
        chat_channels.set_for_coordinator(tenant, vault, "coord@example.test", mine, "hr", loopback=True)
        chat_channels.set_for_coordinator(tenant, vault, other.work_email, theirs, "hr", loopback=True)
        chat_channels.add(tenant, vault, a.id, shared, "hr", loopback=True)
        with pytest.raises(ValidationError):  # HR admins and participants have no channel of their own
            chat_channels.set_for_coordinator(tenant, vault, "hr@example.test", mine, "hr", loopback=True)
        db.session.commit()
        assert [w.coordinator_email for w in chat_channels.of_coordinators(tenant)] == [
            "coord@example.test",
            "beta.coord@example.test",
        ]  # setting a new URL replaced the old one
        for _ in range(2):
            digests.queue_week(tenant, MONDAY, "https://flipside.example", failed_jobs=3)
            db.session.commit()
            notify.deliver()
        [to_cora], [to_bea], [to_a] = emulator.to(mine), emulator.to(theirs), emulator.to(shared)
        assert len(emulator.posts) == 3  # once each, nothing to the replaced URL
    cora, bea = json.dumps(to_cora.body, ensure_ascii=False), json.dumps(to_bea.body, ensure_ascii=False)
    assert to_cora.body["text"] == "Flipside 週次ダイジェスト: 2024-W49 週"
    assert "Programme Alpha" in cora and "Programme Beta" not in cora and "Failed jobs" not in cora
    assert to_bea.body["title"] == "Resumo semanal do Flipside: semana 2024-W49"
    assert "Programme Beta" in bea and "Programme Alpha" not in bea
    for text in (cora, bea, json.dumps(to_a.body)):
        assert "Secret Junior" not in text and "Lonely Exec" not in text and "Sam" not in text


def test_hr_sets_a_coordinators_channel_on_the_access_page_and_a_coordinator_cannot(world, client, make_org):
    from plugin.models import ChatWebhook

    tenant, *_ = world
    _as(client, tenant, "coordinator", "coord@example.test")
    form = {"csrf_token": "t", "email": "coord@example.test", "url": SLACK_URL}
    assert client.post("/admin/access/chat", data=form).status_code == 403
    _as(client, tenant, "hr_admin")
    assert (
        client.post("/admin/access/chat", data={**form, "url": "http://127.0.0.1:7320/services/x"}).status_code == 303
    )
    assert client.post("/admin/access/chat", data={**form, "email": "hr@example.test"}).status_code == 303
    db.session.expire_all()
    assert tenant.all(ChatWebhook) == []  # a loopback URL from a form, and an HR admin's email, are refused
    assert client.post("/admin/access/chat", data=form).status_code == 303
    page = client.get("/admin/access").get_data(as_text=True)
    assert "coord@example.test: Slack · hooks.slack.com" in page and "SECRETxyz" not in page
    (row,) = tenant.all(ChatWebhook)
    other = make_org()
    db.session.commit()
    _as(client, other, "hr_admin")
    assert client.post(f"/admin/chat/{row.id}/remove", data={"csrf_token": "t"}).status_code == 404
    _as(client, tenant, "hr_admin")
    removed = client.post(f"/admin/chat/{row.id}/remove", data={"csrf_token": "t"})
    assert removed.status_code == 303 and removed.headers["Location"].endswith("/admin/access#chat")
    db.session.expire_all()
    assert tenant.all(ChatWebhook) == []
