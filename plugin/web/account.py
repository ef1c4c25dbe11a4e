"""After a launch: /me/ for participants (who you are, your pairs); HR admins confirm LMS account links here.

The HR admin's front page, /admin/, is the workspace dashboard (plugin/web/admin/dashboard.py)."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session

from ..db import db
from ..lti import identity
from ..models import Employee, Organisation
from ..services import learner, preparation
from ..services.tenant import Tenant
from .access import signed_in

bp = Blueprint("account", __name__)
PREPARATION_ASKED = "preparation_asked"  # this launch's session already asked the LMS for the preparation
admin_home = Blueprint("home", __name__)  # under /admin (plugin.web.admin): its guard lets only HR admins in


def _context(user: dict) -> dict:
    tenant = Tenant(db.session, user["organisation_id"])
    org = db.session.get(Organisation, user["organisation_id"])
    employee = tenant.get(Employee, user["employee_id"]) if user.get("employee_id") else None
    return {"user": user, "org": org, "employee": employee, "tenant": tenant}


@bp.get("/me/")
def me():
    """Who you are and, for a participant, each pair: partner, why matched, next session, what is due."""
    ctx = _context(signed_in())
    employee, tenant = ctx["employee"], ctx["tenant"]
    pages = learner.home(tenant, employee.id) if employee else []
    own_profile = learner.has_own_profile(tenant, employee.id) if employee else True
    db.session.commit()  # a first look creates the programme's default completion rule
    ended = learner.left_behind(tenant, employee.id) if employee else []
    if employee and not session.get(PREPARATION_ASKED):  # a launch clears the session: once per launch
        preparation.ask_if_stale(tenant, current_app.config["FLIPSIDE"], employee.id)
        session[PREPARATION_ASKED] = True
    return render_template(
        "account/me.html", pages=pages, own_profile=own_profile, ended=ended, reason_codes=learner.reasons, **ctx
    )


@admin_home.post("/links/<int:link_id>")
def confirm_link(link_id: int):
    user = signed_in()
    identity.confirm_link(
        Tenant(db.session, user["organisation_id"]), link_id, int(request.form.get("employee_id") or 0)
    )
    return redirect("/admin/", code=303)
