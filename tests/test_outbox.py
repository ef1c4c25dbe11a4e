"""The transactional outbox: jobs recorded with the change, sent exactly once whenever Redis takes them."""

from __future__ import annotations

import dataclasses
import uuid

import pytest
from click.testing import CliRunner
from rq.job import Job

from plugin import create_app
from plugin.cli import main
from plugin.db import db
from plugin.errors import ValidationError
from plugin.jobs import relay
from plugin.jobs.queue import all_queues, get_queue, prefixed_job_id
from plugin.models import Employee, OutboxMessage, utcnow
from plugin.services import events, outbox
from plugin.services.tenant import Tenant
from tests.factories import make_person
from tests.tcp_proxy import CuttableProxy


@pytest.fixture
def settings(settings):
    """Queues of this test alone, so what is enqueued can be counted exactly."""
    return dataclasses.replace(settings, queue_prefix=f"{settings.queue_prefix}o{uuid.uuid4().hex[:6]}")


@pytest.fixture
def proxy(app, settings):
    """Redis behind a proxy the test can cut: the app's own Redis, reached through it."""
    connection = get_queue(settings).connection.connection_pool.connection_kwargs
    upstream = connection.get("path") or (connection["host"], connection["port"])
    cuttable = CuttableProxy(upstream, connection.get("db", 0))
    yield cuttable
    cuttable.close()


def _queued(settings) -> list[tuple[str, str, dict]]:
    return sorted((job.id, job.func_name, job.kwargs) for q in all_queues(settings) for job in q.jobs)


def _waiting(session) -> list[OutboxMessage]:
    session.expire_all()
    return list(session.query(OutboxMessage).filter(OutboxMessage.sent_at.is_(None)).order_by(OutboxMessage.id))


def test_a_termination_committed_while_redis_refuses_reaches_the_queue_once_redis_is_back(
    app, settings, proxy, make_org
):
    tenant = make_org()
    leaver = make_person(tenant, 7)
    tenant.session.commit()
    proxy.cut()
    outage = create_app(dataclasses.replace(settings, redis_url=proxy.url))
    with outage.app_context():  # the process that stores the termination cannot reach Redis
        session = db.session
        there = Tenant(session, tenant.organisation_id)
        there.get(Employee, leaver.id).active = False
        events.publish(there, events.EMPLOYEE_TERMINATED, employee_id=leaver.id, source_id="7", connection_id=1)
        session.commit()  # succeeds: the change is stored and its jobs wait in the outbox
        assert relay.relay_quietly(outage.config["FLIPSIDE"], db.engine) == 0
    waiting = _waiting(tenant.session)
    assert not tenant.get(Employee, leaver.id).active
    ids = {"organisation_id": tenant.organisation_id, "employee_id": leaver.id}
    assert [(m.target, m.kwargs) for m in waiting] == [
        ("plugin.jobs.departures:handle_departure", ids),
        ("plugin.jobs.erasure:schedule_erasure", ids),
    ]
    assert _queued(settings) == []

    proxy.restore()
    assert relay.relay(settings, db.engine) == 2
    assert relay.relay(settings, db.engine) == 0  # nothing is sent twice
    org = tenant.organisation_id
    assert _queued(settings) == [
        (
            prefixed_job_id(settings, f"departure-{org}-{leaver.id}-{waiting[0].id}"),
            "plugin.jobs.departures.handle_departure",
            {"organisation_id": org, "employee_id": leaver.id},
        ),
        (
            prefixed_job_id(settings, f"erasure-schedule-{org}-{leaver.id}-{waiting[1].id}"),
            "plugin.jobs.erasure.schedule_erasure",
            {"organisation_id": org, "employee_id": leaver.id},
        ),
    ]
    assert _waiting(tenant.session) == []


def test_a_relay_that_died_before_stamping_a_row_does_not_enqueue_it_again(app, settings, make_org):
    tenant = make_org()
    outbox.later(
        tenant.session, "tests.job_functions:noted", key="once", organisation_id=tenant.organisation_id, pair_id=3
    )
    tenant.session.commit()  # the commit's own relay sends it
    (row,) = tenant.all(OutboxMessage)
    assert row.sent_at is not None
    row.sent_at = None  # as if the relay had enqueued and then died before its commit
    tenant.session.commit()
    assert relay.relay(settings, db.engine) == 1
    job_id = prefixed_job_id(settings, f"once-{row.id}")
    assert [j.id for q in all_queues(settings) for j in q.jobs] == [job_id]
    assert Job.fetch(job_id, connection=get_queue(settings).connection).kwargs == {
        "organisation_id": tenant.organisation_id,
        "pair_id": 3,
    }


def test_a_rollback_forgets_the_job_with_the_change(app, settings, make_org):
    tenant = make_org()
    make_person(tenant, 8)
    outbox.later(tenant.session, "tests.job_functions:noted", key="forgotten", organisation_id=tenant.organisation_id)
    tenant.session.rollback()
    tenant.session.commit()
    assert tenant.all(OutboxMessage) == [] and _queued(settings) == []


