"""`flipside bench webhooks`: signed BambooHR deliveries with resends against gunicorn, beside a bare app.

Both servers run under the same gunicorn settings (3 sync workers), started and stopped here: Flipside on
the configured database and Redis (a throwaway SQLite file and the embedded Redis when none is set), and
bench/bare_webhook.py, which only verifies the HMAC and answers 202 (the ceiling of the same run). Then
real workers (`flipside worker --burst`) drain the inbox and run the syncs it asked for, and the check:
every unique delivery answered 202 is stored once and named by a sync request that ran (`lost`), and no
request was synced twice (`duplicate_jobs`: employee syncs run beyond one per request).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from bench.enrol import bench_settings
from bench.launch import _free_port, _machine, _wait
from bench.webhook_load import Load, measure
from plugin import create_app, migration_state
from plugin.config import Settings
from plugin.db import db
from plugin.emulators.bamboohr import BambooHREmulator
from plugin.jobs.connection import redis_connection
from plugin.jobs.runner import spawn_worker, worker_environment
from plugin.models import SyncRequest, SyncRun, WebhookDelivery
from plugin.services import connections, webhooks
from plugin.services.organisations import create_organisation
from plugin.services.tenant import Tenant

GUNICORN_WORKERS = 3


@dataclass
class Check:
    """What the drain stored and synced, against what was accepted."""

    stored: int
    lost: int
    duplicate_jobs: int
    sync_requests: int
    drain_s: float


def _scene(app, employees: int):
    """An organisation, its BambooHR connection to a loopback emulator and the webhook Flipside registered."""
    from bench.sync_read import make_workforce

    emulator = BambooHREmulator(make_workforce(employees, "bamboohr")).start()
    vault = app.extensions["flipside.vault"]
    org = create_organisation(db.session, f"bench-hooks-{uuid.uuid4().hex[:8]}", "Bench webhooks")
    tenant = Tenant(db.session, org.id)
    conn = connections.create_connection(
        tenant,
        vault,
        "bamboohr",
        actor="bench",
        credentials={"api_key": "key"},
        settings={"company": "acme", "origin": emulator.base_url},
    )
    tenant.session.commit()
    endpoint = webhooks.register_bamboohr(
        tenant, vault, db.engine, conn.id, f"https://flipside.invalid/webhooks/bamboohr/{conn.id}", actor="bench"
    )
    tenant.session.commit()
    return emulator, tenant, conn.id, emulator.webhooks[endpoint.remote_id]["privateKey"]


def _drain(settings: Settings, workers: int, timeout: float) -> float:
    started = time.perf_counter()
    children = [
        spawn_worker(settings, "--burst", env_overrides={"FLIPSIDE_LOG_LEVEL": "WARNING"}) for _ in range(workers)
    ]
    try:
        for child in children:
            child.wait(timeout=timeout)
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
    return time.perf_counter() - started


def _employee_runs(tenant: Tenant, connection_id: int) -> int:
    return tenant.session.scalar(
        select(func.count())
        .select_from(SyncRun)
        .where(SyncRun.connection_id == connection_id, SyncRun.kind == "employees")
    )


def check(tenant: Tenant, connection_id: int, accepted_keys: list[str], drain_s: float, runs_before: int) -> Check:
    """Every accepted unique delivery stored once, and named by a sync request that ran, once."""
    tenant.session.expire_all()
    rows = tenant.session.execute(
        select(WebhookDelivery.key, WebhookDelivery.source_id).where(WebhookDelivery.connection_id == connection_id)
    ).all()
    stored = {key: source for key, source in rows}
    requests = tenant.all(SyncRequest, SyncRequest.connection_id == connection_id)
    synced = {i for r in requests if r.state == "done" for i in r.source_ids}
    lost = sum(1 for key in set(accepted_keys) if stored.get(key) not in synced)
    runs = _employee_runs(tenant, connection_id) - runs_before
    duplicate_jobs = max(0, runs - sum(r.state == "done" for r in requests)) + (len(rows) - len(stored))
    return Check(len(rows), lost, duplicate_jobs, len(requests), round(drain_s, 2))


def run(
    settings: Settings,
    *,
    seconds: float,
    connections_: int,
    resend_rate: float,
    employees: int,
    workers: int,
    processes: int,
    port: int,
    rounds: int = 3,
    threads: int = 1,
) -> dict:
    """Measure both servers, drain, check; the figures."""
    settings = bench_settings(settings)
    migration_state.upgrade(settings.resolved_database_url)
    app = create_app(settings)
    folder = Path(tempfile.mkdtemp(prefix="flipside-bench-hooks-"))
    servers: list[subprocess.Popen] = []
    with app.app_context():
        emulator, tenant, conn_id, key = _scene(app, employees)
        try:
            ports = (port, port + 1) if port else (_free_port(), _free_port())
            env = worker_environment(settings) | {"FLIPSIDE_LOG_LEVEL": "WARNING"}
            servers.append(_gunicorn("plugin.wsgi:app", ports[0], threads, env, folder / "flipside.log"))
            servers.append(
                _gunicorn(
                    "bench.bare_webhook:app",
                    ports[1],
                    threads,
                    {**os.environ, "BENCH_WEBHOOK_KEY": key},
                    folder / "bare.log",
                )
            )
            for p, proc in zip(ports, servers, strict=True):
                _wait(f"http://127.0.0.1:{p}/healthz", proc)
            runs_before = _employee_runs(tenant, conn_id)
            ours, bare = _load(
                ports,
                f"/webhooks/bamboohr/{conn_id}",
                key,
                seconds,
                rounds,
                dict(connections=connections_, processes=processes, employees=employees, resend_rate=resend_rate),
            )
            load = os.getloadavg()
            _stop(servers)
            drain_s = _drain(settings, workers, timeout=max(600.0, seconds * 20))
            checked = check(tenant, conn_id, ours.accepted_keys, drain_s, runs_before)
        finally:
            _stop(servers)
            emulator.stop()
            _forget_inbox(settings)
    shutil.rmtree(folder, ignore_errors=True)
    return _figures(
        ours,
        bare,
        checked,
        load,
        seconds=seconds,
        connections=connections_,
        workers=workers,
        resend_rate=resend_rate,
        rounds=rounds,
        threads=threads,
    )


def _gunicorn(module: str, port: int, threads: int, env: dict, log: Path) -> subprocess.Popen:
    """gunicorn with the bench's settings: 3 workers, sync (threads=1) or gthread."""
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "-w",
        str(GUNICORN_WORKERS),
        "--threads",
        str(threads),
        "-b",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        module,
    ]
    return subprocess.Popen(  # noqa: S603 - gunicorn with our own arguments
        command,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,  # noqa: S603
        cwd=str(Path(__file__).resolve().parent.parent),
    )


