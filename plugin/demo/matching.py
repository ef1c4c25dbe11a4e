"""Demo step: a programme for the synthetic workforce, matched with reasons, then approved."""

from __future__ import annotations

from datetime import date

from rich.console import Console
from rich.table import Table

from ..config import Settings
from ..db import db, transaction
from ..domain.matching.explain import explain_unfilled, summary
from ..models import Employee, Pair
from ..services import match_review, matching, programmes
from ..services.tenant import Tenant

DEMO_PROGRAMME = {
    "name": "Reverse mentoring 2027",
    "objectives": "Digital and AI fluency, Gen-Z culture, sustainability",
    "topics": ["ai", "social-media", "sustainability", "inclusion", "new-ways-of-working"],
    "mentors_per_executive": 3,
    "distinct_countries": True,
    "function_mix": "at_least_one_other",
    "min_overlap_hours": 1.0,
    "cadence_days": 14,
    "session_minutes": 45,
    "duration_weeks": 26,
    "mentee_rules": {"all": [{"field": "job_level", "op": ">=", "value": 7}]},
    "mentor_rules": {
        "all": [{"field": "job_level", "op": "<=", "value": 2}, {"field": "tenure_years", "op": "<", "value": 3}]
    },
}


def match_demo_programme(
    app, settings: Settings, organisation_id: int, console: Console, lms: dict | None = None
) -> dict:
    """Create the demo programme (in the LMS course `lms` names), enrol eligible people, match, show reasons,
    approve."""
    with app.app_context():
        tenant = Tenant(db.session, organisation_id)
        with transaction(db.session):
            programme = programmes.create_programme(tenant, {**DEMO_PROGRAMME, **(lms or {})}, actor="demo")
            added = programmes.enrol_eligible(tenant, programme.id, today=date.today())
        console.print(
            f"[green]✓[/] programme [bold]{programme.name}[/]: {added['mentee']} executives and "
            f"{added['mentor']} junior mentors eligible"
        )
        with transaction(db.session):
            result, names = matching.run_matching(tenant, programme.id, actor="demo")
        console.print(f"[green]✓[/] matching: {summary(result)}")
        for unfilled in result.unfilled[:3]:
            console.print(f"  [yellow]•[/] {explain_unfilled(unfilled, names)}")
        if len(result.unfilled) > 3:
            console.print(f"  … and {len(result.unfilled) - 3} more panels with empty slots, each with its reason")
        _print_pairs(console, tenant, programme.id, names)
        with transaction(db.session):
            approved = match_review.approve(tenant, programme.id, actor="demo")
        console.print(f"[green]✓[/] {len(approved)} pairs approved; the programme is active")
        return {
            "programme_id": programme.id,
            "filled": result.filled,
            "slots": result.slots,
            "optimal": result.optimal,
            "approved": len(approved),
        }


def _print_pairs(console: Console, tenant: Tenant, programme_id: int, names: dict, limit: int = 6) -> None:
    table = Table(title="First panels, with the reasons people will see", show_lines=True)
    for column in ("executive", "mentor", "score", "why"):
        table.add_column(column)
    people = {e.id: e for e in tenant.all(Employee, Employee.active.is_(True))}
    for pair in tenant.all(Pair, Pair.programme_id == programme_id)[:limit]:
        executive, mentor = people[pair.mentee_employee_id], people[pair.mentor_employee_id]
        top = sorted(pair.explanation, key=lambda r: -r["score"] * r["share"])[:3]
        table.add_row(
            f"{names.get(executive.id)} ({executive.country})",
            f"{names.get(mentor.id)} ({mentor.country})",
            f"{round(pair.score * 100)}/100",
            "\n".join(r["text"] for r in top),
        )
    console.print(table)
