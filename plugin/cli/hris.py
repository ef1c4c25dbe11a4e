"""`flipside connect ...`, `flipside sync ORG` and `flipside sync approve|reject RUN`: HRIS from the command line."""

from __future__ import annotations

import click

from . import main


def _app():
    from .. import create_app
    from . import _settings

    return create_app(_settings())


def _tenant(session, org: str):
    from sqlalchemy import or_, select

    from ..errors import NotFound
    from ..models import Organisation
    from ..services.tenant import Tenant

    found = session.scalar(
        select(Organisation).where(
            or_(Organisation.slug == org, Organisation.id == (int(org) if org.isdigit() else -1))
        )
    )
    if found is None:
        raise NotFound(f"no organisation {org!r} (give its slug or id)")
    return Tenant(session, found.id)


@click.group()
def connect():
    """Connect an HRIS or an LMS, test a connection, register webhooks."""


@connect.command("bamboohr")
@click.argument("org")
@click.option("--company", required=True, help="BambooHR company subdomain.")
@click.option("--api-key", envvar="BAMBOOHR_API_KEY", help="API key (or BAMBOOHR_API_KEY).")
@click.option("--client-id", help="OAuth client id instead of an API key (then `flipside connect oauth`).")
@click.option("--client-secret", envvar="BAMBOOHR_CLIENT_SECRET")
@click.option("--origin", default=None, help="Scheme and host to use instead of BambooHR's (an emulator).")
def connect_bamboohr(org, company, api_key, client_id, client_secret, origin):
    """Connect BambooHR with an API key, or register an OAuth client to connect in the browser."""
    if bool(api_key) == bool(client_id):
        raise click.UsageError("give --api-key or --client-id (with --client-secret)")
    creds = {"api_key": api_key} if api_key else {"client_id": client_id, "client_secret": client_secret or ""}
    _create(org, "bamboohr", {"company": company, "origin": origin}, creds)


@connect.command("oauth")
@click.argument("connection_id", type=int)
def connect_oauth(connection_id):
    """Print the link (valid for an hour) that connects this connection through the vendor's OAuth consent."""
    from ..db import db
    from ..models import Connection
    from ..services.oauth_connect import connect_link

    app = _app()
    with app.app_context():
        conn = db.session.get(Connection, connection_id, execution_options={"all_tenants": True})
        if conn is None:
            raise click.ClickException(f"no connection {connection_id}")
        click.echo(connect_link(app.secret_key, app.config["FLIPSIDE"].base_url, conn))


@connect.command("workday")
@click.argument("org")
@click.option("--host", required=True, help="Workday services host, e.g. wd2-impl-services1.workday.com.")
@click.option("--tenant", "wd_tenant", required=True, help="Workday tenant name.")
@click.option("--report", required=True, help="Reports-as-a-Service report, owner/name.")
@click.option("--client-id", required=True)
@click.option("--client-secret", required=True, envvar="WORKDAY_CLIENT_SECRET")
@click.option(
    "--refresh-token",
    required=True,
    envvar="WORKDAY_REFRESH_TOKEN",
    help="The integration system user's refresh token (or WORKDAY_REFRESH_TOKEN).",
)
@click.option("--origin", default=None, help="Scheme and host to use instead of the host's (an emulator).")
def connect_workday(org, host, wd_tenant, report, client_id, client_secret, refresh_token, origin):
    """Connect Workday with an API client for integrations and an ISU refresh token."""
    settings = {"host": host, "tenant": wd_tenant, "report": report, "origin": origin}
    _create(
        org,
        "workday",
        settings,
        {"client_id": client_id, "client_secret": client_secret, "refresh_token": refresh_token},
    )


def _create(org, vendor, settings, credentials, *, tokens=None, name=""):
    from ..db import db
    from ..services.connections import create_connection

    app = _app()
    with app.app_context():
        tenant = _tenant(db.session, org)
        settings = {k: v for k, v in settings.items() if v}
        conn = create_connection(
            tenant,
            app.extensions["flipside.vault"],
            vendor,
            settings=settings,
            credentials=credentials,
            tokens=tokens,
            name=name,
            actor="cli",
        )
        db.session.commit()
        click.echo(f"connection {conn.id} ({vendor}) created; check it with `flipside connect test {conn.id}`")


@connect.command("test")
@click.argument("connection_id", type=int)
@click.option(
    "--course",
    multiple=True,
    help="LMS: also check enrolment into this course id (repeatable); "
    "by default the courses of the programmes using the connection.",
)
def connect_test(connection_id, course):
    """Report exactly what works: HRIS authentication, employees, fields; LMS functions or scopes, courses."""
    from ..db import db
    from ..models import Connection
    from ..services.connection_test import test_connection
    from ..services.tenant import Tenant

    app = _app()
    with app.app_context():
        conn = db.session.get(Connection, connection_id, execution_options={"all_tenants": True})
        if conn is None:
            raise click.ClickException(f"no connection {connection_id}")
        tenant = Tenant(db.session, conn.organisation_id)
        checks = test_connection(
            tenant,
            app.config["FLIPSIDE"],
            app.extensions["flipside.vault"],
            db.engine,
            connection_id,
            course_ids=list(course) or None,
            actor="cli",
        )
        db.session.commit()
    for check in checks:
        mark = click.style("ok  ", fg="green") if check.ok else click.style("FAIL", fg="red", bold=True)
        click.echo(f"{mark} {check.name}{'  ' + check.detail if check.detail else ''}")
    if not all(c.ok for c in checks):
        raise SystemExit(1)


