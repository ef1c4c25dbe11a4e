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


def _access(
    action: str, organisation: str, email: str, role: str, programme: int | None, region: str | None = None
) -> None:
    from ..db import db as database
    from ..services import access
    from ..services.organisations import tenant_for

    _app, ctx = _app_context()
    with ctx:
        tenant = tenant_for(database.session, organisation)
        if action == "grant":
            access.grant(tenant, email, role, programme, actor="cli", region=region)
        else:
            access.revoke(tenant, email, role, programme, actor="cli", region=region)
        database.session.commit()
    where = f" of programme {programme}" if role == "coordinator" and programme else ""
    where = f" of region {region}" if role == "coordinator" and region else where
    done = "Granted" if action == "grant" else "Revoked"
    click.echo(f"{done} {role}{where} {'to' if action == 'grant' else 'from'} {email}")


ROLE = click.option(
    "--role",
    type=click.Choice(["hr_admin", "coordinator"]),
    required=True,
    help="HR admin of the whole organisation, or coordinator of one programme or one region",
)
REGION = click.option(
    "--region", default=None, help="a region the organisation's people work in (a regional coordinator)"
)
PROGRAMME = click.option(
    "--programme", type=click.IntRange(min=1), default=None, help="the programme id (required for a coordinator)"
)


@admin.command("grant")
@click.argument("organisation")
@click.argument("email")
@ROLE
@PROGRAMME
@REGION
def admin_grant(organisation, email, role, programme, region):
    """Give EMAIL (the work email they sign in to the LMS with) access in ORGANISATION."""
    _access("grant", organisation, email, role, programme, region)


@admin.command("revoke")
@click.argument("organisation")
@click.argument("email")
@ROLE
@PROGRAMME
@REGION
def admin_revoke(organisation, email, role, programme, region):
    """Take access back from EMAIL in ORGANISATION; it stops working on their next request."""
    _access("revoke", organisation, email, role, programme, region)
