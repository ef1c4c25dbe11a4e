"""`flipside bench notify`: pairing announcements for N recipients through real workers to a loopback SMTP server.

The scenario: N/2 approved pairs (N recipients), their announcements written to the outbox in one commit,
W worker processes each running a delivery job that leases batches and sends each batch over one SMTP
connection. Once a quarter has arrived, one worker is SIGKILLed mid-batch; its lease is made to run out
(time passing, as the kill test does) and a replacement worker takes over. Measured: messages/s from the
commit to the last delivery, p95 of commit-to-delivered, SMTP connections, duplicates and lost recipients
as the SMTP server counted them.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import time
import uuid
from dataclasses import replace
from datetime import UTC, timedelta

from rich.console import Console
from rich.table import Table
from rq import Worker
from sqlalchemy import func, select, update

from bench.enrol import bench_settings
from bench.fixtures import make_programme_with_pairs
from plugin import create_app, migration_state
from plugin.config import Settings
from plugin.db import db
from plugin.demo.mailbox import LoopbackSmtp
from plugin.jobs import notify
from plugin.jobs.connection import redis_connection
from plugin.jobs.runner import spawn_worker
from plugin.models import OutboundMessage, utcnow
from plugin.services import announcements
from plugin.services.organisations import create_organisation
from plugin.services.tenant import Tenant

KILL_AT = 0.25  # share of the messages delivered when one worker is killed


def _worker(settings: Settings, url: str) -> subprocess.Popen:
    return spawn_worker(
        settings,
        "high",
        env_overrides={"FLIPSIDE_SMTP_URL": url, "FLIPSIDE_LOG_LEVEL": "WARNING"},
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _stop(child: subprocess.Popen) -> None:
    if child.poll() is None:
        os.killpg(child.pid, signal.SIGTERM)
        try:
            child.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()


def _wait(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def _write(tenant: Tenant, n: int) -> list[str]:
    """N/2 pairs, their announcements written and committed; returns the recipients' addresses."""
    _programme, ids = make_programme_with_pairs(tenant, pairs=max(1, n // 2), connection_id=None, course=None)
    rows = announcements.announce_pairs(tenant, ids)
    tenant.session.commit()  # the relay queues one delivery job per pair on this commit
    return [r.address for r in rows]


def run(settings: Settings, *, messages: int, workers: int, port: int, timeout: float = 600) -> dict:
    """Run the scenario once and return its figures."""
    settings = bench_settings(settings)
    # aiosmtpd logs every SMTP command at INFO: in this process, beside the measure, that is the instrument's
    # own cost (about eight JSON log lines per message), not Flipside's
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    migration_state.upgrade(settings.resolved_database_url)
    children: list[subprocess.Popen] = []
    with LoopbackSmtp(port) as server, create_app(replace(settings, smtp_url=server.url)).app_context() as ctx:
        org = create_organisation(db.session, f"bench-{uuid.uuid4().hex[:8]}", "Bench")
        tenant = Tenant(db.session, org.id)
        children = [_worker(settings, server.url) for _ in range(workers)]
        try:
            connection = redis_connection(settings)  # workers ready first: their start-up is not the measure
            _wait(lambda: len(Worker.all(connection=connection)) >= workers, 60)
            addresses = _write(tenant, messages)
            committed = time.time()
            killed = _kill_one(ctx.app, server, children, len(addresses), settings)
            finished = _wait(lambda: server.sink.total >= len(addresses) and _sent(len(addresses)), timeout)
        finally:
            for child in children:
                _stop(child)
        seconds = (max(server.sink.arrivals) if server.sink.arrivals else time.time()) - committed
        latencies = sorted(_latencies(committed))
        received = server.sink.received
        return {
            "messages": len(addresses),
            "seconds": seconds,
            "messages_per_s": sum(received.values()) / seconds,
            "p95_s": latencies[int(0.95 * (len(latencies) - 1))] if latencies else float("nan"),
            "smtp_connections": server.sink.connections,
            "killed_after": killed,
            "finished": finished,
            "duplicates": sum(c - 1 for c in received.values() if c > 1),
            "lost": sum(1 for a in set(addresses) if received[a] == 0),
        }


def _kill_one(app, server, children: list, total: int, settings: Settings) -> int:
    """SIGKILL a busy worker (and its work horse) mid-run; let its lease run out; start a replacement."""
    if not _wait(lambda: server.sink.total >= int(total * KILL_AT), 120):
        return -1
    victim = _busy(children, redis_connection(settings))
    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait()
    killed_at = server.sink.total
    # a supervisor restarts it at once (its start-up overlaps the wait below)
    children.append(_worker(settings, app.config["FLIPSIDE"].smtp_url))
    dead = _dead_claims()
    # time passes for the dead worker's lease only (a real one runs out after messages.LEASE); the survivors'
    # leases stay theirs, as they would in production
    expire = (
        update(OutboundMessage)
        .where(OutboundMessage.state == "sending", OutboundMessage.claim.in_(dead))
        .values(lease_until=utcnow() - timedelta(seconds=1))
    )
    db.session.execute(expire.execution_options(all_tenants=True))
    db.session.commit()
    notify.sweep(app.config["FLIPSIDE"], db.session)
    return killed_at


def _busy(children: list, connection) -> subprocess.Popen:
    """A worker in the middle of a delivery job (one job per commit: a worker may be idle), else the first."""
    busy = {w.pid for w in Worker.all(connection=connection) if w.get_state() == "busy"}
    return next((c for c in children if c.pid in busy and c.poll() is None), children[0])


def _leased() -> dict[str, int]:
    db.session.rollback()
    rows = db.session.execute(
        select(OutboundMessage.claim, func.count(OutboundMessage.id))
        .where(OutboundMessage.state == "sending")
        .group_by(OutboundMessage.claim)
        .execution_options(all_tenants=True)
    )
    return dict(rows.all())


def _dead_claims(still_s: float = 4 * notify.STAMP_AFTER_S) -> set[str]:
    """The leases nobody works on any more: the same rows still `sending`, unchanged, `still_s` seconds later.

    A live worker stamps its acceptances at least every `notify.STAMP_AFTER_S` while it sends.
    """
    before = _leased()
    time.sleep(still_s)
    after = _leased()
    return {claim for claim, count in before.items() if after.get(claim) == count}


def _sent(total: int) -> bool:
    db.session.rollback()
    done = db.session.scalar(
        select(func.count(OutboundMessage.id))
        .where(OutboundMessage.state == "sent")
        .execution_options(all_tenants=True)
    )
    return done >= total


def _latencies(committed: float) -> list[float]:
    db.session.rollback()
    stamps = db.session.scalars(
        select(OutboundMessage.sent_at).where(OutboundMessage.sent_at.is_not(None)).execution_options(all_tenants=True)
    )
    return [max(0.0, _epoch(s) - committed) for s in stamps]


def _epoch(moment) -> float:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def report(figures: dict, *, workers: int, console: Console) -> str:
    """Print the table and return the RESULT line."""
    table = Table(title=f"notify: pairing announcements to a loopback SMTP server, {workers} worker(s), one killed")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key in (
        "messages",
        "seconds",
        "messages_per_s",
        "p95_s",
        "smtp_connections",
        "killed_after",
        "finished",
        "duplicates",
        "lost",
    ):
        value = figures[key]
        table.add_row(key, f"{value:.2f}" if isinstance(value, float) else str(value))
    console.print(table)
    return (
        f"RESULT messages={figures['messages']} messages_per_s={figures['messages_per_s']:.2f} "
        f"p95_s={figures['p95_s']:.2f} duplicates={figures['duplicates']} lost={figures['lost']}"
    )
