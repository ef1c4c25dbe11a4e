"""The sync service against the loopback BambooHR and Workday: stored rows, runs, cursors, events."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from plugin.db import db
from plugin.emulators.bamboohr import BambooHREmulator
from plugin.emulators.state import WallClock
from plugin.emulators.workday import WorkdayEmulator
from plugin.models import AuditEvent, Connection, Employee, OutboxMessage, SyncRun
from plugin.services import events, roster
from plugin.services.sync import cursor_of, sync_connection
from tests.factories import make_bamboohr_connection, make_employee, make_workday_connection, make_workforce
from tests.sync_helpers import BAMBOO_FIELDS, WORKDAY_FIELDS, differences


@pytest.fixture
def bamboo():
    emu = BambooHREmulator(make_workforce(300)).start()
    yield emu
    emu.stop()


@pytest.fixture
def terminated():
    """Every committed employee.terminated event, as (organisation_id, ids), read from the outbox."""
    subscription = events.subscribe(
        events.EMPLOYEE_TERMINATED,
        "tests.job_functions:noted",
        key="noted-{organisation_id}-{employee_id}",
        ids=("employee_id", "source_id", "connection_id"),
    )

    def committed():
        with db.engine.connect() as conn:  # a connection of its own sees only what was committed
            rows = conn.execute(
                select(OutboxMessage.kwargs)
                .where(OutboxMessage.target == subscription.target)
                .order_by(OutboxMessage.id)
            ).scalars()
            return [(ids.pop("organisation_id"), ids) for ids in rows]

    yield committed
    events.unsubscribe(events.EMPLOYEE_TERMINATED, subscription)


def run(tenant, vault, conn, **kw):
    return sync_connection(tenant, vault, db.engine, conn.id, **kw)


def test_first_sync_is_full_and_stores_exactly_the_vendor_data(make_org, vault, bamboo):
    tenant = make_org()
    conn = make_bamboohr_connection(tenant, vault, bamboo)
    result = run(tenant, vault, conn)
    assert (result.kind, result.status, result.inserted, result.rejected) == ("full", "ok", 300, 0)
    assert differences(tenant, bamboo, BAMBOO_FIELDS) == {}
    assert cursor_of(tenant, conn.id) is not None
    boss = tenant.session.scalar(tenant.select(Employee, Employee.source_id == "1"))
    report = tenant.session.scalar(tenant.select(Employee, Employee.source_id == "2"))
    assert report.manager_id == boss.id
    assert tenant.get(Connection, conn.id).status == "connected"


def test_unchanged_employees_are_not_rewritten(make_org, vault, bamboo):
    tenant = make_org()
    conn = make_bamboohr_connection(tenant, vault, bamboo)
    run(tenant, vault, conn)
    stamps = {e.source_id: e.updated_at for e in tenant.all(Employee)}
    again = run(tenant, vault, conn, full=True)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 300)
    tenant.session.expire_all()
    after = {e.source_id: e.updated_at for e in tenant.all(Employee)}
    assert after == stamps


def test_incremental_sync_applies_changes_and_announces_terminations(make_org, vault, bamboo, terminated):
    tenant = make_org()
    conn = make_bamboohr_connection(tenant, vault, bamboo)
    run(tenant, vault, conn)
    active_before = {e.source_id for e in tenant.all(Employee, Employee.active.is_(True))}
    leaver = next(i for i in ("12", "13", "14", "15") if i in active_before)
    bamboo.update("7", job_title="Staff Engineer")
    bamboo.terminate(leaver, on=date(2026, 1, 9))
    bamboo.hire(make_employee("bamboohr", 301, first_name="Nia"))
    bamboo.delete("9")
    requests_before = len(bamboo.requests)
    result = run(tenant, vault, conn)
    assert result.kind == "incremental"
    assert (result.inserted, result.updated) == (1, 2)
    assert result.deactivated == (2 if "9" in active_before else 1)
    assert differences(tenant, bamboo, BAMBOO_FIELDS) == {}
    gone = tenant.session.scalar(tenant.select(Employee, Employee.source_id == "9"))
    assert gone.deleted and not gone.active
    leaving = tenant.session.scalar(tenant.select(Employee, Employee.source_id == leaver))
    assert not leaving.active
    assert (
        tenant.organisation_id,
        {"employee_id": leaving.id, "source_id": leaver, "connection_id": conn.id},
    ) in terminated()
    # the incremental read asked only for what changed, not for everyone
    report_calls = [r for r in bamboo.requests[requests_before:] if r.path.endswith("/reports/custom")]
    assert len(report_calls) == 1 and b'"employeeIds"' in report_calls[0].body
    assert run(tenant, vault, conn).inserted == 0


def test_unreadable_mapped_field_makes_the_sync_partial_and_says_so(make_org, vault):
    emu = BambooHREmulator(make_workforce(40), restricted_fields={"workEmail"}).start()
    try:
        tenant = make_org()
        conn = make_bamboohr_connection(tenant, vault, emu)
        result = run(tenant, vault, conn)
    finally:
        emu.stop()
    assert result.status == "partial"
    assert result.unreadable_fields == ["work_email (workEmail)"]
    stored = tenant.get(Connection, conn.id)
    assert stored.status == "warning" and "COULD NOT READ work_email" in stored.status_detail
    assert tenant.count(Employee) == 40


def test_an_email_a_stored_employee_has_is_rejected_and_the_rest_sync(make_org, vault, bamboo):
    tenant = make_org()
    roster.upsert_employees(tenant, [make_employee("workday", 1, work_email="ada5@example.com")])
    tenant.session.commit()
    conn = make_bamboohr_connection(tenant, vault, bamboo)
    result = run(tenant, vault, conn)
    assert result.status == "partial"
    assert result.rejected == 1 and result.inserted == 299
    assert result.rejections == [{"source_id": "5", "reason": "work email is already used by stored employee w1"}]
    assert tenant.count(Employee, Employee.source_id == "5") == 0


def test_duplicate_emails_within_one_read_are_rejected_one_by_one(make_org, vault):
    people = make_workforce(20)
    people[4] = make_employee("bamboohr", 5, work_email="ada4@example.com")
    emu = BambooHREmulator(people).start()
    try:
        tenant = make_org()
        result = run(tenant, vault, make_bamboohr_connection(tenant, vault, emu))
    finally:
        emu.stop()
    assert (result.inserted, result.rejected) == (19, 1)
    assert result.rejections[0]["source_id"] == "5"
    assert "also used by employee 4" in result.rejections[0]["reason"]


def test_broken_reporting_lines_are_reported_not_fatal(make_org, vault):
    people = make_workforce(30)
    people[14] = make_employee("bamboohr", 15, manager_source_id="999")
    emu = BambooHREmulator(people).start()
    try:
        tenant = make_org()
        result = run(tenant, vault, make_bamboohr_connection(tenant, vault, emu))
    finally:
        emu.stop()
    assert result.inserted == 30
    assert any("'15' reports to '999'" in p for p in result.tree_problems)


def test_workday_full_then_incremental_sync(make_org, vault):
    emu = WorkdayEmulator(make_workforce(120, "workday"), clock=WallClock()).start()
    try:
        tenant = make_org()
        conn = make_workday_connection(tenant, vault, emu)
        assert run(tenant, vault, conn).inserted == 120
        emu.update("w7", job_title="Principal")
        emu.terminate("w3", on=date(2026, 1, 9))
        result = run(tenant, vault, conn)
        assert differences(tenant, emu, WORKDAY_FIELDS) == {}
    finally:
        emu.stop()
    assert (result.kind, result.updated, result.unchanged, result.inserted) == ("incremental", 2, 0, 0)


def test_events_are_recorded_with_their_transaction_and_never_after_rollback(make_org, terminated):
    tenant = make_org()
    events.publish(tenant, events.EMPLOYEE_TERMINATED, employee_id=1, source_id="1", connection_id=5)
    assert terminated() == []
    tenant.session.rollback()
    tenant.session.commit()
    assert terminated() == [] and tenant.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    events.publish(tenant, events.EMPLOYEE_TERMINATED, employee_id=2, source_id="2", connection_id=5)
    tenant.session.commit()
    assert terminated() == [(tenant.organisation_id, {"employee_id": 2, "source_id": "2", "connection_id": 5})]


def test_an_event_lacking_the_ids_a_subscriber_takes_is_refused_before_anything_is_stored(make_org, terminated):
    tenant = make_org()
    with pytest.raises(TypeError, match="source_id"):
        events.publish(tenant, events.EMPLOYEE_TERMINATED, employee_id=3, connection_id=5)
    tenant.session.rollback()
    assert terminated() == []


def test_every_run_is_stored(make_org, vault, bamboo):
    tenant = make_org()
    conn = make_bamboohr_connection(tenant, vault, bamboo)
    run(tenant, vault, conn)
    run(tenant, vault, conn)
    runs = sorted(tenant.all(SyncRun), key=lambda r: r.id)
    assert [(r.kind, r.status) for r in runs] == [("full", "ok"), ("incremental", "ok")]
    assert all(r.finished_at is not None and r.duration_s > 0 for r in runs)
    assert tenant.count(AuditEvent, AuditEvent.action == "sync.finished") == 2
