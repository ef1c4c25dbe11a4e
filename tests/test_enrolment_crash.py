"""A worker killed in the middle of enrolling 200 pairs: after a restart every pair is enrolled exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest
from rq.registry import ScheduledJobRegistry, StartedJobRegistry

from plugin.jobs import recovery
from plugin.jobs.queue import all_queues
from plugin.jobs.runner import run_burst, spawn_worker
from plugin.models import PairEnrolment
from plugin.services.enrolment import enqueue_enrolments
from tests.factories import make_programme_with_pairs
from tests.lms_fixtures import moodle_connection

PAIRS = 200


def _wait_for(predicate, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


def _run_scheduled_retries(settings) -> None:
    """A burst worker stops before a retry it scheduled (backoff) is due; a long-running worker would run
    it then. Run those retries now, as that worker would, until none is left."""
    for _ in range(5):
        due = [(q, ScheduledJobRegistry(queue=q).get_job_ids()) for q in all_queues(settings)]
        if not any(ids for _q, ids in due):
            return
        for queue, ids in due:
            for job_id in ids:
                ScheduledJobRegistry(queue=queue).remove(job_id)
                queue.enqueue_job(queue.fetch_job(job_id))
        assert run_burst(settings, timeout=300) == 0


def _stuck_report(tenant, settings) -> str:
    """What a pair that did not end enrolled left behind: its record, its receipts and its job."""
    from rq.job import Job
    from sqlalchemy import select

    from plugin.jobs.queue import failed_jobs, prefixed_job_id
    from plugin.models import OutboxMessage, Receipt
    from plugin.services import outbox

    lines = []
    for row in tenant.all(PairEnrolment, PairEnrolment.status != "enrolled"):
        receipts = [(r.key, r.state) for r in tenant.all(Receipt, Receipt.pair_id == row.pair_id)]
        asked = tenant.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.key == f"enrol-pair-{row.pair_id}")
            .order_by(OutboxMessage.id.desc())
        ).first()
        job_id = asked and prefixed_job_id(settings, outbox.job_id(asked))
        conn = all_queues(settings)[0].connection
        job = Job.fetch(job_id, connection=conn) if conn.exists(f"rq:job:{job_id}") else None
        where = [
            q.name + ":" + reg
            for q in all_queues(settings)
            for reg, ids in (
                ("queued", q.get_job_ids()),
                ("intermediate", q.intermediate_queue.get_job_ids()),
                ("started", q.started_job_registry.get_job_ids()),
                ("scheduled", ScheduledJobRegistry(queue=q).get_job_ids()),
                ("failed", q.failed_job_registry.get_job_ids()),
            )
            if job_id in ids
        ]
        lines.append(
            f"pair {row.pair_id}: {row.status} {row.detail!r} attempts={row.attempts} receipts={receipts} "
            f"job={job and job.get_status()} retries_left={job and job.retries_left} "
            f"meta={job and job.meta} in={where}"
        )
    lines += [f"failed job {f.id}: {f.reason}" for f in failed_jobs(settings)]
    return "\n".join(lines)


@pytest.mark.slow
def test_sigkilled_worker_then_restart_enrols_every_pair_once(settings, make_org, vault, moodle_emulator):
    tenant = make_org()
    conn = moodle_connection(tenant, vault, moodle_emulator.url, rate_limit_per_s=400)
    _, ids = make_programme_with_pairs(tenant, pairs=PAIRS, connection_id=conn.id, course=moodle_emulator.course)
    enqueue_enrolments(tenant, settings, ids)
    site = moodle_emulator.site

    worker = spawn_worker(settings, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(lambda: site.calls["core_group_add_group_members"] >= 40, timeout=120)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)  # the worker and the job it is running die mid-request
        worker.wait(timeout=10)
    tenant.session.expire_all()
    assert tenant.count(PairEnrolment, PairEnrolment.status == "enrolled") < PAIRS

    # what the restarted worker's maintenance does once the killed worker's heartbeat and the orphan grace
    # have passed: RQ retries the job that was running; ours puts back the job taken but not yet started
    for queue in all_queues(settings):
        StartedJobRegistry(queue=queue).cleanup(timestamp=time.time() + 3600)
    recovery.sweep(settings, grace=0)
    assert run_burst(settings, timeout=300) == 0
    _run_scheduled_retries(settings)

    tenant.session.expire_all()
    assert tenant.count(PairEnrolment, PairEnrolment.status == "enrolled") == PAIRS, _stuck_report(tenant, settings)
    course = int(moodle_emulator.course)
    groups = [g for g in site.groups.values() if g["courseid"] == course]
    assert len(groups) == PAIRS and len({g["idnumber"] for g in groups}) == PAIRS
    assert all(sum(1 for m in site.members if m[0] == g["id"]) == 2 for g in groups)
    people = [u for u in site.users.values() if u["email"].endswith("@example.test")]
    assert len(people) == 2 * PAIRS and len({u["email"] for u in people}) == 2 * PAIRS
    assert sum(1 for (c, _u) in site.enrolments if c == course) == 2 * PAIRS
    assert site.duplicates["group"] == 0 and site.duplicates["user"] == 0
    # only the one request in flight at the kill may be repeated (Moodle treats it as a no-op)
    assert site.duplicates["enrolment"] + site.duplicates["membership"] <= 2


@pytest.mark.slow
def test_sigkilled_worker_mid_batch_then_restart_sends_nothing_twice(settings, make_org, vault, moodle_emulator):
    """A cohort in batch jobs; the worker dies just after a batch's group call: the rerun settles the
    interrupted items with reads and writes no user, enrolment, group or membership twice."""
    from plugin.services.enrolment_batch import enqueue_cohort

    pairs = 1000
    tenant = make_org()
    conn = moodle_connection(tenant, vault, moodle_emulator.url, rate_limit_per_s=400)
    _, ids = make_programme_with_pairs(tenant, pairs=pairs, connection_id=conn.id, course=moodle_emulator.course)
    assert len(enqueue_cohort(tenant, settings, ids)) == 2
    site = moodle_emulator.site

    worker = spawn_worker(settings, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(lambda: site.calls["core_group_create_groups"] >= 1, timeout=120)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    tenant.session.expire_all()
    assert tenant.count(PairEnrolment, PairEnrolment.status == "enrolled") < pairs
    sent = dict(site.calls)

    for queue in all_queues(settings):
        StartedJobRegistry(queue=queue).cleanup(timestamp=time.time() + 3600)
    recovery.sweep(settings, grace=0)
    assert run_burst(settings, timeout=300) == 0
    _run_scheduled_retries(settings)

    tenant.session.expire_all()
    assert tenant.count(PairEnrolment, PairEnrolment.status == "enrolled") == pairs, _stuck_report(tenant, settings)
    course = int(moodle_emulator.course)
    groups = [g for g in site.groups.values() if g["courseid"] == course]
    assert len(groups) == pairs and len({g["idnumber"] for g in groups}) == pairs
    assert sum(1 for (c, _u) in site.enrolments if c == course) == 2 * pairs
    assert len([m for m in site.members if m[0] in {g["id"] for g in groups}]) == 2 * pairs
    assert sum(site.duplicates.values()) == 0, site.duplicates
    assert site.calls["core_group_create_groups"] - sent["core_group_create_groups"] <= 1  # the second batch's
