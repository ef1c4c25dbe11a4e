"""After a launch: /me/ for participants, /admin/ for HR admins (who you are, organisation, role)."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session

from ..db import db
from ..domain.roles import HR_ADMIN
from ..errors import Forbidden
from ..lti import identity
from ..models import Employee, Organisation
from ..services.employees import count_active
from ..services.tenant import Tenant

bp = Blueprint("account", __name__)


class NotSignedIn(Forbidden):
    """No launch from the LMS in this browser yet."""

    code = "not_signed_in"
    status = 401

    def __init__(self):
        super().__init__("Open Flipside from your course in the LMS to sign in.")


def signed_in() -> dict:
    user = session.get("user")
    if not user:
        raise NotSignedIn()
    return user


def _context(user: dict) -> dict:
    tenant = Tenant(db.session, user["organisation_id"])
    org = db.session.get(Organisation, user["organisation_id"])
    employee = tenant.get(Employee, user["employee_id"]) if user.get("employee_id") else None
    return {"user": user, "org": org, "employee": employee, "tenant": tenant}


@bp.get("/me/")
def me():
    return render_template("account/me.html", **_context(signed_in()))


@bp.get("/admin/")
def admin():
    user = signed_in()
    if user["role"] != HR_ADMIN:
        raise Forbidden("This page is for HR admins.")
    ctx = _context(user)
    return render_template(
        "account/admin.html",
        employees=count_active(ctx["tenant"]),
        pending=identity.pending_links(ctx["tenant"]),
        **ctx,
    )


@bp.post("/admin/links/<int:link_id>")
def confirm_link(link_id: int):
    user = signed_in()
    if user["role"] != HR_ADMIN:
        raise Forbidden("This page is for HR admins.")
    identity.confirm_link(
        Tenant(db.session, user["organisation_id"]), link_id, int(request.form.get("employee_id") or 0)
    )
    return redirect("/admin/", code=303)
