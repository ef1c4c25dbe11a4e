"""Acceptance marks: what the SMTP server accepted is marked in Redis at once and stamped `sent` in batches.

A worker that dies between the server's acceptance and its batch commit must not send those messages again;
the marks expire on their own and go as soon as the database has the stamp.
"""

from collections import Counter
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import update

from plugin.db import db
from plugin.jobs import acceptances, notify
from plugin.jobs.connection import redis_connection
from plugin.jobs.queue import get_queue
from plugin.models import OutboundMessage, utcnow
from plugin.services import messages
from tests.factories import make_person
from tests.smtp_server import LoopbackSmtp, one, stored_messages


class WorkerDied(BaseException):
    """A SIGKILL at the batch commit: nothing after it runs, no `except Exception` sees it."""


@pytest.fixture
def smtp_server(app):
    with LoopbackSmtp() as server:
        app.config["FLIPSIDE"] = replace(app.config["FLIPSIDE"], smtp_url=server.url)
        yield server


def write(tenant, count, *, subject="Your partner"):
    rows = [
        messages.queue_email(
            tenant, f"pair-{n}", "pairing", make_person(tenant, n), subject, "Hello", "<p>Hi</p>", "en"
        )
        for n in range(count)
    ]
    db.session.commit()
    return rows


def let_leases_run_out():
    db.session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.state == "sending")
        .values(lease_until=utcnow() - timedelta(seconds=1))
        .execution_options(all_tenants=True)
    )
    db.session.commit()


def marks_of(app, rows):
    settings = app.config["FLIPSIDE"]
    return acceptances.Acceptances(settings, redis_connection(settings)).marked([r.message_id for r in rows])


def test_a_worker_killed_after_the_accept_but_before_the_batch_commit_sends_nothing_again(
    make_org, app, smtp_server, monkeypatch
):
    rows = write(make_org(), 12)

    def die(session, accepted):
        raise WorkerDied

    with monkeypatch.context() as m:
        m.setattr(messages, "delivered_together", die)
        with pytest.raises(WorkerDied):
            notify.deliver()
    db.session.rollback()
    first = len(smtp_server.inbox.received)
    assert first >= 1  # the server accepted these before the worker died at its first batch commit
    assert stored_messages().filter_by(state="sent").count() == 0  # and the database never heard
    assert len(marks_of(app, rows)) == first  # but Redis did, for each of them

    let_leases_run_out()  # as time would after the lease; the replacement leases the rows again
    counts = notify.deliver()

    assert counts["recovered"] == first and counts["sent"] == 12 - first
    got = Counter(m["To"] for m in smtp_server.inbox.received)
    assert got == Counter({f"ada{n}@example.com": 1 for n in range(12)})  # nobody twice, nobody missing
    assert stored_messages().filter_by(state="sent").count() == 12
    assert marks_of(app, rows) == {}  # stamped, so the marks are gone


def test_a_recovered_message_keeps_the_moment_the_server_accepted_it(make_org, app, smtp_server, monkeypatch):
    (row,) = write(make_org(), 1)
    with monkeypatch.context() as m:
        m.setattr(messages, "delivered_together", lambda session, accepted: (_ for _ in ()).throw(WorkerDied()))
        with pytest.raises(WorkerDied):
            notify.deliver()
    db.session.rollback()
    accepted_at = marks_of(app, [row])[row.message_id]
    let_leases_run_out()
    assert notify.deliver()["recovered"] == 1
    sent_at = one(row.id).sent_at
    assert abs(sent_at.replace(tzinfo=None) - accepted_at.replace(tzinfo=None)) < timedelta(seconds=1)


def test_marks_expire_on_their_own_long_after_any_lease(make_org, app, smtp_server, monkeypatch):
    (row,) = write(make_org(), 1)
    with monkeypatch.context() as m:
        m.setattr(messages, "delivered_together", lambda session, accepted: (_ for _ in ()).throw(WorkerDied()))
        with pytest.raises(WorkerDied):
            notify.deliver()
    db.session.rollback()
    settings = app.config["FLIPSIDE"]
    marks = acceptances.Acceptances(settings, redis_connection(settings))
    ttl = redis_connection(settings).ttl(marks.key(row.message_id))
    assert settings.message_lease_s * 10 < ttl <= acceptances.KEEP_S  # outlives the lease, but not forever
    let_leases_run_out()
    notify.deliver()
    assert redis_connection(settings).exists(marks.key(row.message_id)) == 0


def test_a_mark_written_by_someone_else_counts_as_accepted_and_is_not_resent(make_org, app, smtp_server):
    (row,) = write(make_org(), 1)
    settings = app.config["FLIPSIDE"]
    marks = acceptances.Acceptances(settings, redis_connection(settings))
    redis_connection(settings).set(marks.key(row.message_id), b"not a time", ex=60)  # garbage, as a broken peer
    assert notify.deliver()["recovered"] == 1
    assert smtp_server.inbox.received == [] and one(row.id).state == "sent"


def test_a_planted_line_break_in_a_header_fails_that_message_alone(make_org, smtp_server):
    tenant = make_org()
    good = write(tenant, 2)
    bad = messages.queue_email(
        tenant, "pair-x", "pairing", make_person(tenant, 9), "Hi\r\nBcc: victim@example.net", "t", "<p>h</p>", "en"
    )
    db.session.commit()
    counts = notify.deliver()
    assert counts["sent"] == 2 and counts["failed"] == 1
    assert "line break" in one(bad.id).last_error and one(bad.id).state == "failed"
    received = smtp_server.inbox.received
    assert sorted(m["To"] for m in received) == sorted(r.address for r in good)
    assert all(m["Bcc"] is None for m in received)


def test_a_batch_sends_nothing_in_the_last_part_of_its_lease(make_org, app, smtp_server):
    rows = write(make_org(), 3)
    normal = app.config["FLIPSIDE"]
    app.config["FLIPSIDE"] = replace(normal, message_lease_s=0.001)  # over before the first send could start
    assert notify.deliver()["sent"] == 0
    assert smtp_server.inbox.received == [] and {one(r.id).state for r in rows} == {"sending"}
    app.config["FLIPSIDE"] = normal
    let_leases_run_out()
    assert notify.deliver()["sent"] == 3 and len(smtp_server.inbox.received) == 3


def test_a_long_run_stamps_in_batches_and_reuses_one_connection_per_batch(make_org, app, smtp_server):
    high = get_queue(app.config["FLIPSIDE"], "high")
    high.empty()
    write(make_org(), 230)
    assert notify.deliver()["sent"] == 230
    # a full batch asked for one helper, so a second worker would have shared the run
    assert [j for j in high.job_ids if j.endswith("messages-helper")] != []
    got = Counter(m["To"] for m in smtp_server.inbox.received)
    assert len(got) == 230 and set(got.values()) == {1}
    assert smtp_server.inbox.connections == 3  # batches of 100, 100, 30
