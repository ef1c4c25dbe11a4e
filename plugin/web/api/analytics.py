"""Impact and pair-health endpoints: the same numbers as the admin pages, for HR's own BI."""
from __future__ import annotations

from flask import Response, g, jsonify, request
from marshmallow import ValidationError as SchemaError

from ...errors import ValidationError
from ...services import impact, pair_health
from . import bp, dump, load
from .analytics_schemas import (
    ImpactQuerySchema,
    ImpactReportSchema,
    ImpactSettingsSchema,
    NudgeSchema,
    PairHealthSchema,
    pair_health_row,
)

ID = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
PROGRAMME = {"name": "programme_id", "in": "path", "required": True, "schema": ID}
PAIR = {"name": "pair_id", "in": "path", "required": True, "schema": ID}
QUERY = [{"name": "as_of", "in": "query", "required": False, "schema": {"type": "string", "format": "date"}},
         {"name": "roi_months", "in": "query", "required": False, "schema": {"type": "integer", "enum": [12, 24]}}]
# path -> method -> (summary, request schema, response schema or media type, parameters)
DOCUMENTED = {
    "/programmes/{programme_id}/impact": {"get": (
        "Retention and promotion against comparable non-participants", None, "ImpactReport", [PROGRAMME, *QUERY])},
    "/programmes/{programme_id}/impact.csv": {"get": (
        "The impact report as CSV", None, "text/csv", [PROGRAMME, *QUERY])},
    "/programmes/{programme_id}/impact/settings": {
        "get": ("Impact settings: costs, opt-in, suppression threshold", None, "ImpactSettings", [PROGRAMME]),
        "patch": ("Change impact settings", "ImpactSettings", "ImpactSettings", [PROGRAMME])},
    "/programmes/{programme_id}/pair-health": {"get": (
        "Health of every live pair, pairs at risk first", None, "PairHealth[]", [PROGRAMME])},
    "/pairs/{pair_id}/nudge": {"post": ("Nudge a pair at risk", None, "Nudge", [PAIR])},
}
SCHEMAS = {"ImpactReport": ImpactReportSchema, "ImpactSettings": ImpactSettingsSchema,
           "PairHealth": PairHealthSchema, "Nudge": NudgeSchema}


def _query() -> dict:
    try:
        return ImpactQuerySchema().load(request.args.to_dict())
    except SchemaError as exc:
        raise ValidationError("The query is not valid", errors=exc.messages) from exc


@bp.get("/programmes/<int:programme_id>/impact")
def programme_impact(programme_id: int):
    query = _query()
    report = impact.programme_impact(g.tenant, programme_id, query["as_of"], query["roi_months"])
    return dump(ImpactReportSchema(), report)


@bp.get("/programmes/<int:programme_id>/impact.csv")
def programme_impact_csv(programme_id: int):
    query = _query()
    report = impact.programme_impact(g.tenant, programme_id, query["as_of"], query["roi_months"])
    return Response(impact.impact_csv(report), mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=impact-programme-{programme_id}.csv"})


@bp.get("/programmes/<int:programme_id>/impact/settings")
def impact_settings(programme_id: int):
    return dump(ImpactSettingsSchema(), impact.settings_row(g.tenant, programme_id))


@bp.patch("/programmes/<int:programme_id>/impact/settings")
def change_impact_settings(programme_id: int):
    data = load(ImpactSettingsSchema(), partial=True)
    return dump(ImpactSettingsSchema(), impact.update_settings(g.tenant, programme_id, data, actor="api"))


@bp.get("/programmes/<int:programme_id>/pair-health")
def programme_pair_health(programme_id: int):
    rows = pair_health.programme_health(g.tenant, programme_id)
    return jsonify(PairHealthSchema(many=True).dump([pair_health_row(r) for r in rows]))


@bp.post("/pairs/<int:pair_id>/nudge")
def nudge_pair(pair_id: int):
    return dump(NudgeSchema(), pair_health.nudge(g.tenant, pair_id, actor="api"), 201)


def document(spec) -> None:
    """Add these endpoints and their schemas to the OpenAPI document."""
    for name, schema in SCHEMAS.items():
        spec.components.schema(name, schema=schema)
    for path, operations in DOCUMENTED.items():
        spec.path(path=path, operations={m: _operation(m, *op) for m, op in operations.items()})


def _operation(method: str, summary: str, body: str | None, answer: str, parameters: list) -> dict:
    if "/" in answer:
        content = {answer: {"schema": {"type": "string"}}}
    else:
        ref = {"$ref": f"#/components/schemas/{answer.rstrip('[]')}"}
        content = {"application/json": {"schema": {"type": "array", "items": ref} if answer.endswith("[]") else ref}}
    op = {"summary": summary, "security": [{"bearer": []}], "parameters": parameters,
          "responses": {"201" if method == "post" else "200": {"description": "OK", "content": content},
                        "400": {"description": "Invalid input"}, "401": {"description": "No valid token"},
                        "404": {"description": "Not found in this organisation"}}}
    if body:
        op["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": {"$ref": f"#/components/schemas/{body}"}}}}
    return op
