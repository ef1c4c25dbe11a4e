"""The `flipside` command line: thin commands over the services; one clear line and a non-zero exit on error."""
from __future__ import annotations

import sys

import click

from .errors import FlipsideError


class FlipsideGroup(click.Group):
    """Turns any FlipsideError into one line on stderr and exit status 1."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except FlipsideError as exc:
            click.secho(f"error: {exc.message}", fg="red", err=True)
            sys.exit(1)


@click.group(cls=FlipsideGroup, context_settings={"help_option_names": ["-h", "--help"]})
def main():
    """Flipside: reverse mentoring inside the LMS and HRIS you already run.

    Start with `flipside demo`: it builds a demo organisation on the embedded database and Redis,
    runs every capability end to end, and serves the web app on http://127.0.0.1:5000.
    """


def _settings(**overrides):
    from .config import from_environment

    settings = from_environment(**overrides)
    settings.check()
    return settings


@main.group()
def db():
    """Database schema commands."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
def db_upgrade(revision):
    """Apply migrations (SQLite by default, or DATABASE_URL)."""
    from . import schema

    settings = _settings()
    at = schema.upgrade(settings.resolved_database_url, revision)
    click.echo(f"database at revision {at}")


@main.command()
@click.argument("queues", nargs=-1)
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
def worker(queues, burst):
    """Run an RQ worker on QUEUES (default: high default low)."""
    from .jobs import runner

    runner.run_worker(_settings(), queues, burst=burst)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
def serve(host, port):
    """Serve the web app; on the embedded default it also runs a worker."""
    from .jobs import runner

    runner.serve(_settings(), host, port)


