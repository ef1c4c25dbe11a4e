"""`flipside bench enrol`: pairs enrolled per second against a loopback LMS emulator, through real workers.

The scenario: N approved pairs of new people in one programme, a connection with a rate limit shared by
the workers (in Redis), W worker processes. Measured from enqueueing to the last pair enrolled. Requests
per pair and duplicates (writes that found their effect already in place) come from the emulator.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from dataclasses import replace

from rich.console import Console
from rich.table import Table

from plugin import create_app, migration_state
from plugin.config import Settings
from plugin.db import db
from plugin.emulators.canvas import CanvasEmulator
from plugin.emulators.moodle import MoodleEmulator
from plugin.emulators.moodle_functions import new_course
from plugin.emulators.moodle_site import MoodleSite
from plugin.jobs.runner import spawn_worker
from plugin.models import PairEnrolment
from plugin.services import connections
from plugin.services.enrolment import enqueue_enrolments
from plugin.services.enrolment_batch import enqueue_cohort
from plugin.services.organisations import create_organisation
from plugin.services.tenant import Tenant

TOKEN = "bench-ws-token"  # noqa: S105 - the emulator's token


def bench_settings(settings: Settings) -> Settings:
    """The caller's database and Redis (a throwaway SQLite file when none is set), with its own queues."""
    folder = settings.instance_path if settings.database_url else tempfile.mkdtemp(prefix="fs-bench-")
    return replace(settings, instance_path=folder, queue_prefix=f"bench{uuid.uuid4().hex[:6]}")


def _emulator(lms: str):
    if lms == "canvas":
        emulator = CanvasEmulator(bucket=700, leak_per_s=100)
        emulator.start()
        return emulator, "1"
    emulator = MoodleEmulator(
        MoodleSite.blank(token=TOKEN, functions=("core_group_get_course_groups", "core_group_get_group_members"))
    )
    emulator.url = emulator.start()
    return emulator, str(new_course(emulator.site, {"shortname": "BENCH", "fullname": "Bench"})["id"])


def _connection(tenant: Tenant, vault, lms: str, emulator, rate: float):
    limits = {"base_url": emulator.url, "rate_limit_per_s": rate, "rate_burst": max(1, int(rate // 10))}
    if lms == "canvas":
        conn = connections.create_connection(
            tenant,
            vault,
            "canvas",
            settings={**limits, "account_id": "1"},
            credentials={"client_id": emulator.client_id, "client_secret": emulator.client_secret},
        )
        connections.store_tokens(conn, vault, emulator.issue_token())
        return conn
    return connections.create_connection(tenant, vault, "moodle", settings=limits, credentials={"token": TOKEN})


def _pairs(tenant: Tenant, conn_id: int, course: str, n: int) -> list[int]:
    from bench.fixtures import make_programme_with_pairs

    return make_programme_with_pairs(tenant, pairs=n, connection_id=conn_id, course=course)[1]


def run(
    settings: Settings, *, pairs: int, lms: str, rate: float, workers: int, console: Console, path: str = "cohort"
) -> dict:
    """Run the scenario once and return its figures."""
    settings = bench_settings(settings)
    migration_state.upgrade(settings.resolved_database_url)
    emulator, course = _emulator(lms)
    try:
        with create_app(settings).app_context():
            org = create_organisation(db.session, f"bench-{uuid.uuid4().hex[:8]}", "Bench")
            tenant = Tenant(db.session, org.id)
            conn = _connection(tenant, _vault(), lms, emulator, rate)
            tenant.session.commit()
            ids = _pairs(tenant, conn.id, course, pairs)
            started = time.perf_counter()
            (enqueue_cohort if path == "cohort" else enqueue_enrolments)(tenant, settings, ids)
            children = [spawn_worker(settings, "--burst") for _ in range(workers)]
            for child in children:
                child.wait(timeout=3600)
            seconds = time.perf_counter() - started
            tenant.session.expire_all()
            done = tenant.count(PairEnrolment, PairEnrolment.status == "enrolled")
        calls = sum(emulator.site.calls.values()) if lms == "moodle" else sum(emulator.calls.values())
        dupes = emulator.site.duplicates if lms == "moodle" else emulator.duplicates
        return {
            "pairs": done,
            "seconds": seconds,
            "pairs_per_s": done / seconds,
            "requests_per_pair": calls / max(done, 1),
            "duplicates": sum(dupes.values()),
        }
    finally:
        emulator.stop()


def _vault():
    from flask import current_app

    return current_app.extensions["flipside.vault"]


def report(figures: dict, *, lms: str, rate: float, workers: int, console: Console) -> str:
    """Print the table and return the RESULT line."""
    table = Table(title=f"enrol: {lms} emulator, rate limit {rate:g}/s, {workers} worker(s)")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key in ("pairs", "seconds", "pairs_per_s", "requests_per_pair", "duplicates"):
        value = figures[key]
        table.add_row(key, f"{value:.2f}" if isinstance(value, float) else str(value))
    console.print(table)
    return (
        f"RESULT pairs={figures['pairs']} pairs_per_s={figures['pairs_per_s']:.2f} "
        f"requests_per_pair={figures['requests_per_pair']:.2f} duplicates={figures['duplicates']}"
    )
