"""`flipside match PROGRAMME`: run matching for a programme and print the summary with reasons."""
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
    from ..models import Programme
    from ..services import matching
    from ..services.organisations import tenant_for
    from ..services.programmes import find_programme
    from ..services.tenant import Tenant

    _app, ctx = _app_context()
    with ctx:
        if org is None and programme.isdigit():
            row = db.session.get(Programme, int(programme), execution_options={"all_tenants": True})
            tenant = Tenant(db.session, row.organisation_id) if row else tenant_for(db.session, -1)
        else:
            tenant = tenant_for(db.session, org or "")
        target = find_programme(tenant, programme)
        result, names = matching.run_matching(tenant, target.id, dry_run=dry_run, actor="cli")
        if not dry_run:
            db.session.commit()
        click.echo(f"{target.name}: {summary(result)}" + (" (dry run: nothing stored)" if dry_run else ""))
        for pair in result.pairs[:show]:
            click.echo(explain_pair(pair, names))
        for unfilled in result.unfilled[:show]:
            click.echo(explain_unfilled(unfilled, names))
