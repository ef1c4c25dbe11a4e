"""The HR admin workspace: server-rendered pages after an LTI admin launch or a one-time login link.

`bp` is the one /admin blueprint. Every admin page is on it or on a child of it (the admin home, the
programme-life pages, the LMS registration form), so every one passes its one role guard and its one
commit hook; the CSRF check is the app's own and runs before both (plugin.web.csrf).
"""

from __future__ import annotations

from flask import Blueprint, redirect, request, session

from ...db import commit_unless_failed, db
from ...domain.roles import HR_ADMIN
from ...errors import NotFound, ValidationError
from ...models import Pair
from ...services import admin_login
from ...services.tenant import Tenant
from .. import access, account, life_admin, lti_admin
from ..access import STAFF

bp = Blueprint("workspace", __name__, url_prefix="/admin")
for child in (account.admin_home, life_admin.bp, lti_admin.bp):  # HR admins only: none is a coordinator page
    bp.register_blueprint(child)
OPEN = {"workspace.login"}


# What a programme coordinator may open: their programmes' pages and those programmes' participants and
# pairs. Connections, jobs, tokens, insights, impact (it reads the whole workforce), the profile CSV import
# (it writes profiles of anyone in the organisation) and new programmes are the HR admin's.
COORDINATOR_PAGES = {
    "workspace.programme_list",
    "workspace.programme_view",
    "workspace.programme_status",
    "workspace.programme_edit",
    "workspace.programme_edit_preview",
    "workspace.enrol",
    "workspace.dashboard",
    "workspace.participants",
    "workspace.participants_csv",
    "workspace.participants_bulk",
    "workspace.participants_template",
    "workspace.matches",
    "workspace.run",
    "workspace.approve",
    "workspace.act",
    "workspace.change_mentor",
    "workspace.change_mentor_confirm",
    "workspace.health",
    "workspace.nudge",
    "workspace.region_pairs",  # a regional coordinator's one page: their region's pairs, in every programme
    "workspace.delivery_failures",  # only their programmes' messages (services.deliveries)
    "workspace.delivery_retry",
}


@bp.before_request
def _guard():
    """HR admins everywhere; coordinators only on their programmes' pages; the app-wide CSRF check
    has already run on every form POST."""
    if request.endpoint in OPEN:
        return
    rooms = STAFF if request.endpoint in COORDINATOR_PAGES else (HR_ADMIN,)
    access.require(*rooms)
    args = request.view_args or {}
    if "programme_id" in args:
        access.programme(args["programme_id"])
    if "pair_id" in args:
        pair = tenant().get(Pair, args["pair_id"])
        if "programme_id" in args and pair.programme_id != args["programme_id"]:
            raise NotFound(f"No pair {args['pair_id']} in this programme")
        access.pair(pair)
    if request.method == "POST":
        if any("\x00" in value for value in request.form.values()):
            raise ValidationError("Text may not contain NUL characters")


bp.after_request(commit_unless_failed)


@bp.context_processor
def _room() -> dict:
    """The layout hides HR-only links from coordinators (the guard refuses them anyway)."""
    if not session.get("user"):
        return {"room": None, "regional": False}
    return {"room": access.current().role, "regional": bool(access.current().regions)}


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
    from . import (  # noqa: F401  (routes attach to bp)
        access_grants,
        audit,
        chat_channels,
        connection_pages,
        connections,
        dashboard,
        deliveries,
        impact,
        jobs,
        matches,
        pairs,
        participants,
        preparation,
        programmes,
        tokens,
        wording,
    )

    app.register_blueprint(bp)
