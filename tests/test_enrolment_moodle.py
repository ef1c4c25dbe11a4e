"""Enrolling pairs into a Moodle course and groups through jobs, against the loopback Moodle emulator."""

from __future__ import annotations

import time

import pytest
from rq.job import Job, JobStatus
from rq.registry import ScheduledJobRegistry
from sqlalchemy import select

from plugin.emulators.moodle_functions import new_course
from plugin.jobs.departures import handle_departure
from plugin.jobs.queue import get_queue
from plugin.models import Connection, OutboxMessage, Pair, PairEnrolment, Receipt
from plugin.services.enrolment import enqueue_enrolments
from tests.factories import make_programme_with_pairs
from tests.lms_fixtures import STUDENT_ROLE, moodle_connection, work

WRITES = (
    "core_user_create_users",
    "enrol_manual_enrol_users",
    "core_group_create_groups",
    "core_group_add_group_members",
)


@pytest.fixture(autouse=True)
def _clean_queue(app, settings):
    yield
    get_queue(settings).empty()
    registry = ScheduledJobRegistry(queue=get_queue(settings))
    for job_id in registry.get_job_ids():
        registry.remove(job_id)


def _setup(make_org, vault, emulator, pairs=3, course=None, **conn_settings):
    tenant = make_org()
    conn = moodle_connection(tenant, vault, emulator.url, **conn_settings)
    _, ids = make_programme_with_pairs(tenant, pairs=pairs, connection_id=conn.id, course=course or emulator.course)
    return tenant, conn, ids


def _asked(tenant, key):
    """The id of the outbox row that asked for the job `key`."""
    return tenant.session.scalar(select(OutboxMessage.id).where(OutboxMessage.key == key))


def _states(tenant):
    tenant.session.expire_all()
    return {r.pair_id: r for r in tenant.all(PairEnrolment)}


def test_pairs_are_enrolled_grouped_once_with_the_sites_own_role_id(settings, make_org, vault, moodle_emulator):
    tenant, conn, ids = _setup(make_org, vault, moodle_emulator)
    enqueue_enrolments(tenant, settings, ids)
    work(settings)

    site, course = moodle_emulator.site, int(moodle_emulator.course)
    states = _states(tenant)
    assert {s.status for s in states.values()} == {"enrolled"}
    in_course = {uid: row for (cid, uid), row in site.enrolments.items() if cid == course}
    assert len(in_course) == 6 and all(row["roles"] == [STUDENT_ROLE] for row in in_course.values())
    groups = [g for g in site.groups.values() if g["courseid"] == course]
    assert sorted(g["idnumber"] for g in groups) == sorted(
        f"flipside-{tenant.organisation_id}-pair-{pid}" for pid in ids
    )
    assert all(sum(1 for m in site.members if m[0] == g["id"]) == 2 for g in groups)
    assert {states[pid].group_ref for pid in ids} == {str(g["id"]) for g in groups}
    conn = tenant.get(Connection, conn.id)
    assert conn.settings["role_ids"]["student"] == STUDENT_ROLE  # discovered once, kept for the site
    assert tenant.count(Receipt, Receipt.state == "done") == 6 + 6 + 1 + 3 + 6


def test_enrolling_again_writes_nothing(settings, make_org, vault, moodle_emulator):
    tenant, _, ids = _setup(make_org, vault, moodle_emulator)
    enqueue_enrolments(tenant, settings, ids)
    work(settings)
    writes = {f: moodle_emulator.site.calls[f] for f in WRITES}
    enqueue_enrolments(tenant, settings, ids)
    work(settings)
    assert {f: moodle_emulator.site.calls[f] for f in WRITES} == writes
    assert sum(moodle_emulator.site.duplicates.values()) == 0
    assert {s.status for s in _states(tenant).values()} == {"enrolled"}


def test_existing_moodle_account_is_reused_not_duplicated(settings, make_org, vault, moodle_emulator):
    tenant, _, ids = _setup(make_org, vault, moodle_emulator, pairs=1)
    mentor_email = tenant.get(Pair, ids[0]).mentor_employee_id
    from plugin.models import Employee

    email = tenant.get(Employee, mentor_email).work_email
    existing = moodle_emulator.site.create_user(
        {"username": "sso.user", "firstname": "A", "lastname": "B", "email": email, "auth": "saml2"}, 0
    )
    enqueue_enrolments(tenant, settings, ids)
    work(settings)
    assert moodle_emulator.site.calls["core_user_create_users"] == 1  # only the executive was created
    assert (int(moodle_emulator.course), existing["id"]) in moodle_emulator.site.enrolments


