"""HR views of programme life: anonymous insights and exports, pair health (audited), credential revocation."""
from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request, url_for

from ..db import db
from ..services import credentials, insights, privacy
from ..services import pair_health as pair_health_service
from ..services.tenant import Tenant
from . import access
from .access import signed_in

bp = Blueprint("life_admin", __name__)


def hr_tenant() -> tuple[dict, Tenant]:
    access.hr_admin()
    user = signed_in()
    return user, Tenant(db.session, user["organisation_id"])


def _report(tenant: Tenant) -> insights.InsightReport:
    by = tuple(x for x in request.args.get("by", "programme,role").split(",") if x)
    where = {k: request.args[k] for k in insights.DIMENSIONS if request.args.get(k)}
    return insights.reflection_insights(tenant, by, where=where)


@bp.get("/admin/insights")
def insight_page():
    _, tenant = hr_tenant()
    return render_template("life_admin/insights.html", report=_report(tenant), dimensions=insights.DIMENSIONS)


@bp.get("/admin/insights.csv")
def insight_export():
    _, tenant = hr_tenant()
    return Response(insights.to_csv(_report(tenant)), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="flipside-insights.csv"'})


@bp.get("/admin/pairs/health")
def pair_health():
    """Named pairs with cadence and cancellations; every view is written to the audit log."""
    user, tenant = hr_tenant()
    rows = pair_health_service.organisation_health(tenant)
    privacy.viewed(tenant, f"hr:{user.get('employee_id')}", "pair health", "organisation", tenant.organisation_id)
    db.session.commit()
    return render_template("life_admin/pairs.html", rows=rows)


@bp.post("/admin/credentials/<uid>/revoke")
def revoke(uid: str):
    user, tenant = hr_tenant()
    credentials.revoke(tenant, uid, request.form.get("reason", ""), f"hr:{user.get('employee_id')}")
    db.session.commit()
    return redirect(url_for("life_admin.pair_health"), code=303)
