"""`flipside jobs daily`: the daily programme-life jobs of every organisation (run it from cron)."""

from __future__ import annotations

import click

from . import jobs


@jobs.command("daily")
def jobs_daily():
    """Queue each organisation's daily jobs: cadence reminders, erasure of leavers, course roster imports."""
    from sqlalchemy import select

    from .. import create_app
    from ..db import db as database
    from ..jobs.daily import enqueue_daily
    from ..models import Organisation
    from . import _settings

    settings = _settings()
    with create_app(settings).app_context():
        ids = list(database.session.scalars(select(Organisation.id)))
        for organisation_id in ids:
            enqueue_daily(settings, organisation_id)
    click.echo(f"queued the daily jobs of {len(ids)} organisation(s)")
