"""The HR admin workspace: server-rendered pages after an LTI admin launch or a one-time login link."""
from __future__ import annotations

from flask import Blueprint, redirect, request, session

from ...db import commit_unless_failed, db
from ...domain.roles import HR_ADMIN
from ...errors import Forbidden, ValidationError
from ...services import admin_login
from ...services.tenant import Tenant

bp = Blueprint("workspace", __name__, url_prefix="/admin")
OPEN = {"workspace.login"}


class NotAnAdmin(Forbidden):
    """The browser has no HR admin session."""

    code = "not_signed_in"
    status = 401

    def __init__(self):
        super().__init__("Open Flipside from your LMS as an administrator, or use a login link from "
                         "`flipside admin login-link ORGANISATION`.")


@bp.before_request
def _guard():
    """Only HR admins of one organisation (the app-wide CSRF check has already run on form POSTs)."""
    if request.endpoint in OPEN:
        return
    user = session.get("user") or {}
    if user.get("role") != HR_ADMIN or not user.get("organisation_id"):
        raise NotAnAdmin()
    if request.method == "POST":
        if any("\x00" in value for value in request.form.values()):
            raise ValidationError("Text may not contain NUL characters")


bp.after_request(commit_unless_failed)


def tenant() -> Tenant:
    """The signed-in admin's organisation."""
    return Tenant(db.session, session["user"]["organisation_id"])


@bp.get("/login/<token>")
def login(token: str):
    """Spend a one-time login link and start an admin session."""
    organisation = admin_login.redeem(db.session, token)
    session.clear()
    session["user"] = admin_login.session_user(organisation.organisation_id)
    return redirect("/admin/programmes/", code=303)


def init_app(app) -> None:
    from . import connections, impact, jobs, matches, pairs, programmes, tokens  # noqa: F401  (routes attach to bp)

    app.register_blueprint(bp)
