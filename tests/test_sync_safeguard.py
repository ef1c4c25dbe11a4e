"""No invented leavers: rejected or unidentified records never deactivate anyone, and a mass disappearance
waits for HR (the deletion safeguard), after which exactly the approved departures happen."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from plugin.cli import main
from plugin.db import db
from plugin.emulators.bamboohr import BambooHREmulator
from plugin.errors import ValidationError
from plugin.jobs.queue import all_queues
from plugin.models import AuditEvent, Connection, Employee, SyncRun
from plugin.services import safeguard
from plugin.services.sync import sync_connection
from tests.factories import make_bamboohr_connection, make_workforce


@pytest.fixture
def bamboo():
    emu = BambooHREmulator(make_workforce(300)).start()
    yield emu
    emu.stop()


@pytest.fixture
def queues(settings):
    for q in all_queues(settings):
        q.empty()
    yield all_queues(settings)
    for q in all_queues(settings):
        q.empty()


@pytest.fixture
def synced(make_org, vault, bamboo, queues):
    """An organisation with its 300 BambooHR employees stored, and no job queued yet."""
    tenant = make_org()
    conn = make_bamboohr_connection(tenant, vault, bamboo)
    assert sync_connection(tenant, vault, db.engine, conn.id).status == "ok"
    for q in queues:
        q.empty()
    return tenant, conn


def full(tenant, vault, conn):
    return sync_connection(tenant, vault, db.engine, conn.id, full=True)


def active_ids(tenant) -> set[str]:
    tenant.session.expire_all()
    return {e.source_id for e in tenant.all(Employee, Employee.active.is_(True))}


def departure_jobs(queues, tenant) -> list[int]:
    """Employee ids of the departure jobs queued for this organisation."""
    return sorted(
        j.kwargs["employee_id"]
        for q in queues
        for j in q.jobs  # sent by the outbox, with ids by name
        if j.func_name.endswith("handle_departure") and j.kwargs["organisation_id"] == tenant.organisation_id
    )


def test_records_rejected_for_bad_dates_are_not_deactivated(synced, vault, bamboo, queues):
    tenant, conn = synced
    before = active_ids(tenant)
    bad = sorted(before)[:50]
    for source_id in bad:
        bamboo.serve_raw(source_id, hireDate="31/02/2026")
    run = full(tenant, vault, conn)
    assert (run.rejected, run.deactivated, run.status) == (50, 0, "partial")
    assert {r["source_id"] for r in run.rejections} == set(bad)
    assert active_ids(tenant) == before
    assert departure_jobs(queues, tenant) == []


def test_a_record_rejected_without_an_id_makes_the_read_incomplete(synced, vault, bamboo, queues):
    tenant, conn = synced
    before = active_ids(tenant)
    gone = sorted(before)[0]
    bamboo.delete(gone)  # really left, but this read cannot prove who the id-less record was
    bamboo.serve_raw(sorted(before)[1], id="")
    run = full(tenant, vault, conn)
    assert run.deactivated == 0 and "not complete" in run.deactivation_note
    assert active_ids(tenant) == before and departure_jobs(queues, tenant) == []
    assert "not complete" in tenant.get(Connection, conn.id).status_detail


def test_a_complete_read_still_deactivates_who_is_gone(synced, vault, bamboo, queues):
    tenant, conn = synced
    before = active_ids(tenant)
    gone = sorted(before)[:3]  # 1% of 300: under the safeguard
    for source_id in gone:
        bamboo.delete(source_id)
    run = full(tenant, vault, conn)
    assert (run.status, run.deactivated, run.safeguard) == ("ok", 3, "")
    assert active_ids(tenant) == before - set(gone)
    stored = {e.source_id: e.id for e in tenant.all(Employee, Employee.source_id.in_(gone))}
    assert departure_jobs(queues, tenant) == sorted(stored.values())


@pytest.fixture
def held(synced, vault, bamboo, queues):
    """A full sync whose vendor lost 10% of the employees (30 of 300): held for approval."""
    tenant, conn = synced
    before = active_ids(tenant)
    lost = sorted(before)[:30]
    bamboo.lose(lost)
    run = full(tenant, vault, conn)
    return tenant, conn, run, before, lost


def test_losing_ten_percent_holds_the_run_and_nothing_downstream_happens(held, queues):
    tenant, conn, run, before, lost = held
    assert (run.status, run.safeguard, run.deactivated) == ("needs_approval", "held", 0)
    assert sorted(leaver["source_id"] for leaver in run.held_leavers) == sorted(lost)
    assert all(leaver["name"] and leaver["employee_id"] for leaver in run.held_leavers)
    assert active_ids(tenant) == before
    assert departure_jobs(queues, tenant) == []
    assert [q.count for q in queues] == [0, 0, 0]  # no unenrolment, no erasure schedule either
    connection = tenant.get(Connection, conn.id)
    assert connection.status == "warning" and "30 DEPARTURE(S) HELD" in connection.status_detail
    assert tenant.count(AuditEvent, AuditEvent.action == "sync.departures_held") == 1


def test_approving_applies_exactly_the_held_departures_and_is_audited(held, queues):
    tenant, conn, run, before, lost = held
    safeguard.approve(tenant, run.id, "hr@acme.example")
    assert active_ids(tenant) == before - set(lost)
    stored = tenant.session.get(SyncRun, run.id)
    assert (stored.status, stored.safeguard, stored.deactivated, stored.decided_by) == (
        "ok",
        "approved",
        30,
        "hr@acme.example",
    )
    leaver_ids = sorted(e.id for e in tenant.all(Employee, Employee.source_id.in_(lost)))
    assert departure_jobs(queues, tenant) == leaver_ids
    [event] = tenant.all(AuditEvent, AuditEvent.action == "sync.departures_approved")
    assert (event.actor, event.subject_id, event.detail["count"]) == ("hr@acme.example", str(run.id), 30)
    with pytest.raises(ValidationError):
        safeguard.approve(tenant, run.id, "hr@acme.example")  # decided once
    assert departure_jobs(queues, tenant) == leaver_ids


def test_rejecting_applies_no_departure_and_is_audited(held, queues):
    tenant, conn, run, before, lost = held
    safeguard.reject(tenant, run.id, "hr@acme.example")
    assert active_ids(tenant) == before
    stored = tenant.session.get(SyncRun, run.id)
    assert (stored.status, stored.safeguard, stored.deactivated) == ("ok", "rejected", 0)
    assert departure_jobs(queues, tenant) == []
    [event] = tenant.all(AuditEvent, AuditEvent.action == "sync.departures_rejected")
    assert event.detail["count"] == 30 and sorted(event.detail["source_ids"]) == sorted(lost)
    with pytest.raises(ValidationError):
        safeguard.approve(tenant, run.id, "hr@acme.example")


def test_another_organisation_cannot_decide_the_run(held, make_org):
    _, _, run, _, _ = held
    from plugin.errors import NotFound

    with pytest.raises(NotFound):
        safeguard.approve(make_org(), run.id, "intruder")


def test_the_threshold_is_per_connection(make_org, vault, bamboo, queues):
    tenant = make_org()
    conn = make_bamboohr_connection(tenant, vault, bamboo, deletion_safeguard={"percent": 20, "count": 250})
    sync_connection(tenant, vault, db.engine, conn.id)
    lost = sorted(active_ids(tenant))[:30]
    bamboo.lose(lost)
    run = full(tenant, vault, conn)
    assert (run.status, run.deactivated) == ("ok", 30)
    assert not active_ids(tenant) & set(lost)


@pytest.mark.parametrize("setting", [{"percent": "lots"}, {"percent": "nan"}, {"count": -1}, "off"])
def test_a_malformed_threshold_fails_the_run_and_deactivates_nobody(make_org, vault, bamboo, setting):
    tenant = make_org()
    with pytest.raises(ValidationError, match="deletion_safeguard"):  # refused when saved
        make_bamboohr_connection(tenant, vault, bamboo, deletion_safeguard=setting)
    tenant.session.rollback()
    conn = make_bamboohr_connection(tenant, vault, bamboo)
    conn.settings = {**conn.settings, "deletion_safeguard": setting}  # one stored before settings were checked
    tenant.session.commit()
    sync_connection(tenant, vault, db.engine, conn.id)
    before = active_ids(tenant)
    bamboo.lose(sorted(before)[:1])
    run = full(tenant, vault, conn)
    assert run.status == "failed" and "deletion_safeguard" in run.error
    assert active_ids(tenant) == before


def _cli(settings, *args):
    env = {
        "DATABASE_URL": settings.database_url,
        "FLIPSIDE_INSTANCE_PATH": settings.instance_path,
        "FLIPSIDE_QUEUE_PREFIX": settings.queue_prefix,
        "REDIS_URL": settings.redis_url,
    }
    return CliRunner().invoke(main, list(args), env=env, terminal_width=200)


def test_the_cli_approves_and_rejects_held_runs(held, settings, queues):
    tenant, conn, run, before, lost = held
    assert _cli(settings, "sync", "reject", "999999").exit_code == 1
    approved = _cli(settings, "sync", "approve", str(run.id))
    assert approved.exit_code == 0, approved.output
    assert "30 departure(s)" in approved.output
    assert active_ids(tenant) == before - set(lost)
    again = _cli(settings, "sync", "reject", str(run.id))
    assert again.exit_code == 1 and "not waiting" in again.output
    [event] = tenant.all(AuditEvent, AuditEvent.action == "sync.departures_approved")
    assert event.actor == "cli"


def _admin(client, tenant):
    from plugin.services import admin_login

    with client.session_transaction() as s:
        s["user"] = admin_login.session_user(tenant.organisation_id)
        s["csrf_token"] = "t"
    return client


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_the_connections_page_shows_the_held_leavers_and_decides(held, client, queues, decision):
    tenant, conn, run, before, lost = held
    admin = _admin(client, tenant)
    page = admin.get("/admin/connections").get_data(as_text=True)
    assert f'data-held-run="{run.id}"' in page and f"{len(lost)} people would leave" in page
    assert all(f"({source_id})" in page for source_id in lost)
    assert admin.post(f"/admin/sync-runs/{run.id}/{decision}", data={}).status_code in (400, 403)  # no CSRF
    assert active_ids(tenant) == before
    answer = admin.post(f"/admin/sync-runs/{run.id}/{decision}", data={"csrf_token": "t"})
    assert answer.status_code == 303
    expected = before - set(lost) if decision == "approve" else before
    assert active_ids(tenant) == expected
    assert len(departure_jobs(queues, tenant)) == (len(lost) if decision == "approve" else 0)
    assert "data-held-run" not in admin.get("/admin/connections").get_data(as_text=True)
    action = "sync.departures_approved" if decision == "approve" else "sync.departures_rejected"
    assert tenant.count(AuditEvent, AuditEvent.action == action, AuditEvent.actor == "admin") == 1
