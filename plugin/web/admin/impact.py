"""Impact: charts and a table of lifts with their intervals, editable costs, CSV export."""

from __future__ import annotations

import math

from flask import Response, redirect, render_template, request
from flask_babel import gettext, lazy_gettext

from ...domain.impact import GROUPS, HORIZONS, OUTCOMES
from ...errors import ValidationError
from ...models import Programme
from ...services import impact, momentum
from .. import charts
from . import bp, tenant

OUTCOME_TITLES = {"retention": lazy_gettext("Retention"), "promotion": lazy_gettext("Promotion")}


@bp.get("/programmes/<int:programme_id>/impact")
def impact_page(programme_id: int):
    programme = tenant().get(Programme, programme_id)
    settings = impact.settings_row(tenant(), programme.id)
    report = impact.programme_impact(tenant(), programme.id) if programme.starts_on else None
    due = [
        months
        for months in HORIZONS
        if report and any(c.months == months and c.status != "not_yet" for c in report.cells)
    ]
    return render_template(
        "admin/impact.html",
        programme=programme,
        settings=settings,
        report=report,
        due=due,
        leading=momentum.leading_indicators(tenant(), programme.id) if report else None,
        charts=_charts(report, due) if report else [],
        groups=GROUPS,
        outcomes=OUTCOMES,
        horizons=HORIZONS,
        status_text=charts.status_text,
        points=charts.points,
    )


def _charts(report, due: list[int]) -> list:
    found = []
    for outcome in OUTCOMES:
        for months in due:
            cells = [report.cell(group, outcome, months) for group in GROUPS]
            title = gettext(
                "%(outcome)s at %(num)s months: lift over comparable colleagues",
                outcome=OUTCOME_TITLES[outcome],
                num=months,
            )
            found.append((title, charts.lift_chart(cells, title, report.settings.threshold)))
    return found


@bp.post("/programmes/<int:programme_id>/impact/settings")
def impact_settings(programme_id: int):
    form = request.form
    try:
        data = {
            "replacement_cost": float(form.get("replacement_cost", 0)),
            "programme_cost": float(form.get("programme_cost", 0)),
            "threshold": int(form.get("threshold", 5)),
            "opt_in": form.get("opt_in") == "on",
        }
    except ValueError as exc:
        raise ValidationError("Costs and the threshold must be numbers") from exc
    costs = (data["replacement_cost"], data["programme_cost"])
    if not all(math.isfinite(c) and c >= 0 for c in costs):
        raise ValidationError("Costs must be zero or more")
    impact.update_settings(tenant(), programme_id, data, actor="admin")
    return redirect(f"/admin/programmes/{programme_id}/impact", code=303)


@bp.get("/programmes/<int:programme_id>/impact.csv")
def impact_csv(programme_id: int):
    report = impact.programme_impact(tenant(), programme_id)
    return Response(
        impact.impact_csv(report),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=impact-programme-{programme_id}.csv"},
    )
