"""Demo step: the programme's Slack channel (a loopback webhook emulator) and this week's digest, by a worker."""

from __future__ import annotations

from datetime import date

from flask import current_app
from rich.console import Console

from ..config import Settings
from ..db import db
from ..emulators.chat import ChatEmulator
from ..jobs import notify
from ..jobs.queue import enqueue
from ..services import chat_channels
from ..services.tenant import Tenant


def digest_step(settings: Settings, organisation_id: int, programme_id: int, chat: ChatEmulator, console: Console):
    """Add the emulator's Slack webhook to the programme (needs an app context) and queue this week's digest."""
    tenant = Tenant(db.session, organisation_id)
    vault = current_app.extensions["flipside.vault"]
    url = chat.url("slack", f"demo{organisation_id}")
    chat_channels.add(tenant, vault, programme_id, url, "demo", loopback=True)
    db.session.commit()
    today = date.today()
    enqueue(
        settings,
        notify.weekly_digest,
        organisation_id,
        today.isoformat(),
        job_id=f"demo-digest-{organisation_id}-{today.isoformat()}",
        organisation_id=organisation_id,
    )
    console.print("[green]✓[/] Slack channel (loopback webhook emulator) added; this week's digest is queued")
    return url
