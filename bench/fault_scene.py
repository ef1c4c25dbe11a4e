"""The fault suite's scene: emulators, organisation, connections, pairs, workers; and how it reads the outcome.

The suite reads the product only through narrow, stable surfaces: the jobs it enqueues as the product's
own callers do, `SyncRun`, `Employee`, `PairEnrolment` and `WebhookDelivery` rows, the RQ queues and
registries, and the `flipside sync approve|reject` command.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import time
import uuid
from collections.abc import Callable

from sqlalchemy import delete, func, select

from bench.sync_read import make_workforce
from plugin import create_app
from plugin.db import db
from plugin.emulators.moodle import MoodleEmulator
from plugin.emulators.moodle_functions import new_course
from plugin.emulators.moodle_site import MoodleSite
from plugin.emulators.server import LoopbackServer
from plugin.jobs.queue import all_queues, failed_jobs
from plugin.jobs.runner import worker_environment
from plugin.jobs.sync import enqueue_sync
from plugin.models import Employee, Organisation, Pair, PairEnrolment, Programme, SyncRun, WebhookDelivery
from plugin.services import connections, webhooks
from plugin.services.enrolment import enqueue_enrolments
from plugin.services.organisations import create_organisation
from plugin.services.tenant import Tenant

from .fault_checks import Tally, differences
from .fault_rig import Fleet, Rig
from .fault_world import FaultyBambooHR, stored_person

MOODLE_TOKEN = "fault-suite-ws-token"  # noqa: S105 - the loopback emulator's, not a secret


class Scene:
    """Everything one run of the suite sets up, and the reads the phases and the checker need."""

    def __init__(self, app, settings, profile, seed: int, log_path: str, echo: Callable[[str], None]):
        self.app, self.settings, self.profile, self.seed, self.echo = app, settings, profile, seed, echo
        self.vault = app.extensions["flipside.vault"]
        self.notes: list[str] = []
        self.rig = Rig(settings)
        self.hr = FaultyBambooHR(make_workforce(profile.employees, "bamboohr", seed=seed)).start()
        self.lms = MoodleEmulator(MoodleSite.blank(token=MOODLE_TOKEN, functions=("core_group_get_course_groups",)))
        self.lms.url = self.lms.start()
        # the web app the vendor's webhooks reach, through the proxies
        self.web = LoopbackServer(create_app(self.rig.proxied)).start()
        _log_to(log_path)
        self.fleet = Fleet(self.rig.proxied, profile.workers, log_path)
        self.killed_at = time.monotonic()
        self.budget_end = time.monotonic() + profile.budget_s  # waits stop here: CI gets its answer in time
        self.slices = None
        self.pair_ids: list[int] = []

    # -- setting up -----------------------------------------------------------------------------------
    def build(self) -> None:
        """Organisation, BambooHR and Moodle connections, the webhook endpoint; then the workers."""
        org = create_organisation(db.session, f"faults-{uuid.uuid4().hex[:8]}", "Fault suite")
        self.tenant = Tenant(db.session, org.id)
        self.hris = connections.create_connection(
            self.tenant,
            self.vault,
            "bamboohr",
            settings={"company": "acme", "origin": self.hr.base_url},
            credentials={"api_key": "key"},
            actor="bench",
        )
        self.course = str(new_course(self.lms.site, {"shortname": "FAULTS", "fullname": "Faults"})["id"])
        self.moodle = connections.create_connection(
            self.tenant,
            self.vault,
            "moodle",
            credentials={"token": MOODLE_TOKEN},
            settings={"base_url": self.lms.url, "rate_limit_per_s": 20.0, "rate_burst": 2},
        )
        db.session.commit()
        self.webhook_url = f"{self.web.base_url}/webhooks/bamboohr/{self.hris.id}"
        # BambooHR accepts only https addresses; the suite delivers to the loopback server itself
        public = f"https://flipside.invalid/webhooks/bamboohr/{self.hris.id}"
        endpoint = webhooks.register_bamboohr(self.tenant, self.vault, db.engine, self.hris.id, public)
        self.hook_id = endpoint.remote_id
        db.session.commit()
        self.fleet.start()

    def make_pairs(self, people: list[str]) -> None:
        """A programme on the Moodle course whose approved pairs are synced employees (executive, mentor)."""
        db.session.rollback()
        rows = db.session.scalars(self.tenant.select(Employee, Employee.source_id.in_(people)))
        ids = {row.source_id: row.id for row in rows}
        programme = self.tenant.add(
            Programme(name="Fault suite programme", lms_connection_id=self.moodle.id, lms_course_id=self.course)
        )
        db.session.flush()
        half = len(people) // 2
        pairs = [
            self.tenant.add(
                Pair(
                    programme_id=programme.id,
                    mentee_employee_id=ids[exe],
                    mentor_employee_id=ids[mentor],
                    status="approved",
                )
            )
            for exe, mentor in zip(people[:half], people[half:], strict=True)
        ]
        db.session.commit()
        self.pair_ids = [p.id for p in pairs]

    # -- acting ---------------------------------------------------------------------------------------
    def note(self, text: str) -> None:
        self.notes.append(text)
        self.echo(f"  {text}")

    def enqueue_full_sync(self) -> int:
        """Enqueue a full sync as the schedule would; returns the last run id before it (a marker)."""
        marker = self._scalar(
            select(func.coalesce(func.max(SyncRun.id), 0)).where(SyncRun.connection_id == self.hris.id)
        )
        enqueue_sync(self.settings, self.tenant.organisation_id, self.hris.id, full=True)
        return marker

    def enqueue_enrolments(self) -> None:
        enqueue_enrolments(self.tenant, self.settings, self.pair_ids)
        db.session.commit()

    def kill_workers(self) -> None:
        """SIGKILL every worker and start as many new ones."""
        self.fleet.kill()
        self.killed_at = time.monotonic()
        self.fleet.start()

    def replace_dead_workers(self) -> None:
        """Workers that exited by themselves are counted, then replaced so the next phases still measure."""
        dead = self.fleet.replace_dead()
        if dead:
            self.note(f"{dead} worker(s) had exited by themselves; started new ones for the next phase")

    def decide(self, run_id: int, verb: str) -> str:
        """`flipside sync approve|reject RUN`, as HR would run it."""
        done = subprocess.run(  # noqa: S603 - our own CLI, arguments are ids
            [sys.executable, "-m", "plugin", "sync", verb, str(run_id)],
            env=worker_environment(self.settings),
            capture_output=True,
            text=True,
            timeout=120,
        )
        tail = (done.stdout + done.stderr).strip().splitlines()[-1:] or [""]
        return f"flipside sync {verb} {run_id}: exit {done.returncode} {tail[0][:120]}"

    # -- waiting --------------------------------------------------------------------------------------
    def wait_for(self, condition: Callable[[], bool], *, timeout: float, what: str) -> bool:
        deadline = min(time.monotonic() + timeout, self.budget_end)
        while time.monotonic() < deadline:
            if condition():
                return True
            if self.fleet.alive() == 0:
                self.note(f"no worker left alive to run {what}")
                return False
            time.sleep(0.2)
        self.note(
            f"gave up waiting for {what}"
            + (" (time budget spent)" if deadline == self.budget_end else f" ({timeout:g} s)")
        )
        return False

    def settle(self, *, deadline: float) -> None:
        """Wait until no job waits, runs or is scheduled for a retry; give up at `deadline` or with no worker."""
        deadline = min(deadline, self.budget_end)
        while time.monotonic() < deadline:
            if self.jobs_left() == 0:
                return
            if self.fleet.alive() == 0:
                self.note(f"no worker left alive, {self.jobs_left()} job(s) waiting")
                return
            time.sleep(0.5)
        self.note(f"jobs still pending at the deadline: {self.jobs_left()}")

    # -- reading --------------------------------------------------------------------------------------
    def _scoped(self, statement):
        """The statement limited to the suite's organisation (the session refuses unscoped tenant reads)."""
        return statement.execution_options(organisation_id=self.tenant.organisation_id)

    def _scalar(self, statement):
        db.session.rollback()  # a fresh snapshot: the workers committed since
        return db.session.scalar(self._scoped(statement))

    def jobs_left(self) -> int:
        total = 0
        for queue in all_queues(self.settings):
            total += (
                queue.count
                + queue.started_job_registry.count
                + queue.scheduled_job_registry.count
                + queue.deferred_job_registry.count
            )
        return total

    def runs_since(self, marker: int, *statuses: str) -> list[int]:
        db.session.rollback()
        query = select(SyncRun.id).where(
            SyncRun.connection_id == self.hris.id, SyncRun.id > marker, SyncRun.kind == "full"
        )
        if statuses:
            query = query.where(SyncRun.status.in_(statuses))
        return list(db.session.scalars(self._scoped(query)))

    def run_running_since(self, marker: int) -> bool:
        return bool(self.runs_since(marker, "running"))

    def run_finished_since(self, marker: int) -> bool:
        return bool(set(self.runs_since(marker)) - set(self.runs_since(marker, "running")))

    def runs_needing_approval(self) -> list[int]:
        return self.runs_since(0, "needs_approval")

    def pairs_enrolled(self) -> int:
        return self._scalar(
            select(func.count())
            .select_from(PairEnrolment)
            .where(PairEnrolment.pair_id.in_(self.pair_ids), PairEnrolment.status == "enrolled")
        )

    def stored(self) -> dict:
        db.session.rollback()
        rows = db.session.scalars(self.tenant.select(Employee))
        return {row.source_id: stored_person(row) for row in rows}

    def deliveries_stored(self) -> int:
        return self._scalar(
            select(func.count()).select_from(WebhookDelivery).where(WebhookDelivery.connection_id == self.hris.id)
        )

    def run_statuses(self) -> dict[str, int]:
        db.session.rollback()
        return dict(
            db.session.execute(
                self._scoped(
                    select(SyncRun.status, func.count())
                    .where(SyncRun.connection_id == self.hris.id)
                    .group_by(SyncRun.status)
                )
            ).all()
        )

    def final_tally(self, tally: Tally, truth: dict, stored: dict) -> None:
        """Runs left running, failed jobs, pending jobs, enrolments and differences at the very end."""
        tally.stuck_runs = self.run_statuses().get("running", 0)
        self.fleet.replace_dead()
        tally.workers_died = self.fleet.died
        tally.failed_jobs = len(failed_jobs(self.settings))
        tally.left_in_queues = self.jobs_left()
        tally.final_differences = differences(truth, stored)
        tally.pairs_requested = len(self.pair_ids)
        tally.pairs_enrolled = self.pairs_enrolled()
        tally.duplicate_vendor_writes = sum(self.lms.site.duplicates.values())
        tally.duplicate_kinds = dict(self.lms.site.duplicates)

    def close(self) -> None:
        """Stop workers, web app, emulators and proxies (the servers keep running); drop the organisation."""
        self.fleet.stop()
        self.web.stop()
        self.hr.stop()
        self.lms.stop()
        self.rig.stop()
        if getattr(self, "tenant", None) is not None:
            db.session.rollback()
            db.session.execute(delete(Organisation).where(Organisation.id == self.tenant.organisation_id))
            db.session.commit()


def _log_to(path: str) -> None:
    """The web app's logs (a traceback per webhook answered 5xx during the outage) go to the log file."""
    logger = logging.getLogger("plugin")
    handler = logging.FileHandler(path)
    formatters = [h.formatter for h in logging.getLogger().handlers if h.formatter]
    if formatters:
        handler.setFormatter(formatters[0])
    logger.addHandler(handler)
    logger.propagate = False  # not the JSON lines on the console: the table is what the reader wants
