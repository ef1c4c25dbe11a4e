"""The demo's admin step: a measured pilot and a running cohort, the impact headline, and a login link."""

from __future__ import annotations

from datetime import date

from rich.console import Console
from rich.table import Table

from ..config import Settings
from ..db import db
from ..services import admin_login, impact, pair_health
from ..services.tenant import Tenant
from ..web.charts import points, status_text
from . import pilot as demo_pilot


def admin_step(settings: Settings, organisation_id: int, console: Console) -> str:
    """Seed the demo programmes (needs an app context), print their impact; returns the admin login URL."""
    tenant = Tenant(db.session, organisation_id)
    pilot, cohort = demo_pilot.seed_programmes(tenant, date.today())
    report = impact.programme_impact(tenant, pilot.id)
    at_risk = sum(h.at_risk for h in pair_health.programme_assessment(tenant, cohort.id))
    token = admin_login.issue_link(db.session, organisation_id, actor="demo")
    db.session.commit()
    table = Table(title=f"Impact of {pilot.name}: lift over comparable colleagues, percentage points (95% CI)")
    for column in ("group", "outcome", "months", "participants", "lift"):
        table.add_column(column, justify="right" if column in ("months", "participants") else "left")
    for cell in report.cells:
        lift = (
            f"{points(cell.absolute.estimate)} ({points(cell.absolute.low)} to {points(cell.absolute.high)})"
            if cell.absolute
            else status_text(cell, report.settings.threshold)
        )
        table.add_row(cell.group, cell.outcome, str(cell.months), str(cell.participants or ""), lift)
    console.print(table)
    if any(cell.status == "shown" for cell in report.cells):
        console.print("No effect is planted in the synthetic workforce, so the intervals should straddle zero.")
    else:
        console.print("Too few comparable people for any cell at this size: try --employees 2000.")
    console.print(f"[green]✓[/] {cohort.name}: {at_risk} pairs at risk (no session for two cadence periods)")
    url = f"{settings.base_url}/admin/login/{token}"
    console.print(f"[green]✓[/] HR admin workspace (one-time link, 15 minutes): {url}")
    return url
