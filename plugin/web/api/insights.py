"""Reflection insights for HR tools: anonymous aggregates only, small cells suppressed (services.insights)."""
from __future__ import annotations

from flask import g, jsonify, request

from ...services import insights
from . import bp


@bp.get("/insights/reflections")
def reflection_insights():
    """`?by=role,region` and optional filters `programme=3`, `role=mentor`, `region=...`, `function=...`."""
    by = tuple(x for x in request.args.get("by", "programme").split(",") if x)
    where = {k: request.args[k] for k in insights.DIMENSIONS if request.args.get(k)}
    return jsonify(insights.as_json(insights.reflection_insights(g.tenant, by, where=where)))
