"""The demo's HRIS steps: sync the synthetic workforce from the BambooHR emulator in a real worker, then
apply a change in the emulator, POST its signed webhook to our own endpoint, and show the change arrive."""

from __future__ import annotations

import time
from dataclasses import dataclass

from rich.console import Console

from ..config import Settings
from ..db import db
from ..emulators.bamboohr import BambooHREmulator
from ..errors import FlipsideError
from ..jobs.queue import enqueue
from ..jobs.runner import run_burst
from ..jobs.sync import full_sync
from ..models import Employee
from ..services import webhooks
from ..services.connections import create_connection
from ..services.sync import describe, latest_run
from ..services.tenant import Tenant
from .workforce import generate_workforce


class DemoFailed(FlipsideError):
    """A demo step did not finish."""

    code = "demo_failed"


@dataclass(frozen=True)
class DemoSync:
    """What the demo's sync steps did, for the summary and tests."""

    connection_id: int
    inserted: int
    status: str
    changed_employee: str
    new_title: str


def run_sync_steps(app, settings: Settings, org_id: int, employees: int, seed: int, console: Console) -> DemoSync:
    """Serve the workforce from the emulator, sync it through a worker, then deliver a webhook-driven change."""
    emulator = BambooHREmulator(generate_workforce(employees, seed, source_system="bamboohr")).start()
    try:
        with app.app_context():
            tenant = Tenant(db.session, org_id)
            conn = create_connection(
                tenant,
                app.extensions["flipside.vault"],
                "bamboohr",
                name="BambooHR (emulated)",
                settings={
                    "company": emulator.company,
                    "origin": emulator.base_url,
                    "fields": {"is_manager": "customIsManager"},
                },
                credentials={"api_key": emulator.api_key},
                actor="demo",
            )
            db.session.commit()
            inserted, status = _full_sync(settings, tenant, conn.id, employees, console)
            source_id, title = _webhook_change(app, settings, tenant, conn.id, emulator, console)
            return DemoSync(conn.id, inserted, status, source_id, title)
    finally:
        emulator.stop()


def _work(settings: Settings, what: str, console: Console) -> None:
    with console.status(what):
        status = run_burst(settings, quiet=True)
    if status != 0:
        raise DemoFailed(f"the worker exited with status {status}")


def _full_sync(settings: Settings, tenant: Tenant, connection_id: int, employees: int, console: Console):
    job = enqueue(
        settings,
        full_sync,
        tenant.organisation_id,
        connection_id,
        job_id=f"demo-sync-{connection_id}",
        retries=0,
        organisation_id=tenant.organisation_id,
    )
    started = time.perf_counter()
    _work(settings, f"A worker process is syncing {employees:,} employees from the BambooHR emulator...", console)
    job.refresh()
    if not job.is_finished:
        raise DemoFailed(f"the sync job did not finish ({job.get_status()})")
    tenant.session.expire_all()
    run = latest_run(tenant, connection_id)
    mark = "[green]✓[/]" if run.status == "ok" else "[yellow]![/]"
    console.print(f"{mark} worker job {job.id}: {describe(run)} in {time.perf_counter() - started:.1f} s")
    return run.inserted, run.status


def _webhook_change(app, settings, tenant: Tenant, connection_id: int, emulator, console: Console):
    vault = app.extensions["flipside.vault"]
    # BambooHR only accepts https webhook URLs; the demo POSTs the delivery itself, so any https URL will do
    base = settings.base_url if settings.base_url.startswith("https://") else "https://flipside.invalid"
    endpoint = webhooks.register_bamboohr(
        tenant, vault, db.engine, connection_id, f"{base}/webhooks/bamboohr/{connection_id}", actor="demo"
    )
    db.session.commit()
    person = next(r for r in emulator.expected() if r.active and r.manager_source_id)
    title = f"{person.job_title or 'Employee'} (reverse mentor)"
    emulator.update(person.source_id, job_title=title)
    body, headers = emulator.webhook_delivery(endpoint.remote_id, person.source_id, changed_fields=("jobTitle",))
    answer = app.test_client().post(f"/webhooks/bamboohr/{connection_id}", data=body, headers=headers)
    console.print(
        f"[green]✓[/] BambooHR changed {person.name}'s title; its signed webhook was answered "
        f"{answer.status_code} ({answer.json['accepted']} delivery handed to the sync)"
    )
    _work(settings, "A worker process is syncing the changed employee...", console)
    tenant.session.expire_all()
    stored = tenant.session.scalar(tenant.select(Employee, Employee.source_id == person.source_id))
    if stored is None or stored.job_title != title:
        raise DemoFailed("the webhook-driven change did not arrive")
    console.print(f"[green]✓[/] stored: {stored.first_name} {stored.last_name} is now “{stored.job_title}”")
    return person.source_id, title
