"""OAuth connect pages: /connect/<vendor>/start (from a signed link) and /connect/<vendor>/callback."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template_string, request, session

from ..db import db
from ..errors import NotFound, ValidationError
from ..models import Connection
from ..services import oauth_connect
from ..services.tenant import Tenant

bp = Blueprint("connect", __name__, url_prefix="/connect")
VENDORS = ("bamboohr", "workday", "canvas")
FLOW = "flipside.connect"
DONE = (
    "<!doctype html><html lang='en'><meta charset='utf-8'><title>Connected</title><main>"
    "<h1>{{ vendor }} is connected</h1><p>Connection {{ id }} is connected: test it on "
    "<a href='/admin/connections'>the connections page</a>.</p></main></html>"
)


def _redirect_uri(vendor: str) -> str:
    return f"{current_app.config['FLIPSIDE'].base_url}/connect/{vendor}/callback"


@bp.get("/<vendor>/start")
def start(vendor: str):
    """Check the signed link, remember state and PKCE verifier in this browser, send it to the vendor."""
    if vendor not in VENDORS:
        raise NotFound(f"no connect flow for {vendor!r}")
    connection_id = oauth_connect.read_link(current_app.secret_key, vendor, request.args.get("link"))
    conn = db.session.get(Connection, connection_id, execution_options={"all_tenants": True})  # signed link
    if conn is None:
        raise NotFound(f"no connection {connection_id}")
    url, flow = oauth_connect.begin(conn, current_app.extensions["flipside.vault"], _redirect_uri(vendor))
    session[FLOW] = flow
    return redirect(url)


@bp.get("/<vendor>/callback")
def callback(vendor: str):
    """Finish the flow begun in this browser; the tokens are stored encrypted."""
    flow = session.pop(FLOW, None) or {}
    if request.args.get("error"):
        raise ValidationError(f"{vendor} did not grant access: {request.args['error']}")
    if flow.get("vendor") != vendor:
        flow = {}
    conn = db.session.get(Connection, int(flow.get("connection_id") or 0), execution_options={"all_tenants": True})
    tenant = Tenant(db.session, conn.organisation_id if conn else 0)
    done = oauth_connect.complete(
        tenant,
        current_app.extensions["flipside.vault"],
        flow,
        state=request.args.get("state"),
        code=request.args.get("code"),
        redirect_uri=_redirect_uri(vendor),
    )
    db.session.commit()
    return render_template_string(DONE, vendor=vendor.capitalize() if vendor != "bamboohr" else "BambooHR", id=done.id)


def init_app(app) -> None:
    """Mount the connect pages."""
    app.register_blueprint(bp)
