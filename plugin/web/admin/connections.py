"""Connections and their health: status, the last sync, rejected records, and whether to reconnect."""
from __future__ import annotations

from flask import render_template

from ...models import Connection
from ...services import connections
from . import bp, tenant


@bp.get("/connections")
def connection_list():
    rows = [connections.view(c) for c in sorted(tenant().all(Connection), key=lambda c: (c.kind, c.name))]
    return render_template("admin/connections.html", connections=rows)