@main.command()
@click.option("--no-serve", is_flag=True, help="Exit after the demo instead of serving the web app.")
@click.option("--seed", default=7, show_default=True, type=int, help="Seed for the synthetic workforce.")
@click.option("--employees", default=2000, show_default=True, type=click.IntRange(10, 200_000),
              help="Size of the synthetic workforce.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
def demo(no_serve, seed, employees, port):
    """Run every capability end to end on the embedded default, then serve the UI."""
    from .demo import run_demo

    settings = _settings()
    run_demo(settings, seed=seed, employees=employees)
    if not no_serve:
        from .jobs import runner

        runner.serve(settings, "127.0.0.1", port)


@main.group()
def jobs():
    """Background jobs."""


@jobs.command("failed")
def jobs_failed():
    """List failed jobs with the reason they failed."""
    from rich.console import Console
    from rich.table import Table

    from .jobs.queue import failed_jobs

    rows = failed_jobs(_settings())
    if not rows:
        click.echo("no failed jobs")
        return
    console = Console()
    if not console.is_terminal:  # pipes and scripts get one plain line per job
        for job in rows:
            click.echo(f"{job.id}\t{job.function}\t{job.queue}\t{job.ended_at or ''}\t{job.reason}")
        return
    table = Table("job", "function", "queue", "ended", "reason")
    for job in rows:
        table.add_row(job.id, job.function, job.queue, str(job.ended_at or ""), job.reason)
    console.print(table)


@main.group()
def bench():
    """Benchmarks: each prints a table and ends with one line `RESULT key=value ...`."""


@bench.command("enrol")
@click.option("--pairs", default=200, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--lms", type=click.Choice(["moodle", "canvas"]), default="moodle", show_default=True)
@click.option("--rate", default=50.0, show_default=True, help="Requests per second allowed per connection.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
def bench_enrol(pairs, lms, rate, workers):
    """Pairs enrolled per second against the LMS emulator with a shared rate limit."""
    from rich.console import Console

    from bench.enrol import report, run

    console = Console()
    figures = run(_settings(), pairs=pairs, lms=lms, rate=rate, workers=workers, console=console)
    click.echo(report(figures, lms=lms, rate=rate, workers=workers, console=console))


@main.group()
def secrets():
    """Secrets at rest."""


@secrets.command("generate-key")
def secrets_generate_key():
    """Print a new key for FLIPSIDE_ENCRYPTION_KEYS (put it first; keep the old ones after it)."""
    from .vault import generate_key

    click.echo(generate_key())


@secrets.command("reencrypt")
def secrets_reencrypt():
    """Re-encrypt every stored secret under the first key in FLIPSIDE_ENCRYPTION_KEYS."""
    from . import create_app
    from .db import db as database
    from .services.secrets import reencrypt_all

    app = create_app(_settings())
    with app.app_context():
        count = reencrypt_all(database.session, app.extensions["flipside.vault"])
    click.echo(f"re-encrypted {count} secrets under the newest key")


def _app_context():
    from . import create_app

    app = create_app(_settings())
    return app, app.app_context()


@main.group()
def keys():
    """The tool's LTI signing keys."""


@keys.command("rotate")
def keys_rotate():
    """Rotate the signing key: next becomes active; the old key stays in the JWKS until the next rotation."""
    from .db import db as database
    from .lti import keys as lti_keys

    app, ctx = _app_context()
    with ctx:
        old, new = lti_keys.rotate(database.session, app.extensions["flipside.vault"])
    click.echo(f"signing key rotated: {old} -> {new} (both stay published at /lti/jwks.json)")


@main.group()
def platform():
    """LMS platforms (LTI registrations)."""


@platform.command("add")
@click.option("--issuer", required=True, help="The platform's issuer (Moodle: its wwwroot).")
@click.option("--client-id", required=True)
@click.option("--auth-login-url", required=True, help="OIDC authorisation endpoint.")
@click.option("--auth-token-url", required=True, help="OAuth2 token endpoint.")
@click.option("--jwks-url", required=True, help="The platform's public keyset URL.")
@click.option("--deployment-id", "deployment_ids", multiple=True, help="Repeat for several deployments.")
@click.option("--org", "orgs", multiple=True, help="Organisation slug the deployments serve (repeatable).")
@click.option("--name", default="")
@click.option("--product", type=click.Choice(["moodle", "canvas", "other"]), default="other")
def platform_add(issuer, client_id, auth_login_url, auth_token_url, jwks_url, deployment_ids, orgs, name,
                 product):
    """Register an LMS by hand and print the tool URLs to paste into it."""
    from .db import db as database
    from .lti import registrations

    app, ctx = _app_context()
    with ctx:
        row = registrations.register_by_hand(database.session, registrations.PlatformInput(
            issuer=issuer, client_id=client_id, auth_login_url=auth_login_url, auth_token_url=auth_token_url,
            key_set_url=jwks_url, name=name, product=product, deployment_ids=tuple(deployment_ids)), orgs)
        click.echo(f"platform {row.id} registered: {issuer} client {client_id}, "
                   f"deployments {', '.join(deployment_ids) or '(none yet)'}")
        for label, url in registrations.tool_urls(app.config["FLIPSIDE"].base_url).items():
            click.echo(f"  {label}: {url}")


@platform.command("activate")
@click.argument("registration_id", type=int)
@click.option("--org", "orgs", multiple=True, required=True, help="Organisation slug (repeatable).")
def platform_activate(registration_id, orgs):
    """Activate a dynamically registered platform and attach its deployments to organisations."""
    from .db import db as database
    from .lti import registrations

    _app, ctx = _app_context()
    with ctx:
        row = registrations.activate_for(database.session, registration_id, orgs)
        click.echo(f"platform {row.id} active for {', '.join(orgs)}")


@platform.command("invite")
@click.argument("org")
def platform_invite(org):
    """Print the dynamic registration URL that installs Flipside for ORG."""
    from .db import db as database
    from .lti.registration import invitation
    from .services.organisations import find_organisation

    app, ctx = _app_context()
    with ctx:
        settings = app.config["FLIPSIDE"]
        token = invitation(settings.secret_key, find_organisation(database.session, org).id)
        click.echo(f"{settings.base_url}/lti/register?org={token}")


@main.group()
def bench():
    """Benchmarks; each ends with one line `RESULT key=value ...`."""


@bench.command("launch")
@click.option("--runs", default=3, show_default=True, type=click.IntRange(1, 20))
@click.option("--seconds", default=5.0, show_default=True, help="Duration of each run.")
@click.option("--clients", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Browser-like client processes.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="gunicorn workers.")
def bench_launch(runs, seconds, clients, workers):
    """Full OIDC login + launch round trips against gunicorn, beside a bare pylti1p3 tool."""
    from bench.launch import run

    run(runs=runs, seconds=seconds, clients=clients, workers=workers, echo=click.echo)


if __name__ == "__main__":  # pragma: no cover
    main()


@jobs.command("daily")
def jobs_daily():
    """Queue each organisation's daily programme jobs: cadence reminders, erasure of leavers (run from cron)."""
    from sqlalchemy import select

    from . import create_app
    from .db import db as database
    from .jobs.life import enqueue_daily
    from .models import Organisation

    settings = _settings()
    with create_app(settings).app_context():
        ids = list(database.session.scalars(select(Organisation.id)))
        for organisation_id in ids:
            enqueue_daily(settings, organisation_id)
    click.echo(f"queued the daily jobs of {len(ids)} organisation(s)")
