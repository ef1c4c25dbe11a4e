"""Reflection insights for HR tools: anonymous aggregates only, small cells suppressed (services.insights)."""

from __future__ import annotations

from flask import g, jsonify
from marshmallow import Schema, fields, validate

from ...services import insights
from . import bp, query
from .answers import InsightReportSchema
from .openapi import documented

DIMENSION = "(" + "|".join(insights.DIMENSIONS) + ")"


class InsightQuerySchema(Schema):
    by = fields.String(
        load_default="programme",
        validate=validate.Regexp(rf"^{DIMENSION}(,{DIMENSION})*$"),
        metadata={"description": "comma-separated dimensions to group by"},
    )
    programme = fields.String(validate=validate.Length(1, 200))
    role = fields.String(validate=validate.Length(1, 200))
    region = fields.String(validate=validate.Length(1, 200))
    function = fields.String(validate=validate.Length(1, 200))


@bp.get("/insights/reflections")
@documented(
    "Reflection aggregates; small groups suppressed", InsightReportSchema, query=InsightQuerySchema, errors=(400, 401)
)
def reflection_insights():
    """`?by=role,region` and optional filters `programme=3`, `role=mentor`, `region=...`, `function=...`."""
    args = query(InsightQuerySchema())
    by = tuple(args.pop("by").split(","))
    return jsonify(insights.as_json(insights.reflection_insights(g.tenant, by, where=args)))
