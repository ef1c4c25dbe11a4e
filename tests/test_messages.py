"""The message outbox over a real loopback SMTP server: stored with its event, sent once, retried, kept failed."""

from dataclasses import replace
from datetime import UTC, timedelta

import pytest
from sqlalchemy import update

from plugin.db import db
from plugin.jobs import notify
from plugin.models import OutboundMessage, utcnow
from plugin.services import messages
from tests.factories import make_person
from tests.smtp_server import LoopbackSmtp, one, stored_messages


@pytest.fixture
def smtp_server(app):
    with LoopbackSmtp() as server:
        app.config["FLIPSIDE"] = replace(
            app.config["FLIPSIDE"], smtp_url=server.url, mail_from="Flipside <programme@example.org>"
        )
        yield server


def aware(moment):
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite gives stored times back naive


def make_due(criterion, **values):
    """Let time pass for some messages (a job's session is its own, so tests write the rows directly)."""
    db.session.execute(update(OutboundMessage).where(criterion).values(**values).execution_options(all_tenants=True))
    db.session.commit()


def write(tenant, person, key="nudge-1", category="nudge"):
    return messages.queue_email(
        tenant,
        key,
        category,
        person,
        f"Subject {person.first_name}",
        f"Plain for {person.first_name}",
        f"<p>HTML for {person.first_name}</p>",
        "en",
    )


def test_a_message_written_with_its_event_is_delivered_once_as_multipart(make_org, smtp_server):
    tenant = make_org()
    ada = make_person(tenant, 1)
    row = write(tenant, ada)
    db.session.commit()
    assert notify.deliver() == {"sent": 1, "retry": 0, "failed": 0, "recovered": 0}
    assert notify.deliver() == {"sent": 0, "retry": 0, "failed": 0, "recovered": 0}
    [mail] = smtp_server.inbox.to("ada1@example.com")
    assert mail["Message-ID"] == row.message_id and mail["From"] == "Flipside <programme@example.org>"
    assert mail.get_content_type() == "multipart/alternative"
    plain, html = mail.iter_parts()
    assert plain.get_content().strip() == "Plain for Ada1" and "<p>HTML for Ada1</p>" in html.get_content()
    stored = one(row.id)
    assert stored.state == "sent" and stored.sent_at is not None and stored.attempts == 1


def test_a_rolled_back_event_sends_nothing_and_asking_twice_asks_once(make_org, smtp_server):
    tenant = make_org()
    ada = make_person(tenant, 1)
    db.session.commit()
    write(tenant, ada, key="nudge-rolled-back")
    db.session.rollback()
    first, again = write(tenant, ada, key="nudge-2"), write(tenant, ada, key="nudge-2")
    db.session.commit()
    assert first.id == again.id
    notify.deliver()
    assert [m["Subject"] for m in smtp_server.inbox.received] == ["Subject Ada1"]
    assert stored_messages().count() == 1


def test_a_transient_4xx_waits_with_backoff_then_is_sent_once(make_org, smtp_server):
    tenant = make_org()
    row = write(tenant, make_person(tenant, 1))
    db.session.commit()
    smtp_server.inbox.refuse["ada1@example.com"] = "451 4.3.0 Mailbox busy, try later"
    assert notify.deliver()["retry"] == 1
    stored = one(row.id)
    assert stored.state == "queued" and "451" in stored.last_error and aware(stored.next_attempt_at) > utcnow()
    assert notify.deliver()["sent"] == 0  # not due yet
    del smtp_server.inbox.refuse["ada1@example.com"]
    make_due(OutboundMessage.id == row.id, next_attempt_at=utcnow() - timedelta(seconds=1))
    assert notify.deliver()["sent"] == 1
    assert len(smtp_server.inbox.to("ada1@example.com")) == 1
    assert one(row.id).attempts == 2


