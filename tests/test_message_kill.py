"""The kill test: a worker SIGKILLed while it sends 2,000 messages; afterwards everyone has exactly one."""

import os
import signal
import subprocess
import time
from collections import Counter
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import update

from plugin.db import db
from plugin.jobs import notify
from plugin.jobs.runner import spawn_worker
from plugin.models import Employee, OutboundMessage, utcnow
from plugin.services import messages
from tests.smtp_server import LoopbackSmtp, stored_messages

pytestmark = pytest.mark.slow
MESSAGES = 2000


def write_messages(tenant, count):
    people = [
        tenant.add(
            Employee(
                source_system="bamboohr",
                source_id=str(n),
                first_name=f"P{n}",
                last_name="K",
                work_email=f"p{n}@example.com",
                country="DE",
                timezone="Europe/Berlin",
            )
        )
        for n in range(count)
    ]
    tenant.session.flush()
    for person in people:
        messages.queue_email(
            tenant, "pair-approved-1", "pairing", person, "Your partner", "Hello", "<p>Hello</p>", "en"
        )
    tenant.session.commit()


def wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def start(settings, url):
    return spawn_worker(
        settings,
        "high",
        env_overrides={"FLIPSIDE_SMTP_URL": url, "FLIPSIDE_LOG_LEVEL": "WARNING"},
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop(child):
    if child.poll() is None:
        os.killpg(child.pid, signal.SIGTERM)
        try:
            child.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()


def test_a_worker_killed_mid_send_neither_drops_nor_doubles(make_org, app, settings):
    with LoopbackSmtp() as server:
        app.config["FLIPSIDE"] = replace(app.config["FLIPSIDE"], smtp_url=server.url)
        write_messages(make_org(), MESSAGES)  # its commit queued one delivery job
        victim = start(settings, server.url)
        try:
            assert wait_for(lambda: len(server.inbox.received) >= 300, 60), "the worker never started sending"
            os.killpg(victim.pid, signal.SIGKILL)  # the worker and its work horse, mid-batch
            victim.wait()
            killed_at = len(server.inbox.received)
            assert killed_at < MESSAGES
            # time passes: the lease the killed worker held runs out; a sweep queues delivery again
            db.session.execute(
                update(OutboundMessage)
                .where(OutboundMessage.state == "sending")
                .values(lease_until=utcnow() - timedelta(seconds=1))
                .execution_options(all_tenants=True)
            )
            db.session.commit()
            assert notify.sweep(app.config["FLIPSIDE"], db.session)
            survivor = start(settings, server.url)
            try:
                assert wait_for(lambda: len(server.inbox.received) >= MESSAGES, 120)
                assert wait_for(
                    lambda: stored_messages().filter_by(state="sent").count() == MESSAGES or db.session.rollback(), 30
                )
            finally:
                stop(survivor)
        finally:
            stop(victim)
        time.sleep(0.5)
        counts = Counter(m["To"] for m in server.inbox.received)
        assert set(counts) == {f"p{n}@example.com" for n in range(MESSAGES)}  # nobody lost
        assert [a for a, c in counts.items() if c > 1] == []  # nobody doubled
