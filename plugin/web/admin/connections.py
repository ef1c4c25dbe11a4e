"""Connections and their health: status, the last sync, rejected records, a reconnect link when needed, and
the sync runs the deletion safeguard holds, with their would-be leavers and approve / reject buttons."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, redirect, render_template, session

from ...models import Connection, SyncRun
from ...services import connection_forms, connections, oauth_connect, safeguard, sync
from ..connect import VENDORS as OAUTH_VENDORS
from . import bp, tenant


@dataclass(frozen=True)
class ConnectionHealth:
    """One connection as the page shows it."""

    view: connections.ConnectionView
    last_run: SyncRun | None
    summary: str
    reconnect_url: str | None
    consent_url: str | None = None  # an OAuth client is stored but the vendor's consent was never given


def _health(conn: Connection) -> ConnectionHealth:
    run = sync.latest_run(tenant(), conn.id) if conn.kind == "hris" else None
    url = consent = None
    app = current_app
    if conn.status == "needs_reconnect" and conn.vendor in OAUTH_VENDORS:
        url = oauth_connect.connect_link(app.secret_key, app.config["FLIPSIDE"].base_url, conn)
    elif conn.vendor in OAUTH_VENDORS and connection_forms.wants_consent(conn, app.extensions["flipside.vault"]):
        consent = oauth_connect.connect_link(app.secret_key, app.config["FLIPSIDE"].base_url, conn)
    return ConnectionHealth(connections.view(conn), run, sync.describe(run) if run else "", url, consent)


@bp.get("/connections")
def connection_list():
    rows = [_health(c) for c in sorted(tenant().all(Connection), key=lambda c: (c.kind, c.name))]
    return render_template("admin/connections.html", connections=rows, held=safeguard.held_runs(tenant()))


def _actor() -> str:
    employee = session["user"].get("employee_id")
    return f"admin (employee {employee})" if employee else "admin"


@bp.post("/sync-runs/<int:run_id>/approve")
def approve_departures(run_id: int):
    safeguard.approve(tenant(), run_id, _actor())
    return redirect("/admin/connections", code=303)


@bp.post("/sync-runs/<int:run_id>/reject")
def reject_departures(run_id: int):
    safeguard.reject(tenant(), run_id, _actor())
    return redirect("/admin/connections", code=303)
