"""HR views of programme life: anonymous insights and exports, pair health (audited), credential revocation.

A child of the /admin blueprint (plugin.web.admin): its guard lets only HR admins in, and its hook commits.
"""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request, url_for

from ..db import db
from ..services import credentials, insights, privacy
from ..services import pair_health as pair_health_service
from ..services.tenant import Tenant
from . import access
from .access import signed_in
from .paging import page_number

bp = Blueprint("life_admin", __name__)  # under /admin


def hr_tenant() -> tuple[dict, Tenant]:
    user = signed_in()
    return user, Tenant(db.session, user["organisation_id"])


def _report(tenant: Tenant) -> insights.InsightReport:
    by = tuple(x for x in request.args.get("by", "programme,role").split(",") if x)
    where = {k: request.args[k] for k in insights.DIMENSIONS if request.args.get(k)}
    return insights.reflection_insights(tenant, by, where=where)


@bp.get("/insights")
def insight_page():
    _, tenant = hr_tenant()
    return render_template("life_admin/insights.html", report=_report(tenant), dimensions=insights.DIMENSIONS)


@bp.get("/insights.csv")
def insight_export():
    _, tenant = hr_tenant()
    return Response(
        insights.to_csv(_report(tenant)),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="flipside-insights.csv"'},
    )


@bp.get("/pairs/health")
def pair_health():
    """Named pairs with cadence and cancellations; every view is written to the audit log."""
    _, tenant = hr_tenant()
    found = pair_health_service.organisation_health(tenant, page=page_number())
    privacy.viewed(
        tenant,
        access.actor(),
        "pair health",
        "organisation",
        tenant.organisation_id,
        shown=len(found.rows),
        page=found.page,
    )
    return render_template("life_admin/pairs.html", found=found, rows=found.rows)


@bp.post("/credentials/<uid>/revoke")
def revoke(uid: str):
    user, tenant = hr_tenant()
    credentials.revoke(tenant, uid, request.form.get("reason", ""), f"hr:{user.get('employee_id')}")
    return redirect(url_for(".pair_health"), code=303)