def _load(ports: tuple[int, int], path: str, key: str, seconds: float, rounds: int, options: dict):
    """Both targets, warmed up, then in alternated slices: a shared machine's shifting load falls on both."""
    for p in ports:  # imports and first connections, not measured
        measure(p, path, key, seconds=1.0, seed=99, **options)
    ours, bare = Load(seconds=seconds), Load(seconds=seconds)
    for n in range(rounds):
        order = ((ports[0], ours), (ports[1], bare)) if n % 2 == 0 else ((ports[1], bare), (ports[0], ours))
        for p, into in order:
            into.merge(measure(p, path, key, seconds=seconds / rounds, seed=10 * n + (p == ports[1]), **options))
    return ours, bare


def _forget_inbox(settings: Settings) -> None:
    """Leave nothing of the run's inbox in a shared Redis (its dedupe keys would expire by themselves)."""
    client = redis_connection(settings)
    keys = list(client.scan_iter(f"flipside:{settings.queue_prefix}:webhooks:*", count=1000))
    for start in range(0, len(keys), 1000):
        client.delete(*keys[start : start + 1000])


def _stop(servers: list[subprocess.Popen]) -> None:
    for proc in [p for p in servers if p.poll() is None]:
        proc.terminate()
    for proc in servers:
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


def _figures(
    ours: Load, bare: Load, checked: Check, load: tuple, *, seconds, connections, workers, resend_rate, rounds, threads
) -> dict:
    rate, base_rate = ours.accepted / seconds, bare.accepted / seconds
    figures = {
        "deliveries": ours.unique + ours.resends,
        "unique": ours.unique,
        "resends": ours.resends,
        "accepted_per_s": round(rate, 1),
        "p50_ms": round(ours.percentile_ms(0.50), 1),
        "p99_ms": round(ours.percentile_ms(0.99), 1),
        "answers": dict(ours.answers),
        "never_accepted": ours.never_accepted,
        "resends_answered_duplicate": ours.duplicates_answered,
        "baseline_accepted_per_s": round(base_rate, 1),
        "baseline_p50_ms": round(bare.percentile_ms(0.5), 1),
        "baseline_p99_ms": round(bare.percentile_ms(0.99), 1),
        "baseline_answers": dict(bare.answers),
        "ratio": round(rate / base_rate, 2) if base_rate else 0.0,
        "stored": checked.stored,
        "sync_requests": checked.sync_requests,
        "drain_s": checked.drain_s,
        "lost": checked.lost,
        "duplicate_jobs": checked.duplicate_jobs,
        "load_average": " ".join(f"{x:.2f}" for x in load),
        "machine": _machine(),
        "settings": f"seconds={seconds:g} connections={connections} "
        f"resend_rate={resend_rate:g} gunicorn_workers={GUNICORN_WORKERS} "
        f"threads={threads} drain_workers={workers} rounds={rounds}",
    }
    return figures


RESULT_KEYS = ("deliveries", "accepted_per_s", "p50_ms", "p99_ms", "baseline_accepted_per_s", "lost", "duplicate_jobs")


def result_line(figures: dict) -> str:
    return "RESULT " + " ".join(f"{k}={figures[k]}" for k in RESULT_KEYS)
