"""A cohort enrolled into Moodle in batches: array calls, a receipt per item, bad items isolated."""

from __future__ import annotations

import pytest
from rq.registry import ScheduledJobRegistry

from plugin.jobs.queue import get_queue
from plugin.models import Employee, Pair, PairEnrolment, Receipt
from plugin.services.enrolment_batch import enqueue_cohort
from tests.factories import make_programme_with_pairs
from tests.lms_fixtures import moodle_connection, work

PAIRS = 30


@pytest.fixture(autouse=True)
def _clean_queue(app, settings):
    yield
    get_queue(settings).empty()
    registry = ScheduledJobRegistry(queue=get_queue(settings))
    for job_id in registry.get_job_ids():
        registry.remove(job_id)


def _cohort(make_org, vault, emulator, pairs=PAIRS):
    tenant = make_org()
    conn = moodle_connection(tenant, vault, emulator.url)
    _, ids = make_programme_with_pairs(tenant, pairs=pairs, connection_id=conn.id, course=emulator.course)
    return tenant, ids


def _states(tenant):
    tenant.session.expire_all()
    return {r.pair_id: r for r in tenant.all(PairEnrolment)}


def test_a_cohort_goes_in_one_batch_job_of_array_calls(settings, make_org, vault, moodle_emulator):
    tenant, ids = _cohort(make_org, vault, moodle_emulator)
    jobs = enqueue_cohort(tenant, settings, ids)
    assert len(jobs) == 1
    work(settings)

    site, course = moodle_emulator.site, int(moodle_emulator.course)
    states = _states(tenant)
    assert {s.status for s in states.values()} == {"enrolled"}
    groups = {g["id"]: g for g in site.groups.values() if g["courseid"] == course}
    assert len(groups) == PAIRS and {states[p].group_ref for p in ids} == {str(g) for g in groups}
    assert all(sum(1 for m in site.members if m[0] == g) == 2 for g in groups)
    assert sum(1 for (c, _u) in site.enrolments if c == course) == 2 * PAIRS + 0
    # one call per step for the whole cohort, not one per pair
    for function in ("core_user_create_users", "enrol_manual_enrol_users", "core_group_create_groups"):
        assert site.calls[function] == 1, function
    assert site.calls["core_group_add_group_members"] == 1
    assert sum(site.duplicates.values()) == 0
    receipts = tenant.all(Receipt)
    assert len(receipts) == 2 * PAIRS * 3 + PAIRS and {r.state for r in receipts} == {"done"}


def test_a_rerun_after_a_cut_off_call_sends_nothing_already_done(settings, make_org, vault, moodle_emulator):
    """The worker died after Moodle stored the enrolments but before their receipts were finished: the
    rerun finds them with one read and enrols nobody again."""
    tenant, ids = _cohort(make_org, vault, moodle_emulator)
    enqueue_cohort(tenant, settings, ids)
    moodle_emulator.inject("core_group_create_groups", status=503, body="")
    moodle_emulator.inject("core_group_create_groups", status=503, body="")
    moodle_emulator.inject("core_group_create_groups", status=503, body="")
    work(settings)  # retriable: the batch stops with groups pending
    site = moodle_emulator.site
    assert {s.status for s in _states(tenant).values()} == {"retrying"}
    # as if the enrolment call had landed but the worker was killed before writing its receipts
    tenant.session.expire_all()
    for row in tenant.all(Receipt, Receipt.action == "enrol"):
        row.state, row.attempts = "pending", row.attempts
    tenant.session.commit()
    calls = dict(site.calls)

    registry = ScheduledJobRegistry(queue=get_queue(settings))
    for job_id in registry.get_job_ids():
        registry.remove(job_id)
        get_queue(settings).enqueue_job(get_queue(settings).fetch_job(job_id))
    work(settings)

    assert {s.status for s in _states(tenant).values()} == {"enrolled"}
    assert site.calls["enrol_manual_enrol_users"] == calls["enrol_manual_enrol_users"]
    assert site.calls["core_user_create_users"] == calls["core_user_create_users"]
    assert site.calls["core_enrol_get_enrolled_users"] > calls.get("core_enrol_get_enrolled_users", 0)
    assert sum(site.duplicates.values()) == 0


def test_one_bad_account_fails_its_pair_and_no_other(settings, make_org, vault, moodle_emulator):
    tenant, ids = _cohort(make_org, vault, moodle_emulator)
    bad_pair = tenant.get(Pair, ids[7])
    person = tenant.get(Employee, bad_pair.mentor_employee_id)
    person.work_email = "not an email"  # Moodle refuses the whole users[] call for it
    tenant.session.commit()
    enqueue_cohort(tenant, settings, ids)
    work(settings)

    states = _states(tenant)
    assert states[bad_pair.id].status == "failed"
    assert f"employee {person.id}" in states[bad_pair.id].detail
    assert "invalidparameter" in states[bad_pair.id].detail
    assert {states[p].status for p in ids if p != bad_pair.id} == {"enrolled"}
    site = moodle_emulator.site
    assert sum(1 for u in site.users.values() if u["email"].endswith("@example.test")) == 2 * PAIRS - 1
    # the refused account holds no receipt, so fixing the email and asking again creates it
    assert tenant.count(Receipt, Receipt.key == f"user:{person.id}") == 0
    assert sum(site.duplicates.values()) == 0


def test_a_small_approval_keeps_one_job_per_pair(settings, make_org, vault, moodle_emulator):
    tenant, ids = _cohort(make_org, vault, moodle_emulator, pairs=3)
    assert len(enqueue_cohort(tenant, settings, ids)) == 3


def test_a_failed_array_call_stores_nothing_of_it(moodle_emulator):
    """Moodle runs each array write in one transaction: a bad second user leaves no first user behind."""
    from plugin.connectors.lms import LmsPerson
    from plugin.connectors.moodle import MoodleConnector, MoodleError
    from tests.lms_fixtures import TOKEN

    connector = MoodleConnector(moodle_emulator.url, TOKEN)
    before = len(moodle_emulator.site.users)
    with pytest.raises(MoodleError):
        connector.create_users_many([LmsPerson("ok@example.test", "O", "K"), LmsPerson("bad", "B", "D")])
    assert len(moodle_emulator.site.users) == before
