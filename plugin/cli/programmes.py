"""`flipside match PROGRAMME` (matching, with its summary and reasons) and `flipside programme close|next`."""

from __future__ import annotations

import click

from . import _app_context, main


@main.command()
@click.argument("programme")
@click.option("--org", default=None, help="Organisation slug or id (needed when PROGRAMME is a name).")
@click.option("--dry-run", is_flag=True, help="Preview only: store nothing.")
@click.option("--show", default=10, show_default=True, type=click.IntRange(0, 10_000), help="Pairs to explain.")
def match(programme, org, dry_run, show):
    """Match PROGRAMME (id, or name with --org) and print slots filled, optimality, and reasons."""
    from ..db import db
    from ..domain.matching.explain import explain_pair, explain_unfilled, summary
    from ..services import matching

    _app, ctx = _app_context()
    with ctx:
        tenant, target = _programme(programme, org)
        result, names = matching.run_matching(tenant, target.id, dry_run=dry_run, actor="cli")
        if not dry_run:
            db.session.commit()
        click.echo(f"{target.name}: {summary(result)}" + (" (dry run: nothing stored)" if dry_run else ""))
        for pair in result.pairs[:show]:
            click.echo(explain_pair(pair, names))
        for unfilled in result.unfilled[:show]:
            click.echo(explain_unfilled(unfilled, names))


def _programme(key: str, org: str | None):
    """The tenant and programme named on the command line (needs an app context)."""
    from ..db import db
    from ..models import Programme
    from ..services.organisations import tenant_for
    from ..services.programmes import find_programme
    from ..services.tenant import Tenant

    if org is None and key.isdigit():
        row = db.session.get(Programme, int(key), execution_options={"all_tenants": True})
        tenant = Tenant(db.session, row.organisation_id) if row else tenant_for(db.session, -1)
    else:
        tenant = tenant_for(db.session, org or "")
    return tenant, find_programme(tenant, key)


@main.group()
def programme():
    """A programme's cycle: close it, start the next cohort."""


@programme.command("close")
@click.argument("key", metavar="PROGRAMME")
@click.option("--org", default=None, help="Organisation slug or id (needed when PROGRAMME is a name).")
def programme_close(key, org):
    """Close an active PROGRAMME: pairs that met the completion rule complete (credentials and write-back
    follow), the others end; sessions become read-only and the participants stay as alumni."""
    from ..db import db
    from ..services import cohorts

    _app, ctx = _app_context()
    with ctx:
        tenant, target = _programme(key, org)
        closing = cohorts.close_programme(tenant, target.id, "cli")
        db.session.commit()
        click.echo(
            f"{target.name}: closed; {len(closing.completed)} pair completed, {len(closing.ended)} ended, "
            f"{closing.alumni} alumni"
        )


@programme.command("next")
@click.argument("key", metavar="PROGRAMME")
@click.option("--name", required=True, help="Name of the next cohort.")
@click.option("--org", default=None, help="Organisation slug or id (needed when PROGRAMME is a name).")
def programme_next(key, name, org):
    """Start the next cohort from a closed PROGRAMME: its settings, no past pair repeated, its mentors invited."""
    from ..db import db
    from ..services import cohorts

    _app, ctx = _app_context()
    with ctx:
        tenant, target = _programme(key, org)
        successor = cohorts.next_cohort(tenant, target.id, name, "cli")
        db.session.commit()
        click.echo(f"{successor.name}: draft programme {successor.id} from {target.name}")
