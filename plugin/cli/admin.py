"""`flipside admin ...`: the HR admin workspace on a standalone install (no LMS to launch from)."""
from __future__ import annotations

import click

from . import _app_context, main


@main.group()
def admin():
    """The HR admin workspace."""


@admin.command("login-link")
@click.argument("organisation")
def admin_login_link(organisation):
    """Print a one-time link (15 minutes) into ORGANISATION's admin workspace, for use without an LMS."""
    from ..db import db as database
    from ..services.admin_login import issue_link

    app, ctx = _app_context()
    with ctx:
        token = issue_link(database.session, organisation)
        database.session.commit()
    click.echo(f"{app.config['FLIPSIDE'].base_url}/admin/login/{token}")
