"""Impact and pair-health endpoints: the same numbers as the admin pages, for HR's own BI."""

from __future__ import annotations

from flask import Response, g

from ...services import impact, pair_health, privacy
from . import bp, dump, load, paged, query
from .analytics_schemas import (
    ImpactQuerySchema,
    ImpactReportSchema,
    ImpactSettingsSchema,
    NudgeSchema,
    PairHealthSchema,
    pair_health_row,
)
from .openapi import documented
from .schemas import PageQuerySchema


def _query() -> dict:
    return query(ImpactQuerySchema())


@bp.get("/programmes/<int:programme_id>/impact")
@documented(
    "Retention and promotion against comparable non-participants",
    ImpactReportSchema,
    query=ImpactQuerySchema,
    errors=(400, 401, 404, 409),
)
def programme_impact(programme_id: int):
    args = _query()
    report = impact.programme_impact(g.tenant, programme_id, args["as_of"], args["roi_months"])
    return dump(ImpactReportSchema(), report)


@bp.get("/programmes/<int:programme_id>/impact.csv")
@documented("The impact report as CSV", "text/csv", query=ImpactQuerySchema, errors=(400, 401, 404, 409))
def programme_impact_csv(programme_id: int):
    args = _query()
    report = impact.programme_impact(g.tenant, programme_id, args["as_of"], args["roi_months"])
    return Response(
        impact.impact_csv(report),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=impact-programme-{programme_id}.csv"},
    )


@bp.get("/programmes/<int:programme_id>/impact/settings")
@documented("Impact settings: costs, opt-in, suppression threshold", ImpactSettingsSchema, errors=(401, 404))
def impact_settings(programme_id: int):
    return dump(ImpactSettingsSchema(), impact.settings_row(g.tenant, programme_id))


@bp.patch("/programmes/<int:programme_id>/impact/settings")
@documented("Change impact settings", ImpactSettingsSchema, body=ImpactSettingsSchema)
def change_impact_settings(programme_id: int):
    data = load(ImpactSettingsSchema(), partial=True)
    return dump(ImpactSettingsSchema(), impact.update_settings(g.tenant, programme_id, data, actor="api"))


@bp.get("/programmes/<int:programme_id>/pair-health")
@documented(
    "A page of the live pairs' health, pairs at risk first (Link header: next page)",
    PairHealthSchema(many=True),
    query=PageQuerySchema,
    errors=(400, 401, 404),
)
def programme_pair_health(programme_id: int):
    wanted = query(PageQuerySchema())
    found = pair_health.programme_health(g.tenant, programme_id, page=wanted["page"], per_page=wanted["per_page"])
    privacy.viewed(
        g.tenant, g.actor, "pair health", "programme", programme_id, shown=len(found.rows), page=found.page, via="api"
    )
    return paged(PairHealthSchema(many=True).dump([pair_health_row(r) for r in found.rows]), found)


@bp.post("/pairs/<int:pair_id>/nudge")
@documented("Nudge a pair at risk", NudgeSchema, status=201, errors=(401, 404, 409))
def nudge_pair(pair_id: int):
    return dump(NudgeSchema(), pair_health.nudge(g.tenant, pair_id, actor="api"), 201)