def test_a_permanent_5xx_is_kept_with_its_reason_and_not_retried(make_org, smtp_server):
    tenant = make_org()
    gone, ada = make_person(tenant, 1), make_person(tenant, 2)
    lost, kept = write(tenant, gone), write(tenant, ada)
    db.session.commit()
    smtp_server.inbox.refuse["ada1@example.com"] = "550 5.1.1 No such user"
    assert notify.deliver() == {"sent": 1, "retry": 0, "failed": 1, "recovered": 0}
    failed = one(lost.id)
    assert failed.state == "failed" and "550 5.1.1 No such user" in failed.last_error
    assert one(kept.id).state == "sent"
    failed_again = notify.deliver()
    assert failed_again["sent"] == 0 and smtp_server.inbox.to("ada1@example.com") == []


def test_someone_without_an_email_address_is_kept_failed_not_dropped(make_org, smtp_server):
    tenant = make_org()
    row = write(tenant, make_person(tenant, 1, work_email=None))
    db.session.commit()
    assert notify.deliver()["sent"] == 0
    assert one(row.id).last_error == "no work email address on record"


def test_a_batch_reuses_one_smtp_connection(make_org, smtp_server):
    tenant = make_org()
    for n in range(40):
        write(tenant, make_person(tenant, n))
    db.session.commit()
    assert notify.deliver()["sent"] == 40
    assert len(smtp_server.inbox.received) == 40 and smtp_server.inbox.connections == 1


def test_a_server_that_is_down_leaves_every_message_waiting(make_org, app):
    tenant = make_org()
    row = write(tenant, make_person(tenant, 1))
    db.session.commit()
    app.config["FLIPSIDE"] = replace(app.config["FLIPSIDE"], smtp_url="smtp://127.0.0.1:1")
    assert notify.deliver() == {"sent": 0, "retry": 1, "failed": 0, "recovered": 0}
    stored = one(row.id)
    assert stored.state == "queued" and "unreachable" in stored.last_error


def test_a_batch_a_killed_worker_held_is_sent_once_when_its_lease_runs_out(make_org, smtp_server):
    tenant = make_org()
    for n in range(5):
        write(tenant, make_person(tenant, n))
    db.session.commit()
    held = messages.claim(db.session, 3)  # a worker leased three and died before sending
    assert notify.deliver()["sent"] == 2  # the others go; the leased ones wait for their lease
    make_due(OutboundMessage.id.in_([row.id for row in held]), lease_until=utcnow() - timedelta(seconds=1))
    assert notify.deliver()["sent"] == 3
    addresses = sorted(m["To"] for m in smtp_server.inbox.received)
    assert addresses == sorted(f"ada{n}@example.com" for n in range(5))


def test_a_bad_smtp_url_is_a_clear_error():
    from plugin.connectors import smtp
    from plugin.errors import ConfigError

    for url in ("http://mail.example.com", "smtp://", "smtp://host:notaport"):
        with pytest.raises(ConfigError):
            smtp.parse_url(url)
    server = smtp.parse_url("smtps://me%40corp:p%3Ass@mail.example.com")
    assert (server.port, server.tls, server.username, server.password) == (465, "implicit", "me@corp", "p:ss")
    assert smtp.parse_url("smtp://u:p@mail.example.com").port == 587


def test_a_long_japanese_subject_and_long_bodies_arrive_intact_within_smtp_line_limits(make_org, smtp_server):
    tenant = make_org()
    person = make_person(tenant, 1)
    subject = "あなたのパートナー、ベアトリス・リマさんとの最初のセッション " * 8
    text, html = "é" * 3000, "<p>" + "x" * 3000 + "</p>"  # one long line each: SMTP allows 998 per line
    messages.queue_email(tenant, "long-1", "nudge", person, subject, text, html, "ja")
    db.session.commit()
    assert notify.deliver()["sent"] == 1
    [mail] = smtp_server.inbox.received
    assert str(mail["Subject"]) == subject and mail["Content-Language"] == "ja"
    assert mail.get_body(("plain",)).get_content() == text and mail.get_body(("html",)).get_content() == html
    assert str(mail["List-Unsubscribe"]).startswith("<http")  # not folded before its first link