def test_new_accounts_use_the_configured_auth_method(settings, make_org, vault, moodle_emulator):
    tenant, _, ids = _setup(make_org, vault, moodle_emulator, pairs=1, user_auth="saml2")
    enqueue_enrolments(tenant, settings, ids)
    work(settings)
    created = [u for u in moodle_emulator.site.users.values() if u["email"].endswith("@example.test")]
    assert len(created) == 2 and {u["auth"] for u in created} == {"saml2"}


def test_invalid_token_needs_reconnect_and_is_not_retried(settings, make_org, vault, moodle_emulator):
    tenant, conn, ids = _setup(make_org, vault, moodle_emulator, pairs=1)
    moodle_emulator.site.tokens.clear()
    job_id = enqueue_enrolments(tenant, settings, ids)[0]
    work(settings)
    state = _states(tenant)[ids[0]]
    assert state.status == "needs_reconnect" and "invalidtoken" in state.detail
    conn = tenant.get(Connection, conn.id)
    assert conn.status == "needs_reconnect"
    job = Job.fetch(job_id, connection=get_queue(settings).connection)
    assert job.get_status() == JobStatus.FAILED and job.retries_left == 0
    assert tenant.count(Receipt, Receipt.state == "done") == 0


def test_invalid_parameter_is_fatal_and_names_the_request(settings, make_org, vault, moodle_emulator):
    tenant, _, ids = _setup(
        make_org, vault, moodle_emulator, pairs=1, course="99999", role_ids={"student": STUDENT_ROLE}
    )
    job_id = enqueue_enrolments(tenant, settings, ids)[0]
    work(settings)
    state = _states(tenant)[ids[0]]
    assert state.status == "failed"
    assert "enrol_manual_enrol_users(enrolments)" in state.detail and "invalidparameter" in state.detail
    assert Job.fetch(job_id, connection=get_queue(settings).connection).get_status() == JobStatus.FAILED
    assert tenant.count(Receipt, Receipt.action == "user", Receipt.state == "done") == 2
    assert tenant.count(Receipt, Receipt.action == "enrol", Receipt.state == "done") == 0


def test_course_without_manual_enrolment_says_so(settings, make_org, vault, moodle_emulator):
    site = moodle_emulator.site
    site.manual_on_new_courses = False
    course = str(new_course(site, {"shortname": "NOMANUAL", "fullname": "No manual"})["id"])
    tenant, _, ids = _setup(
        make_org, vault, moodle_emulator, pairs=1, course=course, role_ids={"student": STUDENT_ROLE}
    )
    enqueue_enrolments(tenant, settings, ids)
    work(settings)
    state = _states(tenant)[ids[0]]
    assert state.status == "failed" and "no enabled manual-enrolment instance" in state.detail
    assert "{$a" not in state.detail  # Moodle's broken message text is never passed on


@pytest.mark.parametrize(
    "status, body",
    [
        (503, "Service Unavailable"),
        (
            200,
            '{"exception":"dml_write_exception","errorcode":"dmlwriteexception","message":"Error writing to database"}',
        ),
    ],
)
def test_transient_failure_stores_retrying_and_schedules_a_retry(
    settings, make_org, vault, moodle_emulator, status, body
):
    tenant, _, ids = _setup(make_org, vault, moodle_emulator, pairs=1, http_attempts=1)
    moodle_emulator.inject("core_group_create_groups", status=status, body=body)
    job_id = enqueue_enrolments(tenant, settings, ids)[0]
    work(settings)
    state = _states(tenant)[ids[0]]
    assert state.status == "retrying"
    job = Job.fetch(job_id, connection=get_queue(settings).connection)
    assert job.get_status() == JobStatus.SCHEDULED and job.retries_left == 4
    assert tenant.count(Receipt, Receipt.action == "enrol", Receipt.state == "done") == 2
    get_queue(settings).enqueue_job(job)  # the retry, now: it finishes without writing anything twice
    ScheduledJobRegistry(queue=get_queue(settings)).remove(job)
    work(settings)
    assert _states(tenant)[ids[0]].status == "enrolled"
    assert sum(moodle_emulator.site.duplicates.values()) == 0


