"""/admin/lti/: an HR admin registers an LMS by hand (CSRF-protected form) and sees the URLs to paste."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session
from sqlalchemy import select

from ..db import db
from ..errors import FlipsideError
from ..lti import ownership
from ..lti.registrations import PlatformInput, attach_organisation, find, save_platform, tool_urls
from ..lti.runtime import base_url
from ..models.lti import LtiDeployment, LtiDeploymentOrganisation, LtiRegistration
from . import access

bp = Blueprint("lti_admin", __name__, url_prefix="/lti")  # under /admin (plugin.web.admin): HR admins only
FIELDS = ("issuer", "client_id", "auth_login_url", "auth_token_url", "key_set_url", "name")


def organisation_platforms(organisation_id: int) -> list[tuple[LtiRegistration, LtiDeployment]]:
    """The registrations and deployments serving this organisation (and only those)."""
    rows = db.session.execute(
        select(LtiRegistration, LtiDeployment)
        .join(LtiDeployment)
        .join(LtiDeploymentOrganisation, LtiDeploymentOrganisation.deployment_pk == LtiDeployment.id)
        .execution_options(organisation_id=organisation_id)
    ).all()
    return [tuple(r) for r in rows]


@bp.get("/")
def index():
    mine = access.current()
    return render_template(
        "lti/admin.html",
        platforms=organisation_platforms(mine.organisation_id),
        urls=tool_urls(base_url()),
        errors={},
        form={},
    )


@bp.post("/")
def add():
    """Register an LMS for the caller's organisation, or change one that serves only their organisation."""
    mine = access.current()
    form = {k: request.form.get(k, "").strip() for k in (*FIELDS, "deployment_id", "trusted_hosts")}
    hosts = tuple(h.strip().lower() for h in form["trusted_hosts"].replace(",", " ").split() if h.strip())
    data = PlatformInput(**{k: form[k] for k in FIELDS}, deployment_ids=(form["deployment_id"],), trusted_hosts=hosts)
    try:
        ownership.check_form(db.session, find(db.session, data.issuer, data.client_id), mine.organisation_id)
        row = save_platform(db.session, data, actor=_actor(), organisation_id=mine.organisation_id)
    except FlipsideError as exc:  # refused or incomplete: nothing was saved, the form says why
        db.session.rollback()
        return render_template(
            "lti/admin.html",
            platforms=organisation_platforms(mine.organisation_id),
            urls=tool_urls(base_url()),
            errors=getattr(exc, "errors", {}) or {},
            message=exc.message,
            form=form,
        ), exc.status
    attach_organisation(db.session, row.id, form["deployment_id"], mine.organisation_id, actor=_actor())
    return redirect("/admin/lti/", code=303)


def _actor() -> str:
    return "hr:" + (session["user"].get("email") or "admin")
