"""HR views of programme life: anonymous insights and exports, pair health (audited), credential revocation."""
from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request, url_for

from ..db import db
from ..models import Credential, Employee, Pair
from ..services import credentials, insights, privacy, sessions
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
    _, tenant = hr_tenant()
    rows = []
    for pair in tenant.all(Pair, Pair.status.in_(("approved", "active", "completed"))):
        names = [tenant.get(Employee, i) for i in (pair.mentor_employee_id, pair.mentee_employee_id)]
        rows.append((pair, names, sessions.pair_health(tenant, pair),
                     tenant.all(Credential, Credential.pair_id == pair.id)))
    privacy.viewed(tenant, access.actor(), "pair health", "organisation", tenant.organisation_id, shown=len(rows))
    db.session.commit()
    return render_template("life_admin/pairs.html", rows=rows)


@bp.post("/admin/credentials/<uid>/revoke")
def revoke(uid: str):
    user, tenant = hr_tenant()
    credentials.revoke(tenant, uid, request.form.get("reason", ""), f"hr:{user.get('employee_id')}")
    db.session.commit()
    return redirect(url_for("life_admin.pair_health"), code=303)
