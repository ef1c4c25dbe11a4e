"""Completion survives a worker killed mid-way: a rerun leaves exactly one score and one record per person.

The course is an independent LTI platform (lti1p3platform over loopback HTTP) that checks the tool's client
assertions against its JWKS; the HRIS is the BambooHR emulator.
"""

import json
import os
import signal
import threading
import time

import pytest
from rq.registry import StartedJobRegistry

from plugin.db import db
from plugin.emulators.bamboohr import BambooHREmulator
from plugin.jobs.completion import enqueue_completion
from plugin.jobs.queue import get_queue
from plugin.jobs.runner import run_burst, spawn_worker
from plugin.lti.gradebook import LtiGradebook
from plugin.lti.platform_keys import PLATFORM_KEYS
from plugin.lti.registrations import PlatformInput, attach_organisation, save_platform
from plugin.models import Receipt
from plugin.models.lti import LtiUserLink
from plugin.services import completion
from tests.factories import make_record
from tests.loopback_platform import LoopbackPlatform, Server
from tests.test_completion import SECRET_NOTE, SECRET_TOPIC, completed_pair

pytestmark = pytest.mark.slow


class Gate:
    """Holds the first training-record POST at the emulator until the test lets it go."""

    def __init__(self):
        self.reached, self.release = threading.Event(), threading.Event()
        self.calls = 0

    def __call__(self):
        self.calls += 1
        if self.calls == 1:
            self.reached.set()
            self.release.wait(60)


@pytest.fixture
def bamboohr():
    emulator = BambooHREmulator([make_record("11"), make_record("12")], api_key="key").start()
    yield emulator
    emulator.stop()


@pytest.fixture
def course(app):
    """The programme's course on an independent platform, and the tool served where the platform can reach it."""
    tool = Server(app).start()
    lms = LoopbackPlatform(tool.url)
    lms.server.start()
    PLATFORM_KEYS.clear()
    yield lms
    tool.stop()
    lms.server.stop()


def in_course(tenant, lms, pair) -> None:
    """Register the platform, link both partners' LMS accounts, and point the programme at the course."""
    reg = save_platform(
        db.session,
        PlatformInput(
            issuer=lms.issuer,
            client_id=lms.client_id,
            auth_login_url=lms.urls["auth"],
            auth_token_url=lms.urls["token"],
            key_set_url=lms.urls["jwks"],
            deployment_ids=(lms.deployment_id,),
        ),
    )
    attach_organisation(db.session, reg.id, lms.deployment_id, tenant.organisation_id)
    for lms_user, employee_id in (("lms-1", pair.mentor_employee_id), ("lms-2", pair.mentee_employee_id)):
        tenant.add(
            LtiUserLink(
                registration_id=reg.id, lms_user_id=lms_user, employee_id=employee_id, method="email", confirmed=True
            )
        )
    rule = completion.rule_for(tenant, pair.programme_id)
    rule.registration_id, rule.lineitems_url = reg.id, lms.urls["lineitems"]
    tenant.session.commit()


def _children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as listing:
        return [int(x) for x in listing.read().split()]


def _kill_mid_hris_write(settings, gate: Gate) -> None:
    worker = spawn_worker(settings, "--burst")
    try:
        assert gate.reached.wait(120), "the worker never reached the HRIS write"
        for pid in (*_children(worker.pid), worker.pid):  # the work-horse (its own process group), then the worker
            os.kill(pid, signal.SIGKILL)
        worker.wait(30)
    finally:
        gate.release.set()  # BambooHR stores the record; its answer goes to a dead socket
    time.sleep(0.2)


def test_killing_the_worker_between_the_lms_and_the_hris_write_then_retrying(
    settings, make_org, vault, bamboohr, course
):
    tenant = make_org()
    pair = completed_pair(tenant, vault, bamboohr)
    in_course(tenant, course, pair)
    gate = Gate()
    bamboohr.training.before_record = gate
    enqueue_completion(settings, tenant.organisation_id, pair.id)
    _kill_mid_hris_write(settings, gate)
    assert sorted(s["userId"] for s in course.scores) == ["lms-1", "lms-2"]  # the LMS write happened first
    StartedJobRegistry(queue=get_queue(settings)).cleanup(timestamp=time.time() + 86400)  # RQ: abandoned -> retry
    assert run_burst(settings, timeout=120) == 0
    assert sorted(s["userId"] for s in course.scores) == ["lms-1", "lms-2"]
    assert sorted(r["employeeId"] for r in bamboohr.training.all_records()) == ["11", "12"]
    tenant.session.expire_all()
    assert {r.key.split(":")[0] for r in tenant.all(Receipt) if r.state == "done"} == {"ags", "bamboohr"}
    gradebook = LtiGradebook(tenant, completion.rule_for(tenant, pair.programme_id))
    assert gradebook.find(pair.mentee_employee_id) is not None  # how a rerun sees a score it lost the answer to
    sent = json.dumps(course.scores) + "".join(r.body.decode() for r in bamboohr.requests)
    assert SECRET_NOTE not in sent and SECRET_TOPIC not in sent
