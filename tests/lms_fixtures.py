"""Shared pieces of the LMS tests: a Moodle emulator with a course, and a connection to it."""

from __future__ import annotations

import pytest
from rq import SimpleWorker

from plugin.emulators.moodle import MoodleEmulator
from plugin.emulators.moodle_functions import new_course
from plugin.emulators.moodle_site import MoodleSite
from plugin.jobs.queue import get_queue
from plugin.services.connections import create_connection

TOKEN = "flipside-ws-token"
STUDENT_ROLE = 9  # not Moodle's usual 5: the connector must discover it


@pytest.fixture
def moodle_emulator():
    site = MoodleSite.blank(
        token=TOKEN,
        student_role=STUDENT_ROLE,
        teacher_role=4,
        functions=("core_group_get_course_groups", "core_group_get_group_members"),
    )
    emulator = MoodleEmulator(site)
    emulator.url = emulator.start()
    emulator.course = str(new_course(site, {"shortname": "RM27", "fullname": "Reverse mentoring"})["id"])
    yield emulator
    emulator.stop()


def moodle_connection(tenant, vault, url: str, **settings):
    """A Moodle LMS connection with a pasted token, committed."""
    conn = create_connection(
        tenant,
        vault,
        "moodle",
        settings={"base_url": url, "rate_limit_per_s": 500, "rate_burst": 50, **settings},
        credentials={"token": TOKEN},
    )
    tenant.session.commit()
    return conn


def work(settings) -> None:
    """Run the queued jobs in this process (retries are scheduled, not run)."""
    queue = get_queue(settings)
    SimpleWorker([queue], connection=queue.connection).work(burst=True)


def work_with_retries(settings, rounds: int = 10) -> None:
    """Run the queued jobs, then each retry they scheduled (now, not at its backoff time), as a long-running
    worker would: a request is tried three times at most, and a longer outage is the job retry's."""
    from rq.registry import ScheduledJobRegistry

    queue = get_queue(settings)
    for _ in range(rounds):
        work(settings)
        due = ScheduledJobRegistry(queue=queue).get_job_ids()
        if not due:
            return
        for job_id in due:
            ScheduledJobRegistry(queue=queue).remove(job_id)
            queue.enqueue_job(queue.fetch_job(job_id))
    work(settings)