def test_panel_programme_puts_all_mentors_of_an_executive_in_one_group(settings, make_org, vault, moodle_emulator):
    tenant = make_org()
    conn = moodle_connection(tenant, vault, moodle_emulator.url)
    _, ids = make_programme_with_pairs(
        tenant, pairs=4, connection_id=conn.id, course=moodle_emulator.course, mentors_per_executive=2, panel_of=2
    )
    enqueue_enrolments(tenant, settings, ids)
    work(settings)
    site = moodle_emulator.site
    groups = [g for g in site.groups.values() if g["courseid"] == int(moodle_emulator.course)]
    assert len(groups) == 2 and all(sum(1 for m in site.members if m[0] == g["id"]) == 3 for g in groups)
    assert sum(site.duplicates.values()) == 0


def test_termination_suspends_enrolments_and_keeps_the_group(settings, make_org, vault, moodle_emulator):
    tenant, _, ids = _setup(make_org, vault, moodle_emulator, pairs=2)
    enqueue_enrolments(tenant, settings, ids)
    work(settings)
    pair = tenant.get(Pair, ids[0])
    assert handle_departure(tenant.organisation_id, pair.mentor_employee_id)["ended"] == [ids[0]]
    # the job id comes from the event (the pair's unenrolment) and its outbox row
    assert [j for j in get_queue(settings).job_ids if j.startswith(f"{settings.queue_prefix}-unenrol-pair-")] == [
        f"{settings.queue_prefix}-unenrol-pair-{ids[0]}-{_asked(tenant, f'unenrol-pair-{ids[0]}')}"
    ]
    work(settings)

    site, course = moodle_emulator.site, int(moodle_emulator.course)
    tenant.session.expire_all()
    assert tenant.get(Pair, ids[0]).status == "ended" and tenant.get(Pair, ids[1]).status == "approved"
    assert _states(tenant)[ids[0]].status == "suspended"
    users = {r.key: r.vendor_ref for r in tenant.all(Receipt, Receipt.action == "user")}
    for employee in (pair.mentee_employee_id, pair.mentor_employee_id):
        assert site.enrolments[(course, int(users[f"user:{employee}"]))]["suspended"] is True
    group = int(_states(tenant)[ids[0]].group_ref)
    assert sum(1 for m in site.members if m[0] == group) == 2  # history stays
    other = tenant.get(Pair, ids[1])
    assert site.enrolments[(course, int(users[f"user:{other.mentor_employee_id}"]))]["suspended"] is False


def test_progress_is_read_back_with_moodles_completion_traps(settings, make_org, vault, moodle_emulator):
    from plugin.services import enrolment, lms

    tenant, conn, ids = _setup(make_org, vault, moodle_emulator, pairs=1)
    enqueue_enrolments(tenant, settings, ids)
    work(settings)
    site, course, pair = moodle_emulator.site, int(moodle_emulator.course), tenant.get(Pair, ids[0])
    connector = lms.open_connector(settings, vault, tenant.get(Connection, conn.id))
    assert {p.state for p in enrolment.progress(tenant, connector, ids[0]).values()} == {"not_tracked"}

    site.self_completion.add(course)
    users = {r.key: int(r.vendor_ref) for r in tenant.all(Receipt, Receipt.action == "user")}
    site.mark_self_completed(course, users[f"user:{pair.mentee_employee_id}"])
    before_cron = enrolment.progress(tenant, connector, ids[0])
    assert before_cron[pair.mentee_employee_id].state == "awaiting_aggregation"
    assert before_cron[pair.mentor_employee_id].state == "in_progress"
    site.run_completion_cron(started=time.time() + 1)
    assert enrolment.progress(tenant, connector, ids[0])[pair.mentee_employee_id].completed


def test_pair_that_ended_before_its_job_ran_is_not_enrolled(settings, make_org, vault, moodle_emulator):
    tenant, _, ids = _setup(make_org, vault, moodle_emulator, pairs=1)
    enqueue_enrolments(tenant, settings, ids)
    tenant.get(Pair, ids[0]).status = "ended"
    tenant.session.commit()
    work(settings)
    state = _states(tenant)[ids[0]]
    assert state.status == "failed" and "ended" in state.detail
    assert all(moodle_emulator.site.calls[f] == 0 for f in WRITES)


def test_a_departure_from_a_programme_without_an_lms_course_queues_no_lms_job(settings, make_org):
    tenant = make_org()
    _, ids = make_programme_with_pairs(tenant, pairs=2, connection_id=None, course=None)
    leaver = tenant.get(Pair, ids[0]).mentee_employee_id
    assert handle_departure(tenant.organisation_id, leaver)["ended"] == [ids[0]]
    tenant.session.expire_all()
    assert tenant.get(Pair, ids[0]).status == "ended"
    assert get_queue(settings).job_ids == [] and tenant.all(PairEnrolment) == []
