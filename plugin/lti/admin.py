"""/admin/lti/: an HR admin registers an LMS by hand (CSRF-protected form) and sees the URLs to paste."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request
from sqlalchemy import select

from ..db import db
from ..domain.roles import HR_ADMIN
from ..errors import Forbidden
from ..web.account import signed_in
from .models import LtiDeployment, LtiDeploymentOrganisation, LtiRegistration
from .registrations import PlatformInput, attach_organisation, save_platform, tool_urls
from .runtime import base_url

bp = Blueprint("lti_admin", __name__, url_prefix="/admin/lti")
FIELDS = ("issuer", "client_id", "auth_login_url", "auth_token_url", "key_set_url", "name")


def _hr_admin() -> dict:
    user = signed_in()
    if user["role"] != HR_ADMIN:
        raise Forbidden("This page is for HR admins.")
    return user


def organisation_platforms(organisation_id: int) -> list[tuple[LtiRegistration, LtiDeployment]]:
    """The registrations and deployments serving this organisation (and only those)."""
    rows = db.session.execute(
        select(LtiRegistration, LtiDeployment)
        .join(LtiDeployment)
        .join(LtiDeploymentOrganisation, LtiDeploymentOrganisation.deployment_pk == LtiDeployment.id)
        .where(LtiDeploymentOrganisation.organisation_id == organisation_id)
    ).all()
    return [tuple(r) for r in rows]


@bp.get("/")
def index():
    user = _hr_admin()
    return render_template(
        "lti/admin.html",
        platforms=organisation_platforms(user["organisation_id"]),
        urls=tool_urls(base_url()),
        errors={},
        form={},
    )


@bp.post("/")
def add():
    user = _hr_admin()
    form = {k: request.form.get(k, "").strip() for k in (*FIELDS, "deployment_id")}
    data = PlatformInput(**{k: form[k] for k in FIELDS}, deployment_ids=(form["deployment_id"],))
    row = save_platform(db.session, data)
    attach_organisation(db.session, row.id, form["deployment_id"], user["organisation_id"])
    return redirect("/admin/lti/", code=303)
