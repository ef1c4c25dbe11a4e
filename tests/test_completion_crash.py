"""Completion survives a worker killed mid-way: a rerun leaves exactly one score and one record per person."""
import os
import signal
import threading
import time

import pytest
from rq.registry import StartedJobRegistry

from plugin.jobs.life import enqueue_completion
from plugin.jobs.queue import get_queue
from plugin.jobs.runner import run_burst, spawn_worker
from plugin.models import WriteReceipt
from tests.test_completion import bamboohr, completed_pair  # noqa: F401 - the emulator fixture

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


def _children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as listing:
        return [int(x) for x in listing.read().split()]


def test_killing_the_worker_between_the_lms_and_the_hris_write_then_retrying(settings, make_org, vault,
                                                                             bamboohr):  # noqa: F811
    tenant = make_org()
    pair = completed_pair(tenant, vault, bamboohr)
    gate = Gate()
    bamboohr.training.before_record = gate
    enqueue_completion(settings, tenant.organisation_id, pair.id)
    worker = spawn_worker(settings, "--burst")
    try:
        assert gate.reached.wait(120), "the worker never reached the HRIS write"
        for pid in (*_children(worker.pid), worker.pid):  # the work-horse (its own process group), then the worker
            os.kill(pid, signal.SIGKILL)
        worker.wait(30)
    finally:
        gate.release.set()  # BambooHR stores the record; its answer goes to a dead socket
    time.sleep(0.2)
    StartedJobRegistry(queue=get_queue(settings)).cleanup(timestamp=time.time() + 86400)  # RQ: abandoned -> retry
    assert run_burst(settings, timeout=120) == 0
    records = bamboohr.training.all_records()
    assert sorted(r["employeeId"] for r in records) == ["11", "12"]
    tenant.session.expire_all()
    done = {r.key: r.status for r in tenant.all(WriteReceipt)}
    assert done == {f"bamboohr:pair:{pair.id}:mentor": "done", f"bamboohr:pair:{pair.id}:mentee": "done"}
