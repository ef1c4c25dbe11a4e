"""Sync jobs in real worker processes: a worker killed mid-sync, then a rerun, ends with exact data."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from rq.job import JobStatus

from plugin.emulators.bamboohr import BambooHREmulator
from plugin.emulators.state import Faults
from plugin.jobs.queue import all_queues, enqueue
from plugin.jobs.runner import run_burst, spawn_worker
from plugin.jobs.sync import enqueue_sync, full_sync
from plugin.models import Employee, SyncRun
from tests.factories import make_bamboohr_connection, make_workforce
from tests.sync_helpers import BAMBOO_FIELDS, differences

EMPLOYEES = 4000


@pytest.fixture
def clean_queues(settings):
    for q in all_queues(settings):
        q.empty()
    yield
    for q in all_queues(settings):
        q.empty()


def _children(pid: int) -> list[int]:
    """Child processes of `pid` (RQ runs each job in a forked work horse in its own session)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _stored(tenant) -> int:
    tenant.session.rollback()  # see what the worker committed
    return tenant.count(Employee)


def _wait_for_some(tenant, deadline: float) -> int:
    while time.monotonic() < deadline:
        count = _stored(tenant)
        if count:
            return count
        time.sleep(0.02)
    pytest.fail("the worker stored nothing in time")


def test_a_worker_killed_mid_sync_loses_and_repeats_nothing(settings, make_org, vault, clean_queues):
    # slow pages (some hang past the client's read timeout) so the kill lands mid-run
    emu = BambooHREmulator(
        make_workforce(EMPLOYEES), faults=Faults(rate=0.15, kinds=("timeout",), hang=0.3, seed=2)
    ).start()
    try:
        tenant = make_org()
        conn = make_bamboohr_connection(
            tenant, vault, emu, bulk="dataset", page_size=250, batch_size=250, timeout=[1, 0.1]
        )
        enqueue_sync(settings, tenant.organisation_id, conn.id, full=True)
        worker = spawn_worker(settings, "--burst", env_overrides={"FLIPSIDE_LOG_LEVEL": "WARNING"})
        committed = _wait_for_some(tenant, time.monotonic() + 120)
        for pid in (*_children(worker.pid), worker.pid):  # the work horse RQ forked for the job, then the worker
            os.kill(pid, signal.SIGKILL)
        worker.wait(timeout=30)
        committed = _stored(tenant)
        assert 0 < committed < EMPLOYEES, "the kill should land mid-run"
        rerun = enqueue(settings, full_sync, tenant.organisation_id, conn.id)  # the killed job id stays "started"
        assert run_burst(settings, timeout=300, quiet=True) == 0
        assert rerun.get_status(refresh=True) == JobStatus.FINISHED, rerun.latest_result()
        tenant.session.rollback()
        assert differences(tenant, emu, BAMBOO_FIELDS) == {}
    finally:
        emu.stop()
    runs = sorted(tenant.all(SyncRun), key=lambda r: r.id)
    assert [r.status for r in runs] == ["interrupted", "ok"]
    assert runs[1].unchanged == committed and runs[1].inserted == EMPLOYEES - committed
    assert tenant.count(Employee) == EMPLOYEES
