"""The `flipside` command line: thin commands over the services; one clear line and a non-zero exit on error."""

from __future__ import annotations

import sys

import click

from .. import create_app
from ..errors import FlipsideError


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
    from ..config import from_environment

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
    from .. import migration_state

    settings = _settings()
    at = migration_state.upgrade(settings.resolved_database_url, revision)
    click.echo(f"database at revision {at}")


@main.command()
@click.argument("queues", nargs=-1)
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
def worker(queues, burst):
    """Run an RQ worker on QUEUES (default: high default low)."""
    from ..jobs import runner

    runner.run_worker(_settings(), create_app, queues, burst=burst)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
def serve(host, port):
    """Serve the web app; on the embedded default it also runs a worker."""
    from ..jobs import runner

    runner.serve(_served_settings(host, port), create_app, host, port)


def _served_settings(host: str, port: int):
    """Settings whose links point where we serve, unless FLIPSIDE_BASE_URL names the public URL."""
    import os

    if os.environ.get("FLIPSIDE_BASE_URL"):
        return _settings()
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104 - a wildcard is not a link
    return _settings(base_url=f"http://{'[' + shown + ']' if ':' in shown else shown}:{port}")


@main.command()
@click.option("--no-serve", is_flag=True, help="Exit after the demo instead of serving the web app.")
@click.option("--seed", default=7, show_default=True, type=int, help="Seed for the synthetic workforce.")
@click.option(
    "--employees",
    default=2000,
    show_default=True,
    type=click.IntRange(10, 200_000),
    help="Size of the synthetic workforce.",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
def demo(no_serve, seed, employees, host, port):
    """Run every capability end to end on the embedded default, then serve the UI.

    --host and --port also set the links the demo prints (and the development LMS uses), unless
    FLIPSIDE_BASE_URL is set."""
    from ..demo.walkthrough import run_demo

    settings = _served_settings(host, port)
    run_demo(settings, seed=seed, employees=employees)
    if not no_serve:
        from ..jobs import runner

        runner.serve(settings, create_app, host, port)


@main.group()
def jobs():
    """Background jobs."""


@jobs.command("failed")
def jobs_failed():
    """List failed jobs with the reason they failed."""
    from rich.console import Console
    from rich.table import Table

    from ..jobs.queue import failed_jobs

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


@jobs.command("recover")
@click.option(
    "--watch",
    default=5.0,
    show_default=True,
    type=click.FloatRange(0, 600),
    help="Seconds a job must stay orphaned before it is put back.",
)
def jobs_recover(watch):
    """Put back jobs that a killed worker took from a queue but never started (workers also do this
    on their own, every 30 seconds)."""
    import time

    from ..jobs import recovery

    settings = _settings()
    recovery.sweep(settings, grace=watch, now=time.time())
    time.sleep(watch)
    ids = recovery.sweep(settings, grace=watch, now=time.time())
    click.echo(f"put back {len(ids)} job(s)" + (": " + ", ".join(ids) if ids else ""))


@jobs.command("relay")
def jobs_relay():
    """Enqueue the jobs the outbox holds (workers and `flipside serve` do this every second); exit 1
    when Redis refused some and they still wait."""
    from sqlalchemy import func, select

    from ..db import make_engine
    from ..jobs.relay import relay_quietly
    from ..models import OutboxMessage

    settings = _settings()
    engine = make_engine(settings.resolved_database_url)
    sent = total = relay_quietly(settings, engine)
    while sent:  # one batch per round, until nothing is left or Redis stops taking them
        sent = relay_quietly(settings, engine)
        total += sent
    with engine.connect() as conn:
        waiting = conn.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None)))
    engine.dispose()
    click.echo(f"sent {total} job(s); {waiting} waiting")
    if waiting:
        raise SystemExit(1)


@main.group()
def secrets():
    """Secrets at rest."""


@secrets.command("generate-key")
def secrets_generate_key():
    """Print a new key for FLIPSIDE_ENCRYPTION_KEYS (put it first; keep the old ones after it)."""
    from ..vault import generate_key

    click.echo(generate_key())


@secrets.command("reencrypt")
def secrets_reencrypt():
    """Re-encrypt every stored secret under the first key in FLIPSIDE_ENCRYPTION_KEYS."""
    from ..db import db as database
    from ..services.secrets import reencrypt_all

    app = create_app(_settings())
    with app.app_context():
        count = reencrypt_all(database.session, app.extensions["flipside.vault"])
    click.echo(f"re-encrypted {count} secrets under the newest key")


def _app_context():
    app = create_app(_settings())
    return app, app.app_context()


from . import admin, bench, hris, life, lms, lti, programmes  # noqa: E402,F401  (their commands attach to `main`)

if __name__ == "__main__":  # pragma: no cover
    main()