@connect.command("webhook")
@click.argument("connection_id", type=int)
def connect_webhook(connection_id):
    """Register Flipside's webhook in BambooHR (at FLIPSIDE_BASE_URL) and keep its key, encrypted."""
    from ..db import db
    from ..models import Connection
    from ..services import webhooks
    from ..services.tenant import Tenant

    app = _app()
    with app.app_context():
        conn = db.session.get(Connection, connection_id, execution_options={"all_tenants": True})
        if conn is None or conn.vendor != "bamboohr":
            raise click.ClickException(f"no BambooHR connection {connection_id}")
        url = f"{app.config['FLIPSIDE'].base_url}/webhooks/bamboohr/{connection_id}"
        endpoint = webhooks.register_bamboohr(
            Tenant(db.session, conn.organisation_id), app.extensions["flipside.vault"], db.engine, connection_id, url
        )
        db.session.commit()
        click.echo(f"webhook {endpoint.remote_id} registered for {url}")


class _SyncCommands(click.Group):
    """`sync ORG [--full]` runs a sync (the hidden `run` command); `sync approve|reject RUN` decides one."""

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_SyncCommands)
def sync():
    """Sync ORG's HRIS connections now (`flipside sync ORG [--full]`), or decide a held sync run."""


def _decide(run_id: int, decision: str) -> None:
    from sqlalchemy import select

    from ..db import db
    from ..errors import NotFound, ValidationError
    from ..models import SyncRun
    from ..services import safeguard
    from ..services.tenant import Tenant

    with _app().app_context():
        organisation_id = db.session.scalar(
            select(SyncRun.organisation_id).where(SyncRun.id == run_id).execution_options(all_tenants=True)
        )  # the CLI names a run
        if organisation_id is None:
            raise click.ClickException(f"no sync run {run_id}")
        decide = safeguard.approve if decision == "approve" else safeguard.reject
        try:
            run = decide(Tenant(db.session, organisation_id), run_id, "cli")
        except (NotFound, ValidationError) as err:
            raise click.ClickException(err.message) from err
        verb = "applied" if decision == "approve" else "rejected (nobody deactivated)"
        click.echo(f"sync run {run.id}: {len(run.held_leavers)} departure(s) {verb}")


@sync.command("approve")
@click.argument("run_id", metavar="RUN", type=int)
def sync_approve(run_id):
    """Apply exactly the departures a sync run held back (deletion safeguard)."""
    _decide(run_id, "approve")


@sync.command("reject")
@click.argument("run_id", metavar="RUN", type=int)
def sync_reject(run_id):
    """Apply none of the departures a sync run held back; the people stay."""
    _decide(run_id, "reject")


@sync.command("run", hidden=True)
@click.argument("org")
@click.option("--full", is_flag=True, help="Read everyone, not just what changed since the last sync.")
def sync_run(org, full):
    """Sync ORG's HRIS connections now, with a progress bar."""
    from rich.console import Console

    from ..db import db
    from ..models import Connection
    from ..services.connections import VENDORS

    app, console = _app(), Console()
    with app.app_context():
        tenant = _tenant(db.session, org)
        hris = [c for c in tenant.all(Connection) if VENDORS.get(c.vendor) == "hris"]
        if not hris:
            raise click.ClickException(f"organisation {org!r} has no HRIS connection; add one with `flipside connect`")
        results = [_sync_one(app, tenant, conn.id, full, console) for conn in hris]
    if any(r.status != "ok" for r in results):
        raise SystemExit(1)


def _sync_one(app, tenant, connection_id, full, console):
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from ..db import db
    from ..services.sync import describe, sync_connection

    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,.0f} employees"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(f"connection {connection_id}", total=None)
        run = sync_connection(
            tenant,
            app.extensions["flipside.vault"],
            db.engine,
            connection_id,
            full=full,
            progress=lambda done: progress.update(task, completed=done),
        )
    style = {"ok": "green", "partial": "bold yellow"}.get(run.status, "bold red")
    console.print(f"[{style}]{describe(run)}[/] ({run.duration_s:.1f} s)")
    for problem in run.rejections[:10]:
        console.print(f"  rejected {problem['source_id']}: {problem['reason']}")
    for problem in run.tree_problems[:5]:
        console.print(f"  reporting tree: {problem}")
    for leaver in run.held_leavers[:10]:
        console.print(f"  held departure {leaver['source_id']}: {leaver['name']}")
    return run


main.add_command(connect)
main.add_command(sync)