def test_asking_twice_before_the_relay_sends_asks_once(app, settings, proxy, make_org):
    tenant = make_org()
    proxy.cut()
    outage = create_app(dataclasses.replace(settings, redis_url=proxy.url))
    with outage.app_context():
        for _ in range(2):
            events.publish(
                Tenant(db.session, tenant.organisation_id),
                events.EMPLOYEE_TERMINATED,
                employee_id=5,
                source_id="5",
                connection_id=1,
            )
            db.session.commit()
    assert [m.key for m in _waiting(tenant.session)] == [
        f"departure-{tenant.organisation_id}-5",
        f"erasure-schedule-{tenant.organisation_id}-5",
    ]


def test_one_relay_at_a_time(app, settings, make_org):
    tenant = make_org()
    lock = f"flipside:{settings.queue_prefix}:relay-lock"
    get_queue(settings).connection.set(lock, "another relay", ex=30)
    try:
        outbox.later(tenant.session, "tests.job_functions:noted", key="later", organisation_id=tenant.organisation_id)
        tenant.session.commit()
        assert relay.relay(settings, db.engine) == 0 and len(_waiting(tenant.session)) == 1
    finally:
        get_queue(settings).connection.delete(lock)
    assert relay.relay(settings, db.engine) == 1 and len(_queued(settings)) == 1


@pytest.mark.parametrize(
    "target, queue",
    [
        ("os:system", "default"),
        ("plugin.web.admin:bp", "default"),
        ("plugin.jobs.sync", "default"),
        ("plugin.jobs.sync:full_sync()", "default"),
        ("plugin.jobs.sync:full_sync", "urgent"),
    ],
)
def test_a_job_that_is_not_a_function_name_on_a_known_queue_is_refused(app, make_org, target, queue):
    tenant = make_org()
    with pytest.raises(ValidationError):
        outbox.later(tenant.session, target, key="bad", queue=queue)
    tenant.session.rollback()
    assert tenant.all(OutboxMessage) == []


def test_jobs_relay_command_sends_what_waits_and_fails_while_redis_refuses(app, settings, proxy, make_org, monkeypatch):
    tenant = make_org()
    with db.engine.begin() as conn:  # written outside any session: no commit hook has sent it
        conn.execute(
            OutboxMessage.__table__.insert().values(
                organisation_id=tenant.organisation_id,
                key="cli",
                target="tests.job_functions:noted",
                queue="low",
                kwargs={"organisation_id": tenant.organisation_id},
                created_at=utcnow(),
                attempts=0,
                last_error="",
            )
        )
    for name, value in {
        "DATABASE_URL": settings.database_url,
        "FLIPSIDE_INSTANCE_PATH": settings.instance_path,
        "FLIPSIDE_QUEUE_PREFIX": settings.queue_prefix,
        "REDIS_URL": proxy.url,
    }.items():
        monkeypatch.setenv(name, value)
    proxy.cut()
    refused = CliRunner().invoke(main, ["jobs", "relay"])
    assert refused.exit_code == 1 and "sent 0 job(s); 1 waiting" in refused.output
    assert _queued(settings) == []
    proxy.restore()
    sent = CliRunner().invoke(main, ["jobs", "relay"])
    assert sent.exit_code == 0 and "sent 1 job(s); 0 waiting" in sent.output
    assert [(func, kwargs) for _id, func, kwargs in _queued(settings)] == [
        ("tests.job_functions.noted", {"organisation_id": tenant.organisation_id})
    ]


def test_the_workers_sweep_prunes_rows_sent_over_a_week_ago_and_keeps_the_rest(app, settings, proxy, make_org):
    from datetime import timedelta

    from plugin.jobs.maintenance import Maintenance

    tenant = make_org()
    for key in ("old", "recent"):
        outbox.later(tenant.session, "tests.job_functions:noted", key=key, organisation_id=tenant.organisation_id)
    tenant.session.commit()  # both sent by the commit's relay
    old, recent = sorted(tenant.all(OutboxMessage), key=lambda m: m.key != "old")
    old.sent_at = utcnow() - timedelta(days=8)
    recent.sent_at = utcnow() - timedelta(days=6)
    proxy.cut()  # a third one waits for Redis: a waiting row is never pruned, however old
    outage = create_app(dataclasses.replace(settings, redis_url=proxy.url))
    with outage.app_context():
        outbox.later(db.session, "tests.job_functions:noted", key="waiting", organisation_id=tenant.organisation_id)
        db.session.commit()
    tenant.session.execute(
        OutboxMessage.__table__.update()
        .where(OutboxMessage.key == "waiting")
        .values(created_at=utcnow() - timedelta(days=30))
    )
    tenant.session.commit()
    proxy.restore()
    maintenance = Maintenance(settings)
    try:
        maintenance.sweep()
    finally:
        maintenance.engine.dispose()
    tenant.session.expire_all()
    assert sorted(m.key for m in tenant.all(OutboxMessage)) == ["recent", "waiting"]
